#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// File names of attachments (seed `name_attachment`), made safe to write.
public enum AttachmentName {
    /// The name used when the server gives none (as the seed).
    public static let fallback = "downloadable"
    /// The longest file name written, in UTF-8 bytes (most file systems allow 255).
    public static let maxBytes = 200

    /// The file name of a `Content-Disposition` header: `filename*=UTF-8''...` (RFC 6266/5987)
    /// first, then `filename=` quoted or not; nil when there is none.
    public static func parse(contentDisposition header: String?) -> String? {
        guard let header else { return nil }
        var plain: String?
        for parameter in splitParameters(header).dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces() }
            guard pair.count == 2 else { continue }
            switch pair[0].lowercased() {
            case "filename*":
                if let decoded = decodeExtended(pair[1]) { return decoded }
            case "filename":
                plain = unquote(pair[1])
            default: continue
            }
        }
        return plain
    }

    /// Splits on `;` outside quotes.
    private static func splitParameters(_ header: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for c in header {
            if escaped { current.append(c); escaped = false; continue }
            if c == "\\" && quoted { current.append(c); escaped = true; continue }
            if c == "\"" { quoted.toggle() }
            if c == ";" && !quoted { parts.append(current); current = ""; continue }
            current.append(c)
        }
        parts.append(current)
        return parts
    }

    private static func unquote(_ value: String) -> String {
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return value }
        var out = ""
        var escaped = false
        for c in value.dropFirst().dropLast() {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    /// `UTF-8''na%C3%AFve.txt` → `naïve.txt`.
    private static func decodeExtended(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let charset = parts[0].lowercased()
        guard let bytes = percentDecoded(parts[2]) else { return nil }
        switch charset {
        case "utf-8", "": return String(validating: bytes, as: UTF8.self)
        // Latin-1 bytes are the first 256 code points.
        case "iso-8859-1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default: return nil
        }
    }

    /// `caf%E9` → the bytes [0x63, 0x61, 0x66, 0xE9]; nil on a broken escape.
    private static func percentDecoded(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = [], input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard input.count >= 2, let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
            input = input.dropFirst(2)
        }
        return bytes
    }

    /// A name that is safe as one file in a directory: no path parts, no `..`,
    /// no control characters, no leading dot, bounded length; empty becomes `downloadable`.
    public static func sanitize(_ name: String?) -> String {
        guard let name else { return fallback }
        // Keep only the last path component, whichever separator the server used.
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(String.UnicodeScalarView(last.unicodeScalars.filter {
            !isControl($0) && $0 != "\u{7F}"
        }))
        cleaned = cleaned.trimmingSpaces()
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        cleaned = truncate(cleaned, maxBytes: maxBytes)
        return cleaned.isEmpty ? fallback : cleaned
    }

    /// Cuts to at most `maxBytes` UTF-8 bytes on a character boundary, keeping the extension.
    static func truncate(_ name: String, maxBytes: Int) -> String {
        guard name.utf8.count > maxBytes else { return name }
        let ext = pathExtension(name)
        let suffix = ext.isEmpty || ext.utf8.count > 16 ? "" : "." + ext
        var stem = suffix.isEmpty ? name : String(name.dropLast(suffix.count))
        while stem.utf8.count + suffix.utf8.count > maxBytes { stem.removeLast() }
        return stem + suffix
    }
}

extension Space {
    /// The file name of an attachment, from a HEAD request (seed `name_attachment`);
    /// `downloadable` when the server names none. Not yet sanitized.
    public func attachmentName(_ url: String, as role: TokenRole = .bot) throws -> String {
        try Self.checkDownloadable(url)
        let response = try client(role).send(.head, url)
        return AttachmentName.parse(contentDisposition: response.headers["Content-Disposition"])
            ?? AttachmentName.fallback
    }
}
