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

/// Table geometry: rows aligned under a header, fitted to the terminal's width.
extension Output {
    /// The lines of a table (or wide) of `items`: cells made safe, columns fitted, the header bold in colour.
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

/// How a table treats a column when it must fit the terminal.
enum ColumnKind: Sendable {
    /// Never cut (types, statuses, e-mails).
    case plain
    /// Text a person reads (titles, names, message text): gets the room left, cut at its end.
    case text
    /// A Webex id: every one starts alike (`Y2lzY29zcGFyazovL3…`), so a cut one keeps its end.
    case id
    /// An RFC 3339 time: an age (`3h ago`) in a table, as it is elsewhere.
    case time
}

/// A column of a table or tsv line.
struct Column: Sendable {
    var header: String
    var key: String
    var kind: ColumnKind
    var value: (@Sendable (JSON) -> String)? = nil

    /// `kind` defaults from the key: `id`/`…Id` an id, known time keys a time, else text when
    /// `truncatable` (a title, a name), plain otherwise.
    init(_ header: String, _ key: String? = nil, truncatable: Bool = false, kind: ColumnKind? = nil,
         value: (@Sendable (JSON) -> String)? = nil) {
        self.header = header
        self.key = key ?? header
        self.kind = kind ?? Self.kind(of: key ?? header, truncatable: truncatable)
        self.value = value
    }

    static func kind(of key: String, truncatable: Bool) -> ColumnKind {
        if key == "id" || key.hasSuffix("Id") { return .id }
        if ["created", "lastActivity", "lastModified", "lastSeen", "updated"].contains(key) { return .time }
        return truncatable ? .text : .plain
    }

    /// The cell as tsv shows it (untouched).
    func text(_ item: JSON) -> String {
        if let value { return value(item) }
        return cellText(item[key])
    }

    /// The cell as a table shows it: a time as an age from `now`.
    func tableText(_ item: JSON, now: Date) -> String {
        let text = self.text(item)
        guard kind == .time, let millis = RFC3339.millis(text) else { return text }
        return age(millis: millis, now: now)
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

/// `45s ago`, `12m ago`, `3h ago`, `12d ago` (a time a little ahead, from clock skew: `0s ago`;
/// further ahead: `in 2h`).
func age(millis: Int64, now: Date) -> String {
    let nowMillis = now.timeIntervalSince1970 * 1000
    guard nowMillis.isFinite, abs(nowMillis) < 1e15 else { return "?" }
    let seconds = (Int64(nowMillis) - millis) / 1000
    let amount = seconds < 0 && seconds > -60 ? 0 : abs(seconds)
    let text: String
    switch amount {
    case ..<60: text = "\(amount)s"
    case ..<3600: text = "\(amount / 60)m"
    case ..<86400: text = "\(amount / 3600)h"
    default: text = "\(amount / 86400)d"
    }
    return seconds <= -60 ? "in \(text)" : "\(text) ago"
}

/// The widths a table's columns get within `width` columns (gaps of 2 included), from their
/// natural widths: ids are cut first (they keep their unique end), then the widest text
/// first, so the text a person reads keeps what room there is. Plain and time columns stay.
func fittedWidths(_ natural: [Int], kinds: [ColumnKind], width: Int) -> [Int] {
    var widths = natural
    var over = widths.reduce(0, +) + 2 * max(0, widths.count - 1) - width
    for c in kinds.indices where kinds[c] == .id && over > 0 {
        let cut = min(over, max(0, widths[c] - idMinimum))
        widths[c] -= cut
        over -= cut
    }
    // Water-filling: one column a step off the widest text, until it fits or all are at the minimum.
    while over > 0 {
        guard let widest = kinds.indices.filter({ kinds[$0] == .text && widths[$0] > textMinimum })
            .max(by: { widths[$0] < widths[$1] })
        else { break }
        let others = kinds.indices.filter { kinds[$0] == .text && $0 != widest }.map { widths[$0] }
        // Down to the next widest; columns as wide as each other give a column each in turn.
        let next = others.contains(widths[widest])
            ? widths[widest] - 1
            : max(textMinimum, others.filter { $0 < widths[widest] }.max() ?? textMinimum)
        let cut = min(over, max(1, widths[widest] - next))
        widths[widest] -= cut
        over -= cut
    }
    return widths
}

/// An id cut to this keeps `…` and 13 characters of its end: enough to tell ids apart.
let idMinimum = 14
/// Text is not cut below this.
let textMinimum = 12

/// Tabs and line breaks would break a tsv line or a table row, and other
/// control characters (an escape sequence in a room title) would drive the terminal.
func sanitizeCell(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
}

/// C0/C1 controls and DEL, and what reorders or breaks a line without being one: bidi
/// controls (U+202E turns a line around) and U+2028/2029 — the same set as `sanitizedForTerminal`.
private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    isUnsafeOnTerminal(scalar)
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

/// `text` cut to `width` columns keeping its end, starting with `…` when cut (`…Q5ZTQ1`).
func truncatedKeepingEnd(_ text: String, to width: Int) -> String {
    guard displayWidth(text) > width else { return text }
    var kept: [Character] = [], used = 0
    for character in text.reversed() {
        let w = displayWidth(character)
        if used + w > width - 1 { break }
        kept.append(character)
        used += w
    }
    return "…" + String(kept.reversed())
}

/// `text` followed by spaces up to `width` columns.
func padded(_ text: String, to width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - displayWidth(text)))
}
