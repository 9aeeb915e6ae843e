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

/// The static pages of an archive (`--html`): made only of what the archive holds, with no
/// script and no remote resource (the policy forbids both), every text and attribute escaped,
/// and links only to files of the archive, percent-encoded. They open from a USB stick.
enum ArchivePages {
    static let pageFile = "index.html"
    /// Raised whenever a page is made differently: an unchanged room's page is then made again.
    static let pageFormat = 1

    /// `folder/index.html`: the room's messages oldest first, each reply under its parent.
    /// Read from `messages.ndjson` twice (threads first, then the messages), a line at a time,
    /// and written a piece at a time. A page made from the same title and the same length of
    /// `messages.ndjson` (its head says both) is left as it is: a run without news rewrites nothing.
    static func writeRoom(folder: String, title: String) throws {
        let path = joinedPath(folder, RoomArchive.messagesFile)
        let pagePath = joinedPath(folder, pageFile)
        let pageHead = head(title: title, made: "page format \(pageFormat), \(try DurableFiles.size(path) ?? 0) bytes of messages.ndjson")
        if try startsWith(pagePath, Array(pageHead.utf8)) { return }
        let lines = try LineFile(path: path)
        var topLevel: [LineFile.Span] = []
        var replies: [String: [LineFile.Span]] = [:]
        var ids = Set<String>()
        try lines.forEach { span, line in
            let message = try JSON.parse(line)
            if let id = message["id"]?.string { ids.insert(id) }
            // A reply to a message the archive does not hold (older than --since) stands alone.
            if let parent = message["parentId"]?.string, ids.contains(parent) {
                replies[parent, default: []].append(span)
            } else {
                topLevel.append(span)
            }
        }
        let files = try? DownloadIndex(directory: joinedPath(folder, RoomArchive.filesFolder))
        try DurableFiles.replace(pagePath) { page in
            try page.write(pageHead)
            try page.write("<p class=\"nav\"><a href=\"../index.html\">All rooms</a></p>\n<h1>\(escape(title))</h1>\n")
            try page.write("<p class=\"count\">\(lines.count) messages</p>\n")
            for span in topLevel {
                let message = try JSON.parse(lines.read(span))
                try page.write("<article class=\"message\">\n" + body(message, files: files))
                let thread = message["id"]?.string.flatMap { replies[$0] } ?? []
                if !thread.isEmpty {
                    try page.write("<div class=\"replies\">\n")
                    for reply in thread {
                        try page.write("<article class=\"reply\">\n" + body(try JSON.parse(lines.read(reply)), files: files)
                            + "</article>\n")
                    }
                    try page.write("</div>\n")
                }
                try page.write("</article>\n")
            }
            try page.write("</body>\n</html>\n")
        }
    }

