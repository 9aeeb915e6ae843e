import CYaml
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

/// One value of a settings file, as read: text, a list or a mapping of keys.
indirect enum SettingsNode: Equatable {
    case null
    case scalar(String)
    case list([SettingsNode])
    /// Keys in file order, each with its line (0 when unknown).
    case map([SettingsEntry])
}

struct SettingsEntry: Equatable {
    var key: String
    var value: SettingsNode
    var line: Int
}

/// Reads a settings file into `SettingsNode`s: JSON (a `.json` file) with the project's
/// JSON parser, anything else as YAML through libyaml's event API. Hostile files are
/// bounded (issue #12): size, nesting depth, no aliases (no "billion laughs"), scalar keys only.
enum SettingsFileReader {
    static let maxBytes = 1 << 20
    static let maxDepth = 64

    static func load(path: String) throws -> SettingsNode {
        var bytes = try contents(path)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if path.lowercased().hasSuffix(".json") {
            try checkDuplicates(bytes, path: path)
            do {
                return node(try JSON.parse(bytes))
            } catch {
                throw SparkError.settings("settings file \(path) is not valid JSON: \(error)")
            }
        }
        return try YAMLReader.parse(bytes, path: path)
    }

    /// Refuses a JSON file with a key twice in one object (exit 2 naming both lines).
    static func checkDuplicates(_ bytes: [UInt8], path: String) throws {
        if let duplicate = DuplicateKey.inJSON(bytes) {
            throw SparkError.settings("settings file \(path), line \(duplicate.secondLine): \(duplicate.message)")
        }
    }

    /// The file's bytes; refuses directories, unreadable files and files over `maxBytes`.
    static func contents(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SparkError.settings("cannot read settings file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = try readToEnd(fd: fd, limit: maxBytes) { .settings("cannot read settings file \(path): \($0)") }
        guard bytes.count <= maxBytes else { throw SparkError.settings("settings file \(path) is larger than 1 MB") }
        return bytes
    }

    /// JSON values as settings nodes: numbers and booleans as their text.
    static func node(_ json: JSON) -> SettingsNode {
        switch json {
        case .null: return .null
        case .bool(let b): return .scalar(String(b))
        case .int(let i): return .scalar(String(i))
        case .double(let d): return .scalar(String(d))
        case .number(let text): return .scalar(text)
        case .string(let s): return .scalar(s)
        case .array(let items): return .list(items.map(node))
        case .object(let members):
            return .map(members.keys.sorted().map { SettingsEntry(key: $0, value: node(members[$0]!), line: 0) })
        }
    }
}

/// A recursive-descent reader over libyaml's events. Recursion is bounded by `maxDepth`.
private struct YAMLReader {
    var parser: UnsafeMutablePointer<yaml_parser_t>
    let path: String

    static func parse(_ bytes: [UInt8], path: String) throws -> SettingsNode {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else { throw SparkError.settings("cannot start the YAML parser") }
        defer { yaml_parser_delete(parser) }
        return try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var reader = YAMLReader(parser: parser, path: path)
            defer { reader.discardPending() }
            return try reader.document()
        }
    }

    /// The single document of the stream; an empty stream is an empty mapping.
    mutating func document() throws -> SettingsNode {
        try expect(YAML_STREAM_START_EVENT)
        var event = try next()
        defer { yaml_event_delete(&event) }
        if event.type == YAML_STREAM_END_EVENT { return .map([]) }
        guard event.type == YAML_DOCUMENT_START_EVENT else { throw failure("unexpected content", event) }
        let root = try value(depth: 0)
        try expect(YAML_DOCUMENT_END_EVENT)
        var end = try next()
        defer { yaml_event_delete(&end) }
        guard end.type == YAML_STREAM_END_EVENT else { throw failure("more than one YAML document", end) }
        return root
    }

    /// The value that starts with the next event.
    mutating func value(depth: Int) throws -> SettingsNode {
        var event = try next()
        defer { yaml_event_delete(&event) }
        guard depth < SettingsFileReader.maxDepth else { throw failure("nesting deeper than \(SettingsFileReader.maxDepth) levels", event) }
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let isNull = scalar.style == YAML_PLAIN_SCALAR_STYLE && ["", "~", "null", "Null", "NULL"].contains(text)
            return isNull ? .null : .scalar(text)
        case YAML_SEQUENCE_START_EVENT:
            var items: [SettingsNode] = []
            while let item = try nextItem(depth: depth) { items.append(item) }
            return .list(items)
        case YAML_MAPPING_START_EVENT:
            var entries: [SettingsEntry] = []
            var lines: [String: Int] = [:]
            while let entry = try nextEntry(depth: depth) {
                if let first = lines.updateValue(entry.line, forKey: entry.key) {
                    let duplicate = DuplicateKey(key: entry.key, firstLine: first, secondLine: entry.line)
                    throw SparkError.settings("settings file \(path), line \(entry.line): \(duplicate.message)")
                }
                entries.append(entry)
            }
            return .map(entries)
        case YAML_ALIAS_EVENT:
            throw failure("aliases (*name) are not supported", event)
        default:
            throw failure("unexpected content", event)
        }
    }

    /// The next item of a sequence, nil at its end.
    private mutating func nextItem(depth: Int) throws -> SettingsNode? {
        if try peekEnd(YAML_SEQUENCE_END_EVENT) { return nil }
        return try value(depth: depth + 1)
    }

    /// The next key and value of a mapping, nil at its end. Keys must be scalars.
    private mutating func nextEntry(depth: Int) throws -> SettingsEntry? {
        var event = try next()
        defer { yaml_event_delete(&event) }
        if event.type == YAML_MAPPING_END_EVENT { return nil }
        guard event.type == YAML_SCALAR_EVENT else { throw failure("a key must be plain text, not a list or mapping", event) }
        let scalar = event.data.scalar
        let key = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
        let line = Int(event.start_mark.line) + 1
        return SettingsEntry(key: key, value: try value(depth: depth + 1), line: line)
    }

    /// libyaml has no peek: a lookahead event is kept for the next `next()`.
    private var pending: yaml_event_t?

    private mutating func peekEnd(_ type: yaml_event_type_t) throws -> Bool {
        var event = try next()
        if event.type == type {
            yaml_event_delete(&event)
            return true
        }
        pending = event
        return false
    }

    mutating func discardPending() {
        if var event = pending { yaml_event_delete(&event) }
        pending = nil
    }

    private mutating func next() throws -> yaml_event_t {
        if let event = pending {
            pending = nil
            return event
        }
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            let problem = parser.pointee.problem.map { String(cString: $0) } ?? "malformed YAML"
            let line = Int(parser.pointee.problem_mark.line) + 1
            throw SparkError.settings("settings file \(path), line \(line): not valid YAML or JSON: \(problem)")
        }
        return event
    }

    private mutating func expect(_ type: yaml_event_type_t) throws {
        var event = try next()
        defer { yaml_event_delete(&event) }
        guard event.type == type else { throw failure("unexpected content", event) }
    }

    private func failure(_ message: String, _ event: yaml_event_t) -> SparkError {
        .settings("settings file \(path), line \(Int(event.start_mark.line) + 1): \(message)")
    }
}
