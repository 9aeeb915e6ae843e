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

// MARK: Posting (seed `post_message`)

/// Where a message goes: a room, or the direct room with a person.
public enum MessageTarget: Equatable, Sendable {
    case room(id: String)
    case person(email: String)
}

/// The file of a message: a local file uploaded as multipart, or a URL Webex fetches.
public enum MessageFile: Equatable, Sendable {
    case local(path: String)
    case url(String)

    /// A `--file` value: `http(s)://...` is a URL, anything else a local path.
    public init(_ value: String) {
        let lower = value.lowercased()
        self = lower.hasPrefix("http://") || lower.hasPrefix("https://") ? .url(value) : .local(path: value)
    }
}

/// A message to post. `validate()` checks the API's limits locally, so that
/// nothing is sent when the API would refuse it.
public struct OutgoingMessage: Equatable, Sendable {
    /// The longest `text` or `markdown`, in UTF-8 bytes.
    public static let maxTextBytes = 7439
    /// The largest file upload, in bytes (100 MB).
    public static let maxFileBytes: Int64 = 100 * 1024 * 1024

    /// Where the message goes: a room, a person, or a thread's room.
    public var target: MessageTarget
    /// The plain text (also the fallback of markdown and cards).
    public var text: String?
    /// The markdown, rendered by clients that can.
    public var markdown: String?
    /// A file to attach: a local path or a URL.
    public var file: MessageFile?
    /// The message this one replies to (`parentId`): it goes into that message's thread.
    public var parentId: String?
    /// E-mails of people mentioned at the start of the markdown.
    public var mentions: [String] = []
    /// An Adaptive Card (see `AdaptiveCard.check`); `text` or `markdown` is its fallback.
    public var card: JSON?

    /// A message to `target`; `validate()` checks it before any request.
    public init(target: MessageTarget, text: String? = nil, markdown: String? = nil, file: MessageFile? = nil) {
        self.target = target
        self.text = text
        self.markdown = markdown
        self.file = file
    }

    /// The markdown sent: the mentions (`<@personEmail:E>`, Webex's mention markup), then the
    /// markdown, else the text. Nil without mentions and markdown.
    public var sentMarkdown: String? {
        guard !mentions.isEmpty else { return markdown }
        let tags = mentions.map { "<@personEmail:\($0)>" }.joined(separator: " ")
        let words = markdown ?? text ?? ""
        return words.isEmpty ? tags : tags + " " + words
    }

    /// Throws `textTooLong` when the text or the markdown is over `maxTextBytes` of UTF-8.
    static func checkLength(text: String?, markdown: String?) throws {
        for (part, value) in [(MessagePart.text, text), (.markdown, markdown)] {
            if let value, value.utf8.count > maxTextBytes {
                throw SparkError.textTooLong(part: part, length: value.utf8.count, limit: maxTextBytes)
            }
        }
    }

