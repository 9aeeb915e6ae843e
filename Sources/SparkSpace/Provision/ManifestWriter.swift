import CYaml
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A manifest written back as a document `SpacesManifest.load` reads (the reader's counterpart):
/// the manifest's own key names, in its order; what is nil is left out.
extension SpacesManifest {
    /// The manifest as JSON (keys sorted by the project's writer, as every JSON document it prints).
    public var json: JSON {
        var top: [String: JSON] = [:]
        top["teams"] = .array(teams.map { .object(Dictionary(uniqueKeysWithValues: $0.fields.map { ($0.key, $0.value.json) })) })
        top["rooms"] = .array(rooms.map { .object(Dictionary(uniqueKeysWithValues: $0.fields.map { ($0.key, $0.value.json) })) })
        return .object(top)
    }

    /// The manifest as YAML, emitted by libyaml: any text reads back as the same string — quotes,
    /// colons, `#`, leading and trailing spaces, line breaks, unicode — and a text that a YAML 1.1
    /// reader would take for something else (`yes`, `null`, `~`, `1e3`, `2026-12-07`) is quoted.
    public func yamlText() throws -> String {
        let texts = (teams.map(\.fields) + rooms.map(\.fields)).joined().flatMap(\.value.texts)
        let emitter = try YAMLEmitter(escapingNonASCII: texts.contains(where: YAMLQuoting.disguisesText))
        try emitter.mappingStart()
        for (key, items) in [("teams", teams.map(\.fields)), ("rooms", rooms.map(\.fields))] where !items.isEmpty {
            try emitter.scalar(key)
            try emitter.sequenceStart()
            for fields in items {
                try emitter.mappingStart()
                for (name, value) in fields {
                    try emitter.scalar(name)
                    try emitter.value(value)
                }
                try emitter.end(mapping: true)
            }
            try emitter.end(mapping: false)
        }
        try emitter.end(mapping: true)
        return try emitter.finish()
    }
}

/// One value of a manifest entry.
enum ManifestValue {
    case text(String)
    case flag(Bool)
    case list([String])

    var texts: [String] {
        switch self {
        case .text(let text): return [text]
        case .flag: return []
        case .list(let items): return items
        }
    }

    var json: JSON {
        switch self {
        case .text(let text): return .string(text)
        case .flag(let flag): return .bool(flag)
        case .list(let items): return .array(items.map { .string($0) })
        }
    }
}

extension SpacesManifest.Team {
    /// The keys that are set, in `SpacesManifest.teamKeys` order.
    var fields: [(key: String, value: ManifestValue)] {
        var out: [(String, ManifestValue)] = [("name", .text(name))]
        if let description { out.append(("description", .text(description))) }
        if let members { out.append(("members", .list(members))) }
        if let moderators { out.append(("moderators", .list(moderators))) }
        return out
    }
}

extension SpacesManifest.Room {
    /// The keys that are set, in `SpacesManifest.roomKeys` order.
    var fields: [(key: String, value: ManifestValue)] {
        var out: [(String, ManifestValue)] = []
        if let id { out.append(("id", .text(id))) }
        if let title { out.append(("title", .text(title))) }
        if let team { out.append(("team", .text(team))) }
        if let description { out.append(("description", .text(description))) }
        if let locked { out.append(("locked", .flag(locked))) }
        if let announcementOnly { out.append(("announcement_only", .flag(announcementOnly))) }
        if let participants { out.append(("participants", .list(participants))) }
        if let moderators { out.append(("moderators", .list(moderators))) }
        return out
    }
}

/// libyaml's emitter, fed event by event; the text is collected in memory (a manifest is small).
private final class YAMLEmitter {
    /// Where libyaml's write handler puts the bytes.
    final class Sink {
        var bytes: [UInt8] = []
    }

    private let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
    private let sink = Sink()

    /// `escapingNonASCII`: every character beyond ASCII is written as an escape (`\u202E`), for a
    /// document holding characters that would drive or disguise a terminal, which libyaml writes as they are.
    init(escapingNonASCII: Bool) throws {
        guard yaml_emitter_initialize(emitter) == 1 else {
            emitter.deallocate()
            throw SparkError.io("cannot start the YAML emitter")
        }
        yaml_emitter_set_unicode(emitter, escapingNonASCII ? 0 : 1)
        // No folding: a 1,000-character title stays on its line.
        yaml_emitter_set_width(emitter, -1)
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_output(emitter, { data, buffer, size in
            guard let data, let buffer else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(data).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, Unmanaged.passUnretained(sink).toOpaque())
        try emit { yaml_stream_start_event_initialize(&$0, YAML_UTF8_ENCODING) }
        try emit { yaml_document_start_event_initialize(&$0, nil, nil, nil, 1) }
    }

    func mappingStart() throws {
        try emit { yaml_mapping_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
    }

    func sequenceStart() throws {
        try emit { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
    }

    func end(mapping: Bool) throws {
        try emit { mapping ? yaml_mapping_end_event_initialize(&$0) : yaml_sequence_end_event_initialize(&$0) }
    }

    func value(_ value: ManifestValue) throws {
        switch value {
        case .text(let text):
            try scalar(text)
        case .flag(let flag):
            try scalar(flag ? "true" : "false", plain: true)
        case .list(let items):
            try sequenceStart()
            for item in items { try scalar(item) }
            try end(mapping: false)
        }
    }

    /// A string scalar: plain when libyaml can write it so and no YAML reader would resolve it to
    /// another type; double-quoted otherwise. `plain`: a boolean, meant to be resolved.
    func scalar(_ text: String, plain: Bool = false) throws {
        let quoted = !plain && YAMLQuoting.resolvesToNonString(text)
        var bytes = Array(text.utf8)
        let count = Int32(clamping: bytes.count)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            try emit {
                yaml_scalar_event_initialize(&$0, nil, nil, buffer.baseAddress, count, quoted ? 0 : 1, 1,
                                             quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
            }
        }
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deallocate()
    }

    func finish() throws -> String {
        try emit { yaml_document_end_event_initialize(&$0, 1) }
        try emit { yaml_stream_end_event_initialize(&$0) }
        guard yaml_emitter_flush(emitter) == 1 else { throw failure() }
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    /// Builds one event and hands it to libyaml (which frees it, emitted or not).
    private func emit(_ build: (inout yaml_event_t) -> Int32) throws {
        var event = yaml_event_t()
        guard build(&event) == 1 else { throw SparkError.io("cannot build a YAML event") }
        guard yaml_emitter_emit(emitter, &event) == 1 else { throw failure() }
    }

    private func failure() -> SparkError {
        let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown error"
        return SparkError.io("cannot write YAML: \(problem)")
    }
}

/// Which plain texts a YAML reader would not read back as strings.
enum YAMLQuoting {
    /// YAML 1.1's null and booleans (any case: over-quoting is harmless), 1.1's merge and value keys.
    static let words: Set<String> = ["", "~", "null", "y", "n", "yes", "no", "true", "false", "on", "off", "<<", "="]

    /// True when `text` holds a C1 control, a bidi control or a line or paragraph separator: libyaml
    /// writes these as they are (C0 controls it escapes itself).
    static func disguisesText(_ text: String) -> Bool {
        text.unicodeScalars.contains {
            switch $0.value {
            case 0x80...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
            default: return false
            }
        }
    }

    /// True for a null, a boolean, a number, a date or time (YAML 1.1 and 1.2 core schemas): everything
    /// that starts like a number (a digit, a sign, a dot: `1e3`, `0x1F`, `1_000`, `+.inf`, `.nan`,
    /// `12:30`, `2026-12-07`) is quoted, which covers them all.
    static func resolvesToNonString(_ text: String) -> Bool {
        if words.contains(text.lowercased()) { return true }
        guard let first = text.unicodeScalars.first else { return true }
        return "0123456789+-.".unicodeScalars.contains(first)
    }
}
