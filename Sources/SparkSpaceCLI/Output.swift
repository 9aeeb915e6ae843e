import Foundation
import SparkSpace

/// Thrown when stdout is closed (`| head`): the command ends quietly with exit 0.
struct OutputClosed: Error {}

/// A buffered writer on a file descriptor that notices a closed pipe. Thread-safe
/// (`listen` writes from worker threads).
final class FDWriter: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    /// Serializes writers on several threads (`-v` logs of concurrent requests).
    private let lock = NSRecursiveLock()

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    var isTerminal: Bool { isatty(fd) == 1 }

    func write(_ text: String) throws { try write(bytes: Array(text.utf8)) }

    func write(bytes: [UInt8]) throws {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 18 { try flush() }
    }

    /// Lets `body` append to the buffer in place (no intermediate array per line).
    func append(_ body: (inout [UInt8]) -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        body(&buffer)
        if buffer.count >= 1 << 18 { try flush() }
    }

    /// Writes one diagnostic (an error, a warning, a `-v` line, a prompt) on stderr and flushes:
    /// the one way text reaches stderr, so what came from outside (API messages, titles, names,
    /// headers, URLs) is always made harmless by `sanitizedForTerminal` first.
    func writeDiagnostic(_ text: String, newline: Bool = true) {
        try? write(sanitizedForTerminal(text) + (newline ? "\n" : ""))
        try? flush()
    }

    /// Runs `body` holding the writer's lock (the status line's state lives under it).
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                buffer.removeAll(keepingCapacity: true)
                if errno == EPIPE { throw OutputClosed() }
                throw SparkError.io("cannot write output: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

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
        self.ages = ages && (format == .table || format == .wide)
        self.now = now
        self.status = status
    }

    /// Table or wide: aligned for a person.
    var isTable: Bool { format == .table || format == .wide }

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
    /// neither a key of any of `items` nor a default column.
    func checkFields(_ items: [JSON], columns: [Column]) throws {
        guard let fields, !items.isEmpty else { return }
        var keys = Set(items.flatMap { $0.object.map { Array($0.keys) } ?? [] })
        let named = Set(columns.flatMap { [$0.header, $0.key] })
        guard let unknown = fields.first(where: { !keys.contains($0) && !named.contains($0) }) else { return }
        keys.subtract(columns.map(\.header))
        let available = columns.map(\.header) + keys.sorted()
        throw UsageError("unknown field '\(unknown)' for --fields; fields: \(available.joined(separator: ", "))")
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

    // MARK: Tables

    func tableLines(_ items: [JSON], columns: [Column], header: Bool) -> [String] {
        var rows = items.map { item in
            columns.map { sanitizeCell(ages ? $0.tableText(item, now: now) : $0.text(item)) }
        }
        if header { rows.insert(columns.map(\.header), at: 0) }
        var widths = columns.indices.map { c in rows.map { displayWidth($0[c]) }.max() ?? 0 }
        if format != .wide, let width {
            widths = fittedWidths(widths, kinds: columns.map(\.kind), width: width)
        }
        return rows.enumerated().map { index, row in
            let cells = row.enumerated().map { c, cell -> String in
                let text = columns[c].kind == .id ? truncatedKeepingEnd(cell, to: widths[c])
                                                  : truncated(cell, to: widths[c])
                return c == row.count - 1 ? text : padded(text, to: widths[c])
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }  // empty last cells
            return header && index == 0 && color ? "\u{1B}[1m\(line)\u{1B}[0m" : line
        }
    }
}

/// `text` with every character that could drive a terminal or disguise a line shown as a
/// visible escape: C0 and C1 controls, DEL (`\x1b`), bidi controls U+200E/F, U+202A-202E,
/// U+2066-2069, and the line/paragraph separators U+2028/2029 (`\u202e`).
func sanitizedForTerminal(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isUnsafeOnTerminal) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
        guard isUnsafeOnTerminal(scalar) else { out.unicodeScalars.append(scalar); continue }
        let hex = String(scalar.value, radix: 16)
        out += scalar.value < 0x100 ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u" + hex
    }
    return out
}

func isUnsafeOnTerminal(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
    default: return false
    }
}

/// Items written as they come (page by page): every call is flushed (a page, or
/// one event when each costs a request), json streams one array, table aligns
/// each batch, tsv writes lines.
final class ItemStream {
    let output: Output
    /// The command's own columns (what `--fields` falls back on and is checked against).
    let defaults: [Column]
    /// The columns shown: `defaults`, or the `--fields`.
    let columns: [Column]
    /// Items written so far.
    private(set) var count = 0
    /// The `--fields` were checked against the first items.
    private var fieldsChecked = false
    private var scratch: [UInt8] = []

    init(output: Output, columns: [Column]) {
        self.output = output
        self.defaults = columns
        self.columns = output.shownColumns(columns)
    }

    /// The keys a table or tsv row needs from an API object (nil: all of them, for `--fields`
    /// that are checked against the object's keys).
    var neededKeys: [String]? { output.fields == nil ? columns.map(\.key) : nil }

    /// `--fields` are checked once, on the first items, before anything is written: a field that
    /// a later page lacks (an optional member) is an empty cell, not an error.
    private func check<Items: Collection>(_ items: Items) throws where Items.Element == JSON {
        guard output.fields != nil, !fieldsChecked, !items.isEmpty else { return }
        try output.checkFields(Array(items), columns: defaults)
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
        guard case .object(let base) = item, output.format == .ndjson || output.format == .json,
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

/// The names of `--fields a,b,c`; blanks around commas are dropped, an empty name is a usage error.
func fieldList(_ text: String) throws -> [String] {
    let names = text.split(separator: ",", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
    guard !names.contains(where: \.isEmpty) else {
        throw UsageError("--fields takes names separated by commas (id,title), not '\(text)'")
    }
    return names
}

/// The width a table may use: `COLUMNS` when set (as `ls` does), else the
/// terminal's width; nil when neither is known (a file or a pipe), so a table
/// written there is never cut.
func terminalWidth(fd: Int32 = 1, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
    if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
    var size = winsize()
    if isatty(fd) == 1, ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return isatty(fd) == 1 ? 80 : nil
}

/// Colour only on a terminal, and never with `NO_COLOR` set (https://no-color.org) or `TERM=dumb`.
func useColor(isTerminal: Bool, environment: [String: String]) -> Bool {
    guard isTerminal else { return false }
    if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
    return environment["TERM"] != "dumb"
}
