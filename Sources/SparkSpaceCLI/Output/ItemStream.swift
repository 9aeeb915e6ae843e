import SparkSpace

/// Items written as they come (page by page): every call is flushed (a page, or
/// one event when each costs a request), json streams one array, table aligns
/// each batch, tsv writes lines.
final class ItemStream {
    let output: Output
    /// The command's own columns (what `--fields` falls back on and is checked against).
    let defaults: [Column]
    /// The columns shown: `defaults`, or the `--fields`.
    let columns: [Column]
    /// Keys `--fields` may name though the first items lack them (what only some events have).
    let known: [String]
    /// Items written so far.
    private(set) var count = 0
    /// The `--fields` were checked against the first items.
    private var fieldsChecked = false
    private var scratch: [UInt8] = []

    init(output: Output, columns: [Column], known: [String] = []) {
        self.output = output
        self.defaults = columns
        self.known = known
        self.columns = output.shownColumns(columns)
    }

    /// The keys a table or tsv row needs from an API object (nil: all of them, for `--fields`
    /// that are checked against the object's keys).
    var neededKeys: [String]? { output.fields == nil ? columns.map(\.key) : nil }

    /// `--fields` are checked once, on the first items, before anything is written: a field that
    /// a later page lacks (an optional member) is an empty cell, not an error.
    private func check<Items: Collection>(_ items: Items) throws where Items.Element == JSON {
        guard output.fields != nil, !fieldsChecked, !items.isEmpty else { return }
        try output.checkFields(Array(items), columns: defaults, known: known)
        fieldsChecked = true
    }

    func write<Items: Collection>(_ items: Items) throws where Items.Element == JSON {
        let out = output.out
        try check(items)
        output.status?.clear()
        switch output.format {
        case .ndjson:
            // Flushed once per call (a page): a write per line cost more than the rest of a walk.
            for item in items {
                let item = output.picked(item, columns: defaults)
                try out.append { buffer in
                    item.write(into: &buffer)
                    buffer.append(10)
                }
            }
        case .json:
            for item in items {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: separator)
                output.picked(item, columns: defaults).writePretty(into: &scratch, indent: 1)
                try out.write(bytes: scratch)
                count += 1
            }
            try out.flush()
            return
        case .tsv:
            for item in items {
                try out.write(columns.map { sanitizeCell($0.text(item)) }.joined(separator: "\t") + "\n")
            }
        case .table, .wide:
            let lines = output.tableLines(Array(items), columns: columns, header: count == 0 && !items.isEmpty)
            for line in lines { try out.write(line + "\n") }
        }
        count += items.count
        try out.flush()
    }

    /// Writes a page of `walk-messages` straight from the page bytes: each item
    /// untouched (`hook` nil) or as a message event. ndjson and json only.
    func writeMessages(_ page: RawItems, hook: String?, with writer: inout RawObjectWriter) throws {
        // Callers with `--fields` take the parsed path (`write`): the fields pick from the object.
        let pretty = output.format == .json
        output.status?.clear()
        for index in 0..<page.count {
            try output.out.append { buffer in
                if pretty { buffer.append(contentsOf: separator) }
                writer.writeMessage(page[index], hook: hook, into: &buffer)
                if !pretty { buffer.append(10) }
            }
            count += 1
        }
        try output.out.flush()
    }

    /// Writes one event made of `item` plus `extra` members. ndjson and json merge
    /// while writing (no event object is built); table and tsv get the merged object.
    func write(_ item: JSON, adding extra: [(String, JSON)]) throws {
        guard case .object(let base) = item, output.format.isJSON,
              output.fields == nil
        else {
            return try write(CollectionOfOne(item.merging(extra)))
        }
        output.status?.clear()
        scratch.removeAll(keepingCapacity: true)
        let pretty = output.format == .json
        if pretty {
            scratch.append(contentsOf: separator)
        }
        JSON.writeObject(base, adding: extra, pretty: pretty, indent: pretty ? 1 : 0, into: &scratch)
        if !pretty { scratch.append(10) }
        try output.out.write(bytes: scratch)
        try output.out.flush()
        count += 1
    }

    /// What comes before an item of the json array.
    private var separator: [UInt8] { count == 0 ? [UInt8(ascii: "["), 10, 32, 32] : [UInt8(ascii: ","), 10, 32, 32] }

    func finish() throws {
        if output.format == .json {
            try output.out.write(count == 0 ? "[]\n" : "\n]\n")
        }
        try output.out.flush()
    }
}
