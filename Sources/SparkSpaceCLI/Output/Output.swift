#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SparkSpace

/// Prints items in the chosen format: `table` (aligned, header, fits the terminal),
/// `wide` (a table never cut), `tsv` (no header, never truncated), `json` (one document)
/// or `ndjson`; `--fields` picks the columns or keys.
final class Output {
    let format: OutputFormat
    let out: FDWriter
    let color: Bool
    /// The columns a table may use; nil: no limit (not a terminal, no `COLUMNS`).
    let width: Int?
    /// `--fields`: the columns (table, wide, tsv) or keys (json, ndjson), in that order.
    let fields: [String]?
    /// Times as ages (`3h ago`) in table and wide: only when stdout is a terminal.
    let ages: Bool
    /// What table ages count from.
    let now: Date
    /// The progress line, cleared before stdout is written (both may be the same terminal).
    let status: StatusLine?

    init(format: OutputFormat, out: FDWriter, color: Bool, width: Int?, fields: [String]? = nil,
         ages: Bool = false, now: Date = Date(), status: StatusLine? = nil) {
        self.format = format
        self.out = out
        self.color = color
        self.width = width
        self.fields = fields
        self.ages = ages && format.isTable
        self.now = now
        self.status = status
    }

    /// Table or wide: aligned for a person.
    var isTable: Bool { format.isTable }

    /// A list of items (json: an array).
    func list(_ items: [JSON], columns: [Column]) throws {
        let stream = ItemStream(output: self, columns: columns)
        try stream.write(items)
        try stream.finish()
    }

    /// One item (json: an object).
    func item(_ item: JSON, columns: [Column]) throws {
        switch format {
        case .json:
            try checkFields([item], columns: columns)
            var bytes: [UInt8] = []
            picked(item, columns: columns).writePretty(into: &bytes)
            bytes.append(10)
            try out.write(bytes: bytes)
            try out.flush()
        default:
            try list([item], columns: columns)
        }
    }

    // MARK: --fields

    /// The columns shown: `defaults`, or the `--fields` in their order (a default column of
    /// that name or key keeps its look; any other field of the object is a column of its own).
    func shownColumns(_ defaults: [Column]) -> [Column] {
        guard let fields else { return defaults }
        return fields.map { name in defaults.first { $0.header == name || $0.key == name } ?? Column(name) }
    }

    /// Throws a usage error (exit 2) naming the fields there are when a `--fields` name is
    /// neither a key of any of `items`, nor a default column, nor one of `known` (keys some
    /// items have and the first ones may lack, such as an event's `url`).
    func checkFields(_ items: [JSON], columns: [Column], known: [String] = []) throws {
        guard let fields, !items.isEmpty else { return }
        var keys = Set(items.flatMap { $0.object.map { Array($0.keys) } ?? [] }).union(known)
        let named = Set(columns.flatMap { [$0.header, $0.key] })
        guard let unknown = fields.first(where: { !keys.contains($0) && !named.contains($0) }) else { return }
        keys.subtract(columns.map(\.header))
        throw unknownField(unknown, available: columns.map(\.header) + keys.sorted())
    }

    /// Throws a usage error (exit 2) naming the first `--fields` name not in `available`.
    func checkFields(available: [String]) throws {
        guard let unknown = fields?.first(where: { !available.contains($0) }) else { return }
        throw unknownField(unknown, available: available)
    }

    /// The one wording of an unknown `--fields` name, with the fields there are.
    private func unknownField(_ name: String, available: [String]) -> UsageError {
        UsageError("unknown field '\(name)' for --fields; fields: \(available.joined(separator: ", "))")
    }

    /// `item` with only the `--fields` keys (those it has); nested objects stay whole.
    func picked(_ item: JSON, columns: [Column]) -> JSON {
        guard let fields, case .object(let members) = item else { return item }
        var kept: [String: JSON] = [:]
        for name in fields {
            // A default column's header (`email`) reads its key (`emails`).
            let key = members[name] != nil ? name : columns.first { $0.header == name }?.key ?? name
            if let value = members[key] { kept[name] = value }
        }
        return .object(kept)
    }
}

/// The names of `--fields a,b,c`; blanks around commas are dropped, an empty name is a usage error.
func fieldList(_ text: String) throws -> [String] {
    let names = text.split(separator: ",", omittingEmptySubsequences: false)
        .map { $0.trimmingSpaces() }
    guard !names.contains(where: \.isEmpty) else {
        throw UsageError("--fields takes names separated by commas (id,title), not '\(text)'")
    }
    return names
}
