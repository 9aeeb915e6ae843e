#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON value as the Webex API sends it.
///
/// The project keeps its own value type, parser and writer because every output
/// must be key-sorted, lossless (integers stay integers, booleans stay booleans)
/// and fast enough to stream 200,000 messages: on Linux `JSONSerialization`
/// writes ~20x slower than this and hands back `Any`, where `true` and `1` are
/// both `NSNumber`.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// A number neither `int` nor `double` holds as it came (`1e400`, a 400-digit integer): its text,
    /// written back unchanged. The tool computes with few numbers; it prints every one it was sent.
    case number(String)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSON? {
        get {
            if case .object(let members) = self { return members[key] }
            return nil
        }
        set {
            if case .object(var members) = self {
                members[key] = newValue
                self = .object(members)
            }
        }
    }

    /// The text of a JSON string; nil for any other value.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements of a JSON array; nil for any other value.
    public var array: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members of a JSON object; nil for any other value.
    public var object: [String: JSON]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The value of a JSON boolean; nil for any other value.
    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// A JSON number that is a whole number in the range of `Int`; nil otherwise.
    public var int: Int? {
        switch self {
        case .int(let i): return Int(i)
        // In range only: `Int(1e300)` traps, and the number came from outside.
        case .double(let d) where d == d.rounded() && abs(d) < 9.2e18: return Int(d)
        default: return nil
        }
    }

    /// Whether the value is JSON `null`.
    public var isNull: Bool { self == .null }

    /// This object with `extra` members added or replacing (other values are returned as they are).
    public func merging(_ extra: [(String, JSON)]) -> JSON {
        guard case .object(var members) = self else { return self }
        members.reserveCapacity(members.count + extra.count)
        for (key, value) in extra { members[key] = value }
        return .object(members)
    }

    /// The array of strings held here, or [] when it is not one.
    public var strings: [String] { array?.compactMap(\.string) ?? [] }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// A JSON string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A JSON number.
    public init(integerLiteral value: Int) { self = .int(Int64(value)) }
    /// A JSON boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A JSON array.
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// A JSON object (the last of repeated keys wins).
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// JSON `null`.
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Writing

