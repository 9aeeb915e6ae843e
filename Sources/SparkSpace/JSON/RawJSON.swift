#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A member value of a `RawItems` item.
public enum RawValue: Sendable {
    /// JSON text in the page that `JSON.write` would print unchanged: a string of
    /// printable ASCII without escapes (quotes included), `true`, `false` or `null`.
    case text(Range<Int>)
    /// Any other value (escapes, non-ASCII, numbers, arrays, objects), parsed.
    case json(JSON)
}

/// The items of a list page (`{"items": [...]}`), kept as the bytes the API sent.
///
/// `walk-messages` prints up to hundreds of thousands of messages. Building a `JSON`
/// tree per message (a dictionary, a `String` per member) and writing it back was most
/// of its cost, so each item is scanned once into member ranges instead. Plain values
/// are copied through as they came; everything else is parsed into `JSON` and written
/// by the same code as everywhere else, so what `RawObjectWriter` prints is byte for
/// byte what `JSON.writeObject` prints for the parsed item.
public struct RawItems: Sendable {
    /// The page as received.
    public let bytes: [UInt8]
    fileprivate var table = Table()

    /// What a scan found. Members and slots are plain data (no references to count or
    /// release per member); parsed values sit in `values`.
    fileprivate struct Table {
        var members: [RawMember] = []
        var slots: [Slot] = []
        var values: [JSON] = []
    }

    fileprivate enum Slot {
        /// An object whose keys are printable ASCII without escapes: its members in `members`.
        case object(Range<Int>)
        /// Anything else (another value, an object with unusual keys): its index in `values`.
        case other(Int)
    }

    /// Scans a list page. Like `json["items"]?.array ?? []`: a document without an
    /// `items` array has no items, an empty body neither. Throws `JSONParseError`.
    public init(page bytes: [UInt8]) throws {
        self.bytes = bytes
        guard !bytes.isEmpty else { return }
        guard bytes.count < Int(UInt32.max) else { throw JSONParseError(offset: 0, reason: "page over 4 GB") }
        var table = Table()
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            try parser.scanPage(into: &table)
        }
        self.table = table
    }

    /// The number of items.
    public var count: Int { table.slots.count }

    /// Item `index`.
    public subscript(index: Int) -> RawItem { RawItem(page: self, slot: table.slots[index]) }

    /// Leaves out the first `count` items.
    public mutating func dropFirst(_ count: Int) {
        table.slots.removeSubrange(0..<min(count, table.slots.count))
    }

    /// Keeps only the first `count` items.
    public mutating func keepFirst(_ count: Int) {
        if count < table.slots.count { table.slots.removeSubrange(count...) }
    }

    fileprivate func value(_ member: RawMember) -> RawValue {
        member.valueEnd == .max ? .json(table.values[Int(member.valueStart)]) : .text(member.value)
    }
}

fileprivate struct RawMember {
    var keyStart: UInt32
    var keyEnd: UInt32
    var prefix: UInt64
    /// The value's text in the page, or (`valueEnd == .max`) its index in `values`.
    var valueStart: UInt32
    var valueEnd: UInt32

    /// The key's bytes, between its quotes.
    var key: Range<Int> { Int(keyStart)..<Int(keyEnd) }
    var value: Range<Int> { Int(valueStart)..<Int(valueEnd) }
}

/// One item of a `RawItems` page.
public struct RawItem {
    fileprivate let page: RawItems
    fileprivate let slot: RawItems.Slot

    /// The item as a `JSON` value (parses it: for the odd item, not the hot path).
    public var json: JSON {
        switch slot {
        case .other(let index): return page.table.values[index]
        case .object(let range):
            var object: [String: JSON] = [:]
            for member in page.table.members[range] {
                object[String(decoding: page.bytes[member.key], as: UTF8.self)] = value(page.value(member))
            }
            return .object(object)
        }
    }

    /// The item with only the members `keys` (those it has), parsed.
    public func json(only keys: [String]) -> JSON {
        guard case .object = slot else { return json }
        return .object(Dictionary(keys.compactMap { key in self[key].map { (key, $0) } }, uniquingKeysWith: { $1 }))
    }

