/// Output formats of `-o`. What a format is (a table, JSON) is asked here, never by comparing names.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, wide, tsv, json, ndjson

    /// `table` or `wide`: aligned columns for people, a batch at a time.
    public var isTable: Bool { self == .table || self == .wide }

    /// `json` or `ndjson`: objects, not columns.
    public var isJSON: Bool { self == .json || self == .ndjson }
}