extension JSON {
    /// Compact UTF-8 JSON with object keys sorted, appended to `out`.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: Self.nullBytes)
        case .bool(let b): out.append(contentsOf: b ? Self.trueBytes : Self.falseBytes)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): Self.writeDouble(d, into: &out)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            Self.writeObject(members, adding: [], pretty: false, indent: 0, into: &out)
        }
    }

    /// Writes the object `base` with the members of `extra` added (or replacing),
    /// keys sorted, without building the merged object: `walk-messages` writes
    /// each normalized event this way, which halves its cost.
    public static func writeObject(
        _ base: [String: JSON], adding extra: [(String, JSON)], pretty: Bool, indent: Int, into out: inout [UInt8]
    ) {
        guard base.count + extra.count > 0 else { return out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
        // All members, extras ranked after the base ones so that on a tie the extra wins;
        // no hashing and no lookups on this hot path.
        var members: [Member] = []
        members.reserveCapacity(base.count + extra.count)
        for (key, value) in base { members.append(Member(key: key, rank: 0, value: value)) }
        for (rank, (key, value)) in extra.enumerated() { members.append(Member(key: key, rank: rank + 1, value: value)) }
        members.sort(by: Member.precedes)
        out.append(UInt8(ascii: "{"))
        var first = true
        for (index, member) in members.enumerated() {
            if index + 1 < members.count && members[index + 1].key == member.key { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if pretty { newline(indent + 1, into: &out) }
            writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            if pretty {
                out.append(UInt8(ascii: " "))
                member.value.writePretty(into: &out, indent: indent + 1)
            } else {
                member.value.write(into: &out)
            }
        }
        if pretty { newline(indent, into: &out) }
        out.append(UInt8(ascii: "}"))
    }

    /// An object member while writing, ordered as `KeyPrefix` describes.
    private struct Member {
        var key: String
        var rank: Int
        var value: JSON
        var prefix: UInt64

        init(key: String, rank: Int, value: JSON) {
            self.key = key
            self.rank = rank
            self.value = value
            prefix = KeyPrefix.of(key.utf8)
        }

        static func precedes(_ a: Member, _ b: Member) -> Bool {
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            if a.key == b.key { return a.rank < b.rank }
            return a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        }
    }

    private static func newline(_ level: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
    }

    /// Pretty JSON (two-space indent, sorted keys), as `json` output prints one document.
    public func writePretty(into out: inout [UInt8], indent: Int = 0) {
        func newline(_ level: Int) {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                item.writePretty(into: &out, indent: indent + 1)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            Self.writeObject(members, adding: [], pretty: true, indent: indent, into: &out)
        default:
            write(into: &out)
        }
    }

    /// Compact, key-sorted JSON text.
    public var compactText: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Indented, key-sorted JSON text.
    public var prettyText: String {
        var out: [UInt8] = []
        writePretty(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let nullBytes = Array("null".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { return out.append(contentsOf: nullBytes) }
        if d == d.rounded(), abs(d) < 1e15 {
            out.append(contentsOf: String(Int64(d)).utf8)
        } else {
            out.append(contentsOf: "\(d)".utf8)
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let c = bytes[i]
                if c >= 0xC2, let scalar = invisibleScalar(bytes, at: i) {
                    // C1 controls, bidi controls, U+2028/2029: valid JSON raw, but a terminal or a
                    // JavaScript reader takes them for commands; escaped, they are the same string.
                    guard i >= start else { continue }  // inside a sequence already escaped
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                    start = i + (scalar < 0x800 ? 2 : 3)
                    out.append(contentsOf: [92, UInt8(ascii: "u")] + [12, 8, 4, 0].map { hex[Int((scalar >> UInt32($0)) & 15)] })
                    continue
                }
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                guard i >= start else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                start = i + 1
                switch c {
                case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
                case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
                case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
                case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
                case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
                default:
                    out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(c >> 4)], hex[Int(c & 15)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The scalar at `i` when it is one the writer escapes although JSON allows it raw: C1 controls
    /// (U+0080-009F), bidi controls (U+061C, U+200E/F, U+202A-202E, U+2066-2069), U+2028/2029.
    static func invisibleScalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt32? {
        let c = bytes[i]
        if c == 0xC2, i + 1 < bytes.count, (0x80...0x9F).contains(bytes[i + 1]) { return UInt32(bytes[i + 1]) }
        if c == 0xD8, i + 1 < bytes.count, bytes[i + 1] == 0x9C { return 0x061C }
        guard c == 0xE2, i + 2 < bytes.count else { return nil }
        let scalar = (UInt32(c & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F)
        switch scalar {
        case 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: return scalar
        default: return nil
        }
    }
}

// MARK: - Parsing

/// A JSON document that could not be parsed.
public struct JSONParseError: Error, CustomStringConvertible {
    /// The byte where the text stopped being JSON.
    public let offset: Int
    /// What was expected there.
    public let reason: String
    /// `invalid JSON at byte N: reason`.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSON {
    /// Parses one JSON document from UTF-8 bytes.
    public static func parse<Bytes: Collection>(_ data: Bytes) throws -> JSON where Bytes.Element == UInt8 {
        let result = data.withContiguousStorageIfAvailable { buffer -> Result<JSON, Error> in
            Result { try parseBuffer(buffer) }
        }
        if let result { return try result.get() }
        return try Array(data).withUnsafeBufferPointer { try parseBuffer($0) }
    }

    /// Parses one JSON document from a string.
    public static func parse(_ text: String) throws -> JSON {
        try parse(Array(text.utf8))
    }

    private static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) throws -> JSON {
        var parser = JSONParser(bytes: buffer)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.error("trailing characters") }
        return value
    }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws -> JSON {
        guard depth < 512 else { throw error("nesting too deep") }
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try parseNumber()
        }
    }

    mutating func expect(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end") }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] {
            throw error("unexpected character")
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws -> JSON {
        index += 1
        var members: [String: JSON] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            members[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func parseArray(depth: Int) throws -> JSON {
        index += 1
        var items: [JSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    mutating func parseString() throws -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string") }
            index += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw error("control character in string") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(34)
            case UInt8(ascii: "\\"): out.append(92)
            case UInt8(ascii: "/"): out.append(47)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                    bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try parseHex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index -= 6  // not a pair: the next escape is a character of its own
                    }
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw error("bad escape")
            }
        }
        throw error("unterminated string")
    }

    mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            index += 1
            value <<= 4
            switch c {
            case 48...57: value |= UInt32(c - 48)
            case 65...70: value |= UInt32(c - 55)
            case 97...102: value |= UInt32(c - 87)
            default: throw error("bad \\u escape")
            }
        }
        return value
    }

    /// RFC 8259 numbers only: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`
    /// (no `+1`, `01`, `1.`, `.5`, which `Double()` would take).
    mutating func parseNumber() throws -> JSON {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            return index - from
        }
        func at(_ characters: String) -> Bool {
            index < bytes.count && characters.utf8.contains(bytes[index])
        }
        let bad = JSONParseError(offset: start, reason: "bad number")
        if at("-") { index += 1 }
        let leadingZero = at("0")
        let integerDigits = digits()
        guard integerDigits > 0, !(leadingZero && integerDigits > 1) else { throw bad }
        var isInteger = true
        if at(".") {
            index += 1
            guard digits() > 0 else { throw bad }
            isInteger = false
        }
        if at("eE") {
            index += 1
            if at("+-") { index += 1 }
            guard digits() > 0 else { throw bad }
            isInteger = false
        }
        return try number(from: start, isInteger: isInteger)
    }

    func number(from start: Int, isInteger: Bool) throws -> JSON {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        guard let d = Double(text), !text.isEmpty else { throw JSONParseError(offset: start, reason: "bad number") }
        // Out of Int64's range or Double's: kept as it came, never turned into null or a rounded value.
        if isInteger || !d.isFinite { return .number(text) }
        return .double(d)
    }
}