    /// Throws `invalidMessage` (or `textTooLong`) for an empty message, text or markdown over 7439
    /// bytes, a local file that is missing, unreadable, not a regular file, or over 100 MB, a mention
    /// that is not an e-mail, a card that is not an Adaptive Card or has no fallback text.
    public func validate() throws {
        let hasWords = !(text ?? "").isEmpty || !(markdown ?? "").isEmpty
        if let card {
            try AdaptiveCard.check(card)
            guard hasWords else {
                throw SparkError.invalidMessage(.cardNeedsFallback)
            }
            if file != nil { throw SparkError.invalidMessage(.cardWithFile) }
        }
        guard hasWords || !mentions.isEmpty || file != nil else {
            throw SparkError.invalidMessage(.nothingToPost(textGiven: text != nil || markdown != nil))
        }
        for email in mentions where !AdaptiveCard.isMentionable(email) {
            throw SparkError.invalidMessage(.notAnEmail(email))
        }
        // An empty message is a mistake (an empty pipe, an unset variable), not something to post.
        for (part, value) in [(MessagePart.text, text), (.markdown, markdown)] {
            if let value, value.allSatisfy(\.isWhitespace) { throw SparkError.invalidMessage(.empty(part)) }
        }
        try Self.checkLength(text: text, markdown: sentMarkdown)
        if case .local(let path) = file {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw SparkError.invalidMessage(.fileUnusable(path: path, reason: String(cString: strerror(errno))))
            }
            if (info.st_mode & S_IFMT) == S_IFDIR { throw SparkError.invalidMessage(.fileIsDirectory(path: path)) }
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw SparkError.invalidMessage(.fileNotRegular(path: path)) }
            guard Int64(info.st_size) <= Self.maxFileBytes else {
                throw SparkError.invalidMessage(.fileTooLarge(path: path, size: Int64(info.st_size),
                                                              limit: Int64(Self.maxFileBytes)))
            }
            guard access(path, R_OK) == 0 else {
                throw SparkError.invalidMessage(.fileUnreadable(path: path, reason: String(cString: strerror(errno))))
            }
        }
    }

    /// The request body: JSON, or multipart when a local file is uploaded (streamed from disk).
    public var body: HTTPBody {
        var fields: [(String, String)] = []
        switch target {
        case .room(let id): fields.append(("roomId", id))
        case .person(let email): fields.append(("toPersonEmail", email))
        }
        if let text, !text.isEmpty { fields.append(("text", text)) }
        if let markdown = sentMarkdown, !markdown.isEmpty { fields.append(("markdown", markdown)) }
        if let parentId { fields.append(("parentId", parentId)) }
        switch file {
        case .local(let path)?:
            var parts = fields.map { MultipartPart.field(name: $0.0, value: $0.1) }
            let name = lastPathComponent(path)
            parts.append(.file(name: "files", path: path, fileName: name, contentType: MIMEType.of(fileName: name)))
            return .multipart(parts)
        case .url(let url)?:
            var object = Dictionary(uniqueKeysWithValues: fields.map { ($0.0, JSON.string($0.1)) })
            object["files"] = .array([.string(url)])
            return .json(WebexClient.bytes(.object(object)))
        case nil:
            var object = Dictionary(uniqueKeysWithValues: fields.map { ($0.0, JSON.string($0.1)) })
            if let card { object["attachments"] = .array([AdaptiveCard.attachment(card)]) }
            return .json(WebexClient.bytes(.object(object)))
        }
    }
}

/// Content types of common file extensions, for uploads.
public enum MIMEType {
    static let table: [String: String] = [
        "txt": "text/plain", "text": "text/plain", "log": "text/plain", "md": "text/markdown",
        "csv": "text/csv", "tsv": "text/tab-separated-values", "html": "text/html", "htm": "text/html",
        "css": "text/css", "xml": "application/xml", "json": "application/json", "yaml": "application/yaml",
        "yml": "application/yaml", "js": "text/javascript", "pdf": "application/pdf",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "bmp": "image/bmp", "svg": "image/svg+xml", "webp": "image/webp", "tif": "image/tiff", "tiff": "image/tiff",
        "ico": "image/vnd.microsoft.icon", "heic": "image/heic",
        "mp3": "audio/mpeg", "wav": "audio/wav", "ogg": "audio/ogg", "m4a": "audio/mp4",
        "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "avi": "video/x-msvideo",
        "zip": "application/zip", "gz": "application/gzip", "tgz": "application/gzip", "tar": "application/x-tar",
        "bz2": "application/x-bzip2", "xz": "application/x-xz", "7z": "application/x-7z-compressed",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt": "application/vnd.ms-powerpoint",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation", "rtf": "application/rtf",
    ]

    /// The content type for a file name's extension; `application/octet-stream` when unknown.
    public static func of(fileName: String) -> String {
        let ext = pathExtension(fileName).lowercased()
        return table[ext] ?? "application/octet-stream"
    }
}

extension Space {
    /// Posts a message (seed `post_message`) after validating it locally; returns the created message.
    /// A POST is never retried once the request was sent (no duplicate messages).
    /// The bytes of a file upload go to the observer as `.progress` events named after the file.
    @discardableResult
    public func post(_ message: OutgoingMessage, as role: TokenRole = .bot) throws -> Message {
        try message.validate()
        let client = try client(role)
        var progress: ProgressHandler?
        if case .local(let path)? = message.file {
            let name = lastPathComponent(path)
            progress = client.progressReporter { name }
        }
        let started = Date()
        return try createOrLookUp("message") {
            try Message(json: client.decode(client.send(.post, "messages", body: message.body, progress: progress)).json)
        } lookUp: {
            try postedMessage(message, since: started, as: role)
        }
    }
}

// MARK: Walking history (seed `walk_messages`)