    /// The member `key` (the last one, as a parser keeps it), as a `JSON` value.
    public subscript(key: String) -> JSON? { member(key).map(value) }

    /// `value` as a `JSON` value.
    public func value(_ value: RawValue) -> JSON {
        switch value {
        case .json(let json): return json
        case .text(let range):
            // Literals and plain strings only: parsing them cannot fail.
            return (try? JSON.parse(page.bytes[range])) ?? .null
        }
    }

    /// `created` in milliseconds since 1970, without building a string for it.
    public var createdMillis: Int64? {
        switch member("created") {
        case .text(let range)?:
            return page.bytes.withUnsafeBufferPointer {
                RFC3339.millis(bytes: UnsafeBufferPointer(rebasing: $0[(range.lowerBound + 1)..<(range.upperBound - 1)]))
            }
        case .json(.string(let text))?: return RFC3339.millis(text)
        default: return nil
        }
    }
}

extension RawItem: MessageMembers {
    package func member(_ key: String) -> RawValue? {
        guard case .object(let range) = slot else { return json[key].map(RawValue.json) }
        var key = key
        let found = key.withUTF8 { wanted -> RawMember? in
            let prefix = KeyPrefix.of(wanted)
            return page.bytes.withUnsafeBufferPointer { bytes in
                page.table.members.withUnsafeBufferPointer { members in
                    for index in range.reversed() where members[index].prefix == prefix {
                        let key = UnsafeBufferPointer(rebasing: bytes[members[index].key])
                        if key.count == wanted.count && (key.count <= 8 || sameBytes(key, wanted)) {
                            return members[index]
                        }
                    }
                    return nil
                }
            }
        }
        return found.map(page.value)
    }

    package func first(of value: RawValue) -> RawValue? {
        guard case .json(.array(let items)) = value else { return nil }
        return items.first.map(RawValue.json)
    }

    package func isString(_ value: RawValue, equalTo text: String) -> Bool {
        switch value {
        case .json(let json): return json.string == text
        case .text(let range):
            guard page.bytes[range.lowerBound] == UInt8(ascii: "\"") else { return false }
            var text = text
            return text.withUTF8 { wanted in
                page.bytes.withUnsafeBufferPointer {
                    sameBytes(UnsafeBufferPointer(rebasing: $0[(range.lowerBound + 1)..<(range.upperBound - 1)]), wanted)
                }
            }
        }
    }

    package func lift(_ json: JSON) -> RawValue { .json(json) }

    package func isNull(_ value: RawValue) -> Bool {
        switch value {
        case .json(let json): return json == .null
        case .text(let range): return page.bytes[range.lowerBound] == UInt8(ascii: "n")
        }
    }
}

/// A growable byte buffer written through a pointer.
private final class LineBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity = 4096
    var count = 0

    init() { base = .allocate(capacity: capacity) }
    deinit { base.deallocate() }

    @inline(__always)
    func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    func put(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    private func grow(to needed: Int) {
        capacity = max(needed, capacity * 2)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
    }
}

/// Whether `a` and `b` hold the same bytes; keys are short, so without a call to `memcmp` up to 16.
@inline(__always)
private func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count >= 8, let x = a.baseAddress, let y = b.baseAddress else { return KeyPrefix.of(a) == KeyPrefix.of(b) }
    func word(_ p: UnsafePointer<UInt8>, _ offset: Int) -> UInt64 {
        UnsafeRawPointer(p + offset).loadUnaligned(as: UInt64.self)
    }
    guard a.count <= 16 else { return memcmp(x, y, a.count) == 0 }
    return word(x, 0) == word(y, 0) && word(x, a.count - 8) == word(y, a.count - 8)
}

