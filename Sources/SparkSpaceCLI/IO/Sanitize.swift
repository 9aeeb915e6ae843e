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