    /// Whether the file at `path` begins with `prefix` (false when it does not exist).
    private static func startsWith(_ path: String, _ prefix: [UInt8]) throws -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return false }
            throw DurableFiles.failure("cannot read", path)
        }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: prefix.count)
        var got = 0
        while got < prefix.count {
            let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, prefix.count - got) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            got += n
        }
        return head == prefix
    }

    /// `DIR/index.html`: every room of the archive, latest activity first.
    static func writeIndex(directory: String, positions: [String: ArchivePosition]) throws {
        let rooms = positions.sorted { a, b in
            let (x, y) = (a.value.lastCreated ?? "", b.value.lastCreated ?? "")
            return x != y ? x > y : a.key < b.key
        }
        var page = head(title: "Archive", made: nil)
        page += "<h1>Archive</h1>\n<table>\n<thead><tr><th>Room</th><th>Messages</th><th>Last activity</th></tr></thead>\n<tbody>\n"
        for (_, room) in rooms {
            let hasPage = (try? DurableFiles.size(joinedPath(joinedPath(directory, room.folder), pageFile))) != nil
            let title = escape(room.title.isEmpty ? room.folder : room.title)
            let cell = hasPage ? "<a href=\"\(percentEncoded(room.folder))/\(pageFile)\">\(title)</a>" : title
            page += "<tr><td>\(cell)</td><td>\(room.messages)</td><td>\(date(room.lastCreated))</td></tr>\n"
        }
        page += "</tbody>\n</table>\n</body>\n</html>\n"
        try DurableFiles.replace(joinedPath(directory, pageFile), with: Array(page.utf8))
    }

    /// The page's head: no script may run and nothing is fetched (Content-Security-Policy).
    /// `made` says what a room's page was made from (`generator`), so an unchanged room keeps it.
    private static func head(title: String, made: String?) -> String {
        """
        <!DOCTYPE html>
        <html>
        <head>
        <meta charset="utf-8">
        <meta name="generator" content="spark-space archive\(made.map { "; " + escape($0) } ?? "")">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <meta name="referrer" content="no-referrer">
        <title>\(escape(title))</title>
        <style>
        body { font-family: sans-serif; max-width: 60em; margin: 1em auto; padding: 0 1em; }
        article { border-top: 1px solid #ddd; padding: .4em 0; }
        .replies { margin-left: 2em; }
        .author { font-weight: bold; }
        time { color: #666; margin-left: .5em; }
        .text { white-space: pre-wrap; overflow-wrap: anywhere; }
        td, th { text-align: left; padding: .2em .8em .2em 0; }
        </style>
        </head>
        <body>

        """
    }

    /// A message: author, date, text, files.
    private static func body(_ message: JSON, files: DownloadIndex?) -> String {
        let author = message["personEmail"]?.string ?? message["personId"]?.string ?? "unknown"
        let created = message["created"]?.string
        var out = "<header><span class=\"author\">\(escape(author))</span>"
        out += "<time datetime=\"\(escape(created ?? ""))\">\(date(created))</time></header>\n"
        let text = message["text"]?.string ?? message["markdown"]?.string ?? message["content"]?.string ?? ""
        if !text.isEmpty { out += "<div class=\"text\">\(escape(text))</div>\n" }
        let urls = message["files"]?.strings ?? []
        if !urls.isEmpty {
            out += "<ul class=\"files\">\n"
            for url in urls {
                if let name = files?.saved(url), ArchiveState.isPlainName(name),
                   let directory = files?.directory, (try? DurableFiles.size(joinedPath(directory, name))) != nil {
                    out += "<li><a href=\"\(RoomArchive.filesFolder)/\(percentEncoded(name))\">\(escape(name))</a></li>\n"
                } else {
                    out += "<li>a file not in the archive</li>\n"
                }
            }
            out += "</ul>\n"
        }
        return out
    }

    /// `2026-11-25 10:00:00 UTC` from an API stamp; the text itself (escaped) when it is not one.
    static func date(_ stamp: String?) -> String {
        guard let stamp else { return "" }
        guard let millis = RFC3339.millis(stamp) else { return escape(stamp) }
        let text = RFC3339.format(Date(timeIntervalSince1970: Double(millis) / 1000))
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8)) + " UTC"
    }

    /// Text safe in an element and in a quoted attribute: `& < > " '` as references, and control
    /// characters (other than tab and line feed), which HTML does not allow, as U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// A file of lines read a line at a time, and read again by position.
final class LineFile {
    struct Span {
        var offset: Int64
        var length: Int
    }

    private let fd: Int32
    private let path: String
    private(set) var count = 0

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFiles.failure("cannot read", path) }
    }

    deinit { close(fd) }

    /// Every complete line (without its line feed), in order.
    func forEach(_ body: (Span, ArraySlice<UInt8>) throws -> Void) throws {
        var pending: [UInt8] = []
        var pendingOffset: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: Int64 = 0
        count = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DurableFiles.failure("cannot read", path)
            }
            if n == 0 { return }
            var start = 0
            for i in 0..<n where buffer[i] == UInt8(ascii: "\n") {
                pending += buffer[start..<i]
                count += 1
                try body(Span(offset: pendingOffset, length: pending.count), pending[...])
                pending.removeAll(keepingCapacity: true)
                start = i + 1
                pendingOffset = offset + Int64(start)
            }
            pending += buffer[start..<n]
            offset += Int64(n)
        }
    }

    func read(_ span: Span) throws -> [UInt8] {
        var line = [UInt8](repeating: 0, count: span.length)
        var done = 0
        while done < span.length {
            let n = line.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + done, span.length - done, off_t(span.offset) + off_t(done))
            }
            guard n > 0 else {
                if n < 0 && errno == EINTR { continue }
                throw DurableFiles.failure("cannot read", path)
            }
            done += n
        }
        return line
    }
}