/// Object keys sort in code-point (UTF-8 byte) order, compared first by their
/// first 8 bytes packed in an integer: sorting keys was the largest single cost of
/// writing events.
enum KeyPrefix {
    /// The same, with one load for keys of 8 bytes or more.
    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard bytes.count >= 8, let base = bytes.baseAddress else {
            var packed: UInt64 = 0
            for index in 0..<bytes.count { packed |= UInt64(bytes[index]) << (8 * UInt64(7 - index)) }
            return packed
        }
        return UInt64(bigEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self))
    }

    static func of<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var packed: UInt64 = 0
        var count = 0
        for byte in bytes {
            guard count < 8 else { break }
            packed = packed << 8 | UInt64(byte)
            count += 1
        }
        return count == 0 ? 0 : packed << (8 * UInt64(8 - count))
    }
}

/// Writes `RawItems` objects with members added, keys sorted, compact or indented:
/// the same bytes as `JSON.writeObject(_:adding:pretty:indent:into:)` on the parsed item.
/// Keep one per walk: it reuses its buffers, and the order of the keys, which is
/// the same for most items of a page.
package struct RawObjectWriter {
    /// The keys of the last object laid out, in item order (base members, then added ones).
    private var keys: [UInt8] = []
    private var spans: [Range<Int>] = []
    private var prefixes: [UInt64] = []
    /// The added keys of that layout: the same strings item after item, so mostly equal
    /// without reading their bytes.
    private var extraKeys: [String] = []
    /// What to write for that layout: per output member its position in item order and
    /// the text before its value (`{"key":` or `,"key":`, in `heads`), keys sorted, of equal keys the last.
    private var plan: [(position: Int, head: Range<Int>)] = []
    private var heads: [UInt8] = []
    /// The object being written: appending to an array costs ~45 instructions a call,
    /// and an event is some 40 small pieces.
    private let line = LineBuffer()
    private var scratch: [UInt8] = []
    /// nil: compact; else the level of the objects in pretty JSON (two spaces a level).
    private let indent: Int?

    /// A writer of compact objects, or (`indent`) of pretty ones at that level.
    package init(indent: Int? = nil) { self.indent = indent }

    /// Writes `item` as a message event (see `Events.messageFields`), or as it is when `hook` is nil.
    package mutating func writeMessage(_ item: RawItem, hook: String?, into out: inout [UInt8]) {
        // Here, not in the caller: generic code is specialized only within its module.
        write(item, adding: hook.map { Events.messageFields(item, hook: $0) } ?? [], into: &out)
    }

    /// Writes `item` with `extra` members added (or replacing).
    package mutating func write(_ item: RawItem, adding extra: [(String, RawValue)], into out: inout [UInt8]) {
        guard case .object(let range) = item.slot else {
            guard case .object(let base) = item.json else { return write(item.json, into: &out) }
            return JSON.writeObject(base, adding: extra.map { ($0.0, item.value($0.1)) }, pretty: indent != nil,
                                    indent: indent ?? 0, into: &out)
        }
        item.page.bytes.withUnsafeBufferPointer { page in
            item.page.table.members.withUnsafeBufferPointer { all in
                let members = UnsafeBufferPointer(rebasing: all[range])
                // Items of a page mostly have the same keys in the same order: sort them once.
                if !sameLayout(page, members, extra) { layOut(page, members, extra) }
                guard !plan.isEmpty else { return out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
                line.count = 0
                heads.withUnsafeBufferPointer { heads in
                    for (position, head) in plan {
                        line.put(UnsafeBufferPointer(rebasing: heads[head]))
                        if position >= members.count {
                            put(extra[position - members.count].1, page)
                        } else if members[position].valueEnd != .max {
                            line.put(UnsafeBufferPointer(rebasing: page[members[position].value]))
                        } else {
                            put(.json(item.page.table.values[Int(members[position].valueStart)]), page)
                        }
                    }
                }
                if let indent { newline(indent) }
                line.put(UInt8(ascii: "}"))
                out.append(contentsOf: UnsafeBufferPointer(start: line.base, count: line.count))
            }
        }
    }

    private mutating func put(_ value: RawValue, _ page: UnsafeBufferPointer<UInt8>) {
        switch value {
        case .text(let text): line.put(UnsafeBufferPointer(rebasing: page[text]))
        case .json(let json):
            scratch.removeAll(keepingCapacity: true)
            if let indent { json.writePretty(into: &scratch, indent: indent + 1) } else { json.write(into: &scratch) }
            scratch.withUnsafeBufferPointer { line.put($0) }
        }
    }

    private func write(_ json: JSON, into out: inout [UInt8]) {
        if let indent { json.writePretty(into: &out, indent: indent) } else { json.write(into: &out) }
    }

    private func newline(_ level: Int) {
        line.put(UInt8(ascii: "\n"))
        for _ in 0..<(2 * level) { line.put(UInt8(ascii: " ")) }
    }

    /// Whether the keys are those of the last layout: compared by prefix and length,
    /// and by bytes only past the first 8.
    private func sameLayout(
        _ page: UnsafeBufferPointer<UInt8>, _ members: UnsafeBufferPointer<RawMember>, _ extra: [(String, RawValue)]
    ) -> Bool {
        guard spans.count == members.count + extra.count else { return false }
        return keys.withUnsafeBufferPointer { known in
            func same(_ key: UnsafeBufferPointer<UInt8>, _ prefix: UInt64, _ position: Int) -> Bool {
                prefix == prefixes[position] && key.count == spans[position].count
                    && (key.count <= 8 || sameBytes(key, UnsafeBufferPointer(rebasing: known[spans[position]])))
            }
            for (position, member) in members.enumerated()
            where !same(UnsafeBufferPointer(rebasing: page[member.key]), member.prefix, position) {
                return false
            }
            // Same count of added keys means the same positions for them (the totals are equal).
            let sameCount = extraKeys.count == extra.count
            for (offset, (key, _)) in extra.enumerated() where !sameCount || key != extraKeys[offset] {
                var key = key
                if !key.withUTF8({ same($0, KeyPrefix.of($0), members.count + offset) }) { return false }
            }
            return true
        }
    }

    /// Records the keys of this layout and sorts them: by key bytes (prefix first), then
    /// position, keeping the last of equal keys. Objects have a few dozen members:
    /// insertion sort beats the general sort here.
    private mutating func layOut(
        _ page: UnsafeBufferPointer<UInt8>, _ members: UnsafeBufferPointer<RawMember>, _ extra: [(String, RawValue)]
    ) {
        keys.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        func add<Bytes: Collection>(_ key: Bytes) where Bytes.Element == UInt8 {
            let start = keys.count
            keys.append(contentsOf: key)
            spans.append(start..<keys.count)
        }
        for member in members { add(UnsafeBufferPointer(rebasing: page[member.key])) }
        for (key, _) in extra { add(key.utf8) }
        extraKeys = extra.map(\.0)
        prefixes = spans.map { KeyPrefix.of(keys[$0]) }
        let prefixes = self.prefixes
        func order(_ a: Int, _ b: Int) -> Int {
            if prefixes[a] != prefixes[b] { return prefixes[a] < prefixes[b] ? -1 : 1 }
            let (x, y) = (keys[spans[a]], keys[spans[b]])
            if x.elementsEqual(y) { return 0 }
            return x.lexicographicallyPrecedes(y) ? -1 : 1
        }
        var sorted = Array(spans.indices)
        for i in sorted.indices.dropFirst() {
            let position = sorted[i]
            var j = i
            while j > 0, order(position, sorted[j - 1]) < 0 {
                sorted[j] = sorted[j - 1]
                j -= 1
            }
            sorted[j] = position
        }
        // Equal keys stay in position order, so the last of them is the one written.
        let written = sorted.indices.filter { $0 + 1 == sorted.count || order(sorted[$0], sorted[$0 + 1]) != 0 }
        heads.removeAll(keepingCapacity: true)
        plan = written.map { index in
            let start = heads.count
            heads.append(heads.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            if let indent {
                heads.append(UInt8(ascii: "\n"))
                heads.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * (indent + 1)))
            }
            heads.append(UInt8(ascii: "\""))
            heads.append(contentsOf: keys[spans[sorted[index]]])
            heads.append(contentsOf: indent == nil ? [UInt8(ascii: "\""), UInt8(ascii: ":")]
                                                   : [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: " ")])
            return (sorted[index], start..<heads.count)
        }
    }
}

