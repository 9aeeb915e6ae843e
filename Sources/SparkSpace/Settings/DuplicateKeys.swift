/// A key given twice in one mapping of a settings file or manifest: the last one used to win
/// silently (a second `rooms:` dropped the first list). Found with the lines of both.
struct DuplicateKey: Equatable {
    var key: String
    var firstLine: Int
    var secondLine: Int

    /// `duplicate key 'rooms' (lines 1 and 7)`.
    var message: String { "duplicate key '\(key)' (lines \(firstLine) and \(secondLine))" }

    /// The first key that appears twice in one object of a JSON text (compared as written), nil when
    /// none does. A scan of the bytes beside the parser: it keeps no values, only the keys of the
    /// objects open at the moment.
    static func inJSON(_ bytes: [UInt8]) -> DuplicateKey? {
        // One frame per open object ([key: line]) or array (nil); `expectingKey` in the innermost object.
        var frames: [[String: Int]?] = []
        var expectingKey = false
        var line = 1
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case 10: line += 1
            case UInt8(ascii: "{"): frames.append([:]); expectingKey = true
            case UInt8(ascii: "["): frames.append(nil); expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if !frames.isEmpty { frames.removeLast() }; expectingKey = false
            case UInt8(ascii: ","): expectingKey = frames.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                let start = i + 1
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
                if expectingKey, let last = frames.indices.last, var keys = frames[last] {
                    let key = String(decoding: bytes[start..<min(i, bytes.count)], as: UTF8.self)
                    if let first = keys[key] { return DuplicateKey(key: key, firstLine: first, secondLine: line) }
                    keys[key] = line
                    frames[last] = keys
                    expectingKey = false
                }
            default: break
            }
            i += 1
        }
        return nil
    }
}
