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
import SparkSpace

/// Thrown when stdout is closed (`| head`): the command ends quietly with exit 0.
struct OutputClosed: Error {}

/// A buffered writer on a file descriptor that notices a closed pipe. Thread-safe
/// (`listen` writes from worker threads).
final class FDWriter {
    let fd: Int32
    private var buffer: [UInt8] = []
    /// Serializes writers on several threads (`-v` logs of concurrent requests).
    private let lock = ThreadLock(recursive: true)

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

    func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { writeBytes(fd, $0.baseAddress! + offset, $0.count - offset) }
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
struct Column: Sendable {
    var header: String
    var key: String
    /// Cut with `…` when a table is wider than the terminal (titles, names);
    /// tsv and json always show it whole.
    var truncatable = false
    var value: (@Sendable (JSON) -> String)? = nil

    init(_ header: String, _ key: String? = nil, truncatable: Bool = false, value: (@Sendable (JSON) -> String)? = nil) {
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
    /// The columns a table may use; nil: no limit (not a terminal, no `COLUMNS`).
    let width: Int?

    init(format: OutputFormat, out: FDWriter, color: Bool, width: Int?) {
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
        var widths = columns.indices.map { c in rows.map { displayWidth($0[c]) }.max() ?? 0 }
        fit(&widths, columns: columns)
        return rows.enumerated().map { index, row in
            let cells = row.enumerated().map { c, cell -> String in
                let text = truncated(cell, to: widths[c])
                return c == row.count - 1 ? text : padded(text, to: widths[c])
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }  // empty last cells
            return header && index == 0 && color ? "\u{1B}[1m\(line)\u{1B}[0m" : line
        }
    }

    /// Shrinks truncatable columns (to no less than 12) until the table fits the width.
    private func fit(_ widths: inout [Int], columns: [Column]) {
        guard let width else { return }
        var over = widths.reduce(0, +) + 2 * max(0, widths.count - 1) - width
        for c in columns.indices where columns[c].truncatable && over > 0 {
            let cut = min(over, max(0, widths[c] - 12))
            widths[c] -= cut
            over -= cut
        }
    }
}

/// Tabs and line breaks would break a tsv line or a table row, and other
/// control characters (an escape sequence in a room title) would drive the terminal.
func sanitizeCell(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
}

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}

/// Columns `text` takes on a terminal: 2 for wide (CJK, emoji) characters,
/// 0 for combining marks, else 1.
func displayWidth(_ text: String) -> Int {
    text.reduce(0) { $0 + displayWidth($1) }
}

func displayWidth(_ character: Character) -> Int {
    let scalars = character.unicodeScalars
    guard let first = scalars.first else { return 0 }
    if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark {
        return 0
    }
    // U+FE0F asks for the emoji (wide) form of a text character such as ☀.
    if isWide(first) || first.properties.isEmojiPresentation || scalars.contains("\u{FE0F}") { return 2 }
    return 1
}

/// East Asian Wide and Fullwidth blocks.
private func isWide(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
         0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
         0xFFE0...0xFFE6, 0x20000...0x3FFFD:
        return true
    default:
        return false
    }
}

/// `text` cut to `width` columns, ending in `…` when cut.
func truncated(_ text: String, to width: Int) -> String {
    guard displayWidth(text) > width else { return text }
    var result = "", used = 0
    for character in text {
        let w = displayWidth(character)
        if used + w > width - 1 { break }
        result.append(character)
        used += w
    }
    return result + "…"
}

/// `text` followed by spaces up to `width` columns.
func padded(_ text: String, to width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - displayWidth(text)))
}

/// Items written as they come (page by page): every call is flushed (a page, or
/// one event when each costs a request), json streams one array, table aligns
/// each batch, tsv writes lines.
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
            // Flushed once per call (a page): a write per line cost more than the rest of a walk.
            for item in items {
                try out.append { buffer in
                    item.write(into: &buffer)
                    buffer.append(10)
                }
            }
        case .json:
            for item in items {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: separator)
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

    /// Writes a page of `walk-messages` straight from the page bytes: each item
    /// untouched (`hook` nil) or as a message event. ndjson and json only.
    func writeMessages(_ page: RawItems, hook: String?, with writer: inout RawObjectWriter) throws {
        let pretty = output.format == .json
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
        guard case .object(let base) = item, output.format == .ndjson || output.format == .json else {
            return try write(CollectionOfOne(item.merging(extra)))
        }
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