// MARK: - Scanning

extension RawItems.Table {
    /// Keeps a parsed value; returns its index.
    fileprivate mutating func add(_ value: JSON) -> Int {
        values.append(value)
        return values.count - 1
    }
}

extension JSONParser {
    /// Scans a list page: the `items` array's objects into `members` and `slots`,
    /// validating the whole document as `JSON.parse` does (same errors, same depth limit).
    fileprivate mutating func scanPage(into table: inout RawItems.Table) throws {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            _ = try parseValue(depth: 0)
            return try expectEnd()
        }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return try expectEnd()
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try parseString()
            try expectColon()
            skipWhitespace()
            if key == "items" {
                // A later `items` replaces an earlier one, as in a parsed object.
                table = RawItems.Table()
                if index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                    try scanItems(into: &table)
                } else {
                    _ = try parseValue(depth: 1)
                }
            } else {
                _ = try parseValue(depth: 1)
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return try expectEnd() }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func expectEnd() throws {
        skipWhitespace()
        guard index == bytes.count else { throw error("trailing characters") }
    }

    private mutating func expectColon() throws {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
        index += 1
    }

    private mutating func scanItems(into table: inout RawItems.Table) throws {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "{") {
                table.slots.append(try scanObject(into: &table))
            } else {
                table.slots.append(.other(table.add(try parseValue(depth: 2))))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return }
            throw error("expected ',' or ']'")
        }
    }

    /// One item object at depth 2; an object with a key that is not plain is parsed instead.
    private mutating func scanObject(into table: inout RawItems.Table) throws -> RawItems.Slot {
        let start = index
        let first = table.members.count
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(first..<first)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            guard let key = scanPlainString() else {
                table.members.removeSubrange(first...)
                index = start
                return .other(table.add(try parseValue(depth: 2)))
            }
            try expectColon()
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end") }
            let valueStart = index
            var value = 0..<0
            switch bytes[index] {
            case UInt8(ascii: "\""):
                if scanPlainString() != nil {
                    value = valueStart..<index
                } else {
                    value = table.add(.string(try parseString()))..<Int(UInt32.max)
                }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                _ = try parseValue(depth: 3)
                value = valueStart..<index
            default:
                value = table.add(try parseValue(depth: 3))..<Int(UInt32.max)
            }
            table.members.append(RawMember(
                keyStart: UInt32(key.lowerBound + 1), keyEnd: UInt32(key.upperBound - 1),
                prefix: KeyPrefix.of(UnsafeBufferPointer(rebasing: bytes[(key.lowerBound + 1)..<(key.upperBound - 1)])),
                valueStart: UInt32(value.lowerBound), valueEnd: UInt32(value.upperBound)))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(first..<table.members.count) }
            throw error("expected ',' or '}'")
        }
    }

    /// At a `"`: a string of printable ASCII (0x20–0x7F) without escapes, skipped and
    /// returned with its quotes; nil (index unchanged) for any other string.
    private mutating func scanPlainString() -> Range<Int>? {
        let start = index
        var i = index + 1
        // Eight bytes at a time while none is special: this loop reads most of a page.
        if let base = bytes.baseAddress {
            while i + 8 <= bytes.count, !Self.hasSpecialByte(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                index = i + 1
                return start..<index
            }
            if c < 0x20 || c > 0x7F || c == UInt8(ascii: "\\") { return nil }
            i += 1
        }
        return nil
    }

    /// Whether one of the 8 bytes of `word` is `"`, `\\`, a control character (< 0x20) or
    /// not ASCII (>= 0x80) — the classic "has a zero byte" bit trick, exact for "any".
    private static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let quote = hasZero(word ^ (ones &* 0x22))
        let backslash = hasZero(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return (quote | backslash | control | (word & highs)) != 0
    }
}