/// Which messages of a room to walk, newest first.
public struct MessageQuery: Equatable, Sendable {
    /// The room whose messages are listed (empty for the direct messages with `personEmail`).
    public var roomId: String
    /// The most messages to return; 0 = all.
    public var limit: Int = 0
    /// Stop at the first message older than this.
    public var since: Date?
    /// Only messages before this time (`before`).
    public var before: Date?
    /// Only messages before this message (`beforeMessage`).
    public var beforeMessage: String?
    /// Only messages that mention the caller (`mentionedPeople=me`; a bot's only way in group rooms).
    public var mentionsMe = false
    /// Only the replies to this message (`parentId`).
    public var parentId: String?
    /// The direct (1:1) messages with this person instead of a room's (`GET /messages/direct`,
    /// which takes no `roomId`, `max`, `before` or `mentionedPeople`).
    public var personEmail: String?

    /// The messages of a room, newest first.
    public init(roomId: String) { self.roomId = roomId }

    /// Direct messages with a person (see `personEmail`).
    public init(personEmail: String) {
        self.roomId = ""
        self.personEmail = personEmail
    }

    /// The list endpoint.
    public var path: String { personEmail == nil ? "messages" : "messages/direct" }

    /// The page size: the largest the endpoint allows (1000; 100 with `mentionedPeople`), or the limit when smaller.
    public var pageSize: Int {
        let cap = mentionsMe ? 100 : Space.maxPage
        return limit > 0 ? min(limit, cap) : cap
    }

    /// The query of the first request.
    public var queryItems: [(String, String)] {
        if let personEmail { return [("personEmail", personEmail)] + (parentId.map { [("parentId", $0)] } ?? []) }
        var items = [("roomId", roomId), ("max", String(pageSize))]
        if let parentId { items.append(("parentId", parentId)) }
        if mentionsMe { items.append(("mentionedPeople", "me")) }
        if let before { items.append(("before", RFC3339.format(before))) }
        if let beforeMessage { items.append(("beforeMessage", beforeMessage)) }
        return items
    }
}

/// Messages of a room, page after page, newest first; holds one page at a time.
/// Stops at `limit`, and at the first message older than `since` without fetching further pages.
public struct MessageWalk {
    private var pages: PageIterator
    private let limit: Int
    private let sinceMillis: Int64?
    private var done = false
    /// Messages returned so far.
    public private(set) var count = 0

    init(pages: PageIterator, query: MessageQuery) {
        self.pages = pages
        if query.limit > 0 { self.pages.limit = query.limit }
        self.limit = query.limit
        self.sinceMillis = query.since.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    /// The next page of messages (never empty); nil at the end.
    public mutating func nextPage() throws -> ArraySlice<JSON>? {
        guard !done, let page = try pages.nextPage() else { return nil }
        let kept = keep(page.count) { index in
            page[page.startIndex + index]["created"]?.string.flatMap(RFC3339.millis)
        }
        return kept > 0 ? page.prefix(kept) : nil
    }

    /// The next page of messages as the API sent it (never empty; see `RawItems`); nil at the end.
    public mutating func nextRawPage() throws -> RawItems? {
        guard !done, var page = try pages.nextRawPage() else { return nil }
        page.keepFirst(keep(page.count) { page[$0].createdMillis })
        return page.count > 0 ? page : nil
    }

    /// How many of a page's `count` messages to return: up to the limit, and up to
    /// the first older than `since` (by `createdMillis` of an index); then the walk is done.
    private mutating func keep(_ count: Int, createdMillis: (Int) -> Int64?) -> Int {
        var kept = count
        if limit > 0, self.count + count >= limit {
            kept = limit - self.count
            done = true
        }
        if let sinceMillis, let older = (0..<kept).first(where: { (createdMillis($0) ?? .max) < sinceMillis }) {
            kept = older
            done = true
        }
        self.count += kept
        if !done { pages.prefetchNext() }  // the next page will be wanted: fetch it meanwhile
        return kept
    }
}

extension Space {
    /// Walks a room's messages newest first (seed `walk_messages`), lazily, page by page.
    public func walkMessages(_ query: MessageQuery, as role: TokenRole = .bot) throws -> MessageWalk {
        MessageWalk(pages: try client(role).list(query.path, query: query.queryItems), query: query)
    }
}
