import Foundation

// MARK: - JSON rendering (ordered objects, no re-serialization of stored items)

/// An ordered JSON object: pairs rendered in order; a nil value omits the key.
typealias JObj = [(String, Any?)]

enum JSONOut {
    private static let rejectSet: [CChar] = (1..<32).map { CChar($0) } + [34, 92, 0]

    /// True when `s` holds a quote, a backslash or a control character (C scan: debug builds stay fast).
    static func needsEscape(_ s: String) -> Bool {
        let n = s.utf8.count
        let clean = s.withCString { p in rejectSet.withUnsafeBufferPointer { strcspn(p, $0.baseAddress!) } }
        return clean != n
    }

    static func escape(_ s: String, into out: inout String) {
        out.append("\"")
        if !needsEscape(s) {
            out.append(s)
        } else {
            for u in s.unicodeScalars {
                switch u {
                case "\"": out.append("\\\"")
                case "\\": out.append("\\\\")
                case "\n": out.append("\\n")
                case "\r": out.append("\\r")
                case "\t": out.append("\\t")
                default:
                    if u.value < 0x20 {
                        let hex = String(u.value, radix: 16)
                        out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
        }
        out.append("\"")
    }

    private static func renderArray(_ items: [Any], into out: inout String) {
        out.append("[")
        for (i, v) in items.enumerated() {
            if i > 0 { out.append(",") }
            render(v, into: &out)
        }
        out.append("]")
    }

    static func render(_ value: Any?, into out: inout String) {
        guard let value = value else { out.append("null"); return }
        switch value {
        case let s as String: escape(s, into: &out)
        case let b as Bool: out.append(b ? "true" : "false")
        case let i as Int: out.append(String(i))
        case let i as Int64: out.append(String(i))
        case let d as Double: out.append(d.isFinite ? String(d) : "null")
        case let a as [String]: renderArray(a, into: &out)  // before JObj: an empty [String] is an array
        case let o as JObj:
            out.append("{")
            var first = true
            for (k, v) in o {
                guard let v = v else { continue }
                if !first { out.append(",") }
                first = false
                escape(k, into: &out)
                out.append(":")
                render(v, into: &out)
            }
            out.append("}")
        case let a as [Any]: renderArray(a, into: &out)
        case let d as [String: Any]:
            render(d.keys.sorted().map { ($0, d[$0]) } as JObj, into: &out)
        case is NSNull: out.append("null")
        case let n as NSNumber: out.append(n.stringValue)
        default: escape(String(describing: value), into: &out)
        }
    }

    static func bytes(_ o: JObj) -> [UInt8] {
        var s = ""
        render(o, into: &s)
        return Array(s.utf8)
    }

    /// Parses stored JSON bytes back into a dictionary (inspection helpers only).
    static func dict(_ bytes: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
    }
}

// MARK: - Time (ISO 8601 with milliseconds, UTC, fast)

enum MockTime {
    /// "000Z" ... "999Z"
    static let millisSuffixes: [String] = (0..<1000).map { v in
        String(repeating: "0", count: v < 10 ? 2 : v < 100 ? 1 : 0) + String(v) + "Z"
    }

    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    private static func two(_ v: Int, _ out: inout [UInt8]) {
        out.append(UInt8(48 + v / 10)); out.append(UInt8(48 + v % 10))
    }

    /// `value / divisor` rounded down, and what is left (0 ..< divisor), also before 1970.
    private static func floored(_ value: Int64, _ divisor: Int64) -> (Int64, Int) {
        let left = (value % divisor + divisor) % divisor
        return ((value - left) / divisor, Int(left))
    }

    /// "2026-01-02T03:04:05.678Z"
    static func format(_ ms: Int64) -> String {
        let (secs, milli) = floored(ms, 1000)
        let (days, rem) = floored(secs, 86400)
        // civil_from_days (Howard Hinnant)
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        if m <= 2 { y += 1 }
        var out = [UInt8]()
        out.reserveCapacity(24)
        let yi = Int(y)
        two(yi / 100, &out); two(yi % 100, &out)
        out.append(45); two(m, &out); out.append(45); two(d, &out)
        out.append(84); two(rem / 3600, &out); out.append(58); two(rem / 60 % 60, &out)
        out.append(58); two(rem % 60, &out); out.append(46)
        out.append(UInt8(48 + milli / 100)); two(milli % 100, &out)
        out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146097 + doe - 719468)
    }

    /// Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]" into epoch milliseconds.
    static func parse(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard b.count >= 19, let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32,
              let h = num(11, 2), b[13] == 58, let mi = num(14, 2), b[16] == 58, let se = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        var i = 19
        var ms = 0
        if i < b.count && b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { ms = ms * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in 0..<max(0, 3 - digits) { ms *= 10 }
        }
        var offset = 0
        if i < b.count {
            if b[i] == 90 || b[i] == 122 {
                i += 1
            } else if b[i] == 43 || b[i] == 45 {
                let sign = b[i] == 43 ? 1 : -1
                guard let oh = num(i + 1, 2) else { return nil }
                var j = i + 3
                if j < b.count && b[j] == 58 { j += 1 }
                guard let om = num(j, 2) else { return nil }
                offset = sign * (oh * 3600 + om * 60)
                i = j + 2
            } else {
                return nil
            }
        } else {
            return nil // Webex requires a zone
        }
        guard i == b.count else { return nil }
        let secs = daysFromCivil(y, mo, d) * 86400 + Int64(h * 3600 + mi * 60 + se) - Int64(offset)
        return secs * 1000 + Int64(ms)
    }
}

// MARK: - Ids

enum MockIds {
    static func encode(_ kind: String, _ uuid: String) -> String {
        var s = Data("ciscospark://us/\(kind)/\(uuid)".utf8).base64EncodedString()
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }

    static func decode(_ id: String) -> String? {
        var s = id
        while s.count % 4 != 0 { s.append("=") }
        guard let d = Data(base64Encoded: s) else { return nil }
        return String(data: d, encoding: .utf8)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// base64 of each 3-hex-digit string "000" ... "fff".
    static let hexTriples: [String] = (0..<4096).map { v in
        Data([hexDigits[v >> 8], hexDigits[(v >> 4) & 0xF], hexDigits[v & 0xF]]).base64EncodedString()
    }

    /// A UUID-shaped string from a 64-bit salt and a counter (fast, unique per server).
    static func uuid(salt: UInt64, counter: UInt64) -> String {
        var out = [UInt8]()
        out.reserveCapacity(36)
        func hex(_ v: UInt64, _ n: Int) {
            for i in stride(from: n - 1, through: 0, by: -1) {
                out.append(hexDigits[Int((v >> (UInt64(i) * 4)) & 0xF)])
            }
        }
        hex(salt >> 32, 8); out.append(45)
        hex((salt >> 16) & 0xFFFF, 4); out.append(45)
        hex(0x4000 | (salt & 0x0FFF), 4); out.append(45)
        hex(0x8000 | ((counter >> 48) & 0x0FFF), 4); out.append(45)
        hex(counter & 0xFFFF_FFFF_FFFF, 12)
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - Deterministic PRNG

/// SplitMix64: a small seeded generator, so faults and fuzz inputs can be replayed.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

// MARK: - URL query helpers

enum QueryCoding {
    /// Decodes a query component: "+" is a space, %XX escapes are bytes (form encoding, as Webex's servers do).
    /// Percent-decodes a query part, where `+` is a space (as form encoding says).
    static func decode(_ s: Substring) -> String { percentDecode(s, plusIsSpace: true) }

    /// Percent-decodes a path, where `+` is itself.
    static func pathDecode(_ s: Substring) -> String { percentDecode(s, plusIsSpace: false) }

    private static func percentDecode(_ s: Substring, plusIsSpace: Bool) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if plusIsSpace && c == 43 { bytes.append(32); continue }
            if c == 37, it.count >= 2, let h = hexVal(it[it.startIndex]), let l = hexVal(it[it.startIndex + 1]) {
                bytes.append(h << 4 | l)
                it = it.dropFirst(2)
                continue
            }
            bytes.append(c)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexVal(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 65...90, 97...122, 48...57, 45, 46, 95, 126:
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out.append("%")
                out.append(String(format: "%02X", b))
            }
        }
        return out
    }

    /// Parses "a=1&b=2" into ordered pairs.
    static func parse(_ q: Substring) -> [(String, String)] {
        var out: [(String, String)] = []
        for part in q.split(separator: "&", omittingEmptySubsequences: true) {
            if let eq = part.firstIndex(of: "=") {
                out.append((decode(part[..<eq]), decode(part[part.index(after: eq)...])))
            } else {
                out.append((decode(part), ""))
            }
        }
        return out
    }
}

// MARK: - Multipart parsing

struct MultipartPart {
    var headers: [String: String] // lowercased names
    var name: String?
    var filename: String?
    var contentType: String?
    var data: Data
}

enum Multipart {
    /// Extracts a parameter (e.g. boundary, name, filename) from a header value, honouring quotes and escapes.
    static func parameter(_ name: String, in header: String) -> String? {
        let chars = Array(header)
        var i = 0
        // skip the first token (e.g. "form-data" or "multipart/form-data")
        while i < chars.count && chars[i] != ";" { i += 1 }
        while i < chars.count {
            // at ';'
            i += 1
            while i < chars.count && chars[i] == " " { i += 1 }
            var key = ""
            while i < chars.count && chars[i] != "=" && chars[i] != ";" { key.append(chars[i]); i += 1 }
            key = key.trimmingCharacters(in: .whitespaces).lowercased()
            var value = ""
            if i < chars.count && chars[i] == "=" {
                i += 1
                if i < chars.count && chars[i] == "\"" {
                    i += 1
                    while i < chars.count && chars[i] != "\"" {
                        if chars[i] == "\\" && i + 1 < chars.count { i += 1 }
                        value.append(chars[i]); i += 1
                    }
                    i += 1
                    while i < chars.count && chars[i] != ";" { i += 1 }
                } else {
                    while i < chars.count && chars[i] != ";" { value.append(chars[i]); i += 1 }
                    value = value.trimmingCharacters(in: .whitespaces)
                }
            }
            if key == name.lowercased() { return value }
        }
        return nil
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        let first = needle[0]
        var i = from
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first {
                var ok = true
                for j in 1..<needle.count where hay[i + j] != needle[j] { ok = false; break }
                if ok { return i }
            }
            i += 1
        }
        return nil
    }

    static func parse(body: [UInt8], boundary: String) -> [MultipartPart]? {
        let delim = Array("--\(boundary)".utf8)
        let crlfDelim = Array("\r\n--\(boundary)".utf8)
        guard var pos = find(delim, in: body, from: 0) else { return nil }
        pos += delim.count
        var parts: [MultipartPart] = []
        while true {
            // after a delimiter: "--" ends, else CRLF
            if pos + 1 < body.count && body[pos] == 45 && body[pos + 1] == 45 { return parts }
            while pos < body.count && (body[pos] == 32 || body[pos] == 9) { pos += 1 }
            guard pos + 1 < body.count, body[pos] == 13, body[pos + 1] == 10 else { return nil }
            pos += 2
            guard let hdrEnd = find([13, 10, 13, 10], in: body, from: pos) ?? (body[pos...].starts(with: [13, 10]) ? pos - 2 : nil) else { return nil }
            let headerText = String(decoding: body[pos..<max(pos, hdrEnd)], as: UTF8.self)
            var headers: [String: String] = [:]
            for line in headerText.components(separatedBy: "\r\n") where !line.isEmpty {
                guard let c = line.firstIndex(of: ":") else { continue }
                headers[line[..<c].trimmingCharacters(in: .whitespaces).lowercased()] =
                    line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
            }
            let dataStart = hdrEnd + 4
            guard let next = find(crlfDelim, in: body, from: dataStart) else { return nil }
            var part = MultipartPart(headers: headers, name: nil, filename: nil, contentType: headers["content-type"],
                                     data: Data(body[dataStart..<next]))
            if let cd = headers["content-disposition"] {
                part.name = parameter("name", in: cd)
                part.filename = parameter("filename", in: cd)
                if let star = parameter("filename*", in: cd), let r = star.range(of: "''") {
                    part.filename = String(star[r.upperBound...]).removingPercentEncoding ?? part.filename
                }
            }
            parts.append(part)
            pos = next + crlfDelim.count
        }
    }
}
