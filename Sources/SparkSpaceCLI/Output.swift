import Foundation
import SparkSpace

/// Thrown when stdout is closed (`| head`): the command ends quietly with exit 0.
struct OutputClosed: Error {}

/// A buffered writer on a file descriptor that notices a closed pipe. Thread-safe
/// (`listen` writes from worker threads).
final class FDWriter {
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
        if buffer.count >= 1 << 16 { try flush() }
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

/// A column of a table or tsv line.
struct Column {
    var header: String
    var key: String
    /// Shown in tsv and json but never truncated in a table.
    var truncatable = false
    var value: ((JSON) -> String)? = nil

    init(_ header: String, _ key: String? = nil, truncatable: Bool = false, value: ((JSON) -> String)? = nil) {
        self.header = header
        self.key = key ?? header
        self.truncatable = truncatable
        self.value = value
    }

    func text(_ item: JSON) -> String {
        if let value { return value(item) }
        return cellText(item[key])
    }
}

/// A JSON value as one table cell: strings as they are, lists joined by commas.
func cellText(_ value: JSON?) -> String {
    switch value {
    case nil, .null?: return ""
    case .string(let s)?: return s
    case .bool(let b)?: return String(b)
    case .array(let items)?: return items.map { cellText($0) }.joined(separator: ",")
    case let other?: return other.compactText
    }
}

/// Prints items in the chosen format: `table` (aligned, header, fits the
/// terminal), `tsv` (no header, never truncated), `json` (one document) or `ndjson`.
final class Output {
    let format: OutputFormat
    let out: FDWriter
    let color: Bool
    let width: Int

    init(format: OutputFormat, out: FDWriter, color: Bool, width: Int) {
        self.format = format
        self.out = out
        self.color = color
        self.width = width
    }

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
            var bytes: [UInt8] = []
            item.writePretty(into: &bytes)
            bytes.append(10)
            try out.write(bytes: bytes)
            try out.flush()
        default:
            try list([item], columns: columns)
        }
    }

    func tableLines(_ items: [JSON], columns: [Column], header: Bool) -> [String] {
        var rows = items.map { item in columns.map { sanitizeCell($0.text(item)) } }
        if header { rows.insert(columns.map(\.header), at: 0) }
        var widths = columns.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        fit(&widths, columns: columns)
        return rows.enumerated().map { index, row in
            let cells = row.enumerated().map { c, cell -> String in
                let text = truncate(cell, to: widths[c])
                return c == row.count - 1 ? text : text.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }
            let line = cells.joined(separator: "  ")
            return header && index == 0 && color ? "\u{1B}[1m\(line)\u{1B}[0m" : line
        }
    }

    /// Shrinks truncatable columns until the table fits the terminal width.
    private func fit(_ widths: inout [Int], columns: [Column]) {
        var over = widths.reduce(0, +) + 2 * max(0, widths.count - 1) - width
        for c in columns.indices where columns[c].truncatable && over > 0 {
            let cut = min(over, max(0, widths[c] - 12))
            widths[c] -= cut
            over -= cut
        }
    }

    private func truncate(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }
}

/// Tabs and newlines would break a tsv line or a table row.
func sanitizeCell(_ text: String) -> String {
    guard text.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return text }
    return String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
}

/// Items written as they come (page by page): ndjson flushes per line, json
/// streams one array, table aligns each batch, tsv writes lines.
final class ItemStream {
    let output: Output
    let columns: [Column]
    private var count = 0
    private var scratch: [UInt8] = []

    init(output: Output, columns: [Column]) {
        self.output = output
        self.columns = columns
    }

    func write<Items: Collection>(_ items: Items) throws where Items.Element == JSON {
        let out = output.out
        switch output.format {
        case .ndjson:
            for item in items {
                scratch.removeAll(keepingCapacity: true)
                item.write(into: &scratch)
                scratch.append(10)
                try out.write(bytes: scratch)
                try out.flush()
            }
        case .json:
            for item in items {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: count == 0 ? [UInt8(ascii: "["), 10, 32, 32] : [UInt8(ascii: ","), 10, 32, 32])
                item.writePretty(into: &scratch, indent: 1)
                try out.write(bytes: scratch)
                count += 1
            }
            try out.flush()
            return
        case .tsv:
            for item in items {
                try out.write(columns.map { sanitizeCell($0.text(item)) }.joined(separator: "\t") + "\n")
            }
        case .table:
            let lines = output.tableLines(Array(items), columns: columns, header: count == 0 && !items.isEmpty)
            for line in lines { try out.write(line + "\n") }
        }
        count += items.count
        try out.flush()
    }

    func finish() throws {
        if output.format == .json {
            try output.out.write(count == 0 ? "[]\n" : "\n]\n")
        }
        try output.out.flush()
    }
}

/// The terminal's width in columns (80 when unknown).
func terminalWidth(fd: Int32 = 1) -> Int {
    var size = winsize()
    if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
    return 80
}
