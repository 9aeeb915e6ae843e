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

/// Columns of a message or event (SPEC "Output"): created, personEmail, text (first line), id.
let messageColumns = [
    Column("created"), Column("personEmail"),
    Column("text", truncatable: true) { item in
        let text = item["text"]?.string ?? ""
        return text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    },
    Column("id", truncatable: true),
]

/// `walk-messages`.
let walkMessagesCommands: [CommandSpec] = [
    CommandSpec(
        "walk-messages", summary: "print a room's messages, newest first, streamed page by page",
        details: """
            Uses the audit token when one is set (a bot can list only the group-room messages
            that mention it), unless --as bot. Each page is printed as soon as it arrives and
            memory stays flat however long the history. Without --raw each message is a
            normalized event (content, from_id, from_label, is_direct, mentioned_ids, channel_id,
            stamp, url, hook "shellbot-messages"); attachment names cost one request per
            message with files, so they are resolved only with --names or --download.
            TIME is RFC 3339 (2026-11-25T10:00:00Z) or an age (30m, 2h, 7d).
            """,
        arguments: [ArgumentSpec("ROOM", help: "room id or exact title", optional: true, completion: .room)],
        options: [
            OptionSpec("limit", value: "N", help: "at most N messages (default 0 = all)"),
            OptionSpec("since", value: "TIME", help: "stop at messages older than TIME"),
            OptionSpec("before", value: "TIME|MSGID", help: "start before this time or message"),
            OptionSpec("mentions-me", help: "only messages that mention the caller (mentionedPeople=me)"),
            OptionSpec("raw", help: "print the API objects untouched"),
            OptionSpec("names", help: "resolve attachment names (one HEAD per message with files)"),
            OptionSpec("download", value: "DIR", help: "save every attachment met into DIR", completion: .directory),
            OptionSpec("force", help: "with --download, overwrite existing files"),
        ],
        examples: [
            "spark-space walk-messages 'Ops room' --limit 20",
            "spark-space walk-messages 'Ops room' --since 7d -o ndjson > history.ndjson",
            "spark-space walk-messages 'Ops room' --since 2026-11-01T00:00:00Z --download ./files",
        ],
        run: walkMessages)
]

private func walkMessages(_ inv: Invocation) throws {
    let command = inv.parsed.command
    let limit = try inv.count("limit", default: 0)
    var since: Date?
    if let text = inv.value("since") {
        guard let date = TimeSpec.parse(text) else {
            throw UsageError("--since takes RFC 3339 (2026-11-25T10:00:00Z) or an age (30m, 2h, 7d), not '\(text)'",
                             command: command)
        }
        since = date
    }
    var before: Date?
    var beforeMessage: String?
    if let text = inv.value("before") {
        if let date = TimeSpec.parse(text) {
            before = date
        } else if isWebexId(text) {
            beforeMessage = text
        } else {
            throw UsageError("--before takes a TIME (2026-11-25T10:00:00Z, 30m, 2h, 7d) or a message id, not '\(text)'",
                             command: command)
        }
    }
    let raw = inv.has("raw")
    let downloadDir = inv.value("download")
    let names = inv.has("names") || downloadDir != nil
    if raw && inv.has("names") {
        throw UsageError("--names adds to normalized events; it does not go with --raw", command: command)
    }

    let space = try inv.space
    let role = inv.role(default: space.hasAuditToken ? .audit : .bot)
    var query = MessageQuery(roomId: try space.roomId(inv.positionals.first, as: role))
    query.limit = limit
    query.since = since
    query.before = before
    query.beforeMessage = beforeMessage
    query.mentionsMe = inv.has("mentions-me")

    let stream = ItemStream(output: inv.output, columns: messageColumns)
    var printer = EventPrinter(inv: inv, space: space, role: role, stream: stream, downloadDir: downloadDir,
                               names: names, raw: raw, progress: downloadDir != nil ? ProgressMeter(inv) : nil)
    var walk = try space.walkMessages(query, as: role)
    do {
        let format = inv.output.format
        if !names {
            // The common case, and the one that meets 200,000 messages: no JSON tree per message.
            var writer = RawObjectWriter(indent: format == .json ? 1 : nil)
            let keys = messageColumns.map(\.key)
            while let page = try walk.nextRawPage() {
                if format == .ndjson || format == .json {
                    try stream.writeMessages(page, hook: raw ? nil : Events.walkHook, with: &writer)
                } else {
                    // The columns show a few of the API object's own fields: only those are parsed.
                    try stream.write((0..<page.count).map { page[$0].json(only: keys) })
                }
            }
        } else {
            while let page = try walk.nextPage() { try printer.print(page) }
        }
    } catch let SparkError.api(failure) where failure.status == 403 && role == .bot && !query.mentionsMe {
        let hint = space.hasAuditToken
            ? "a bot can list only the messages that mention it in group rooms: use --as audit, or --mentions-me"
            : "a bot can list only the messages that mention it in group rooms: set an audit token (--audit-token-file, space.audit_token), or use --mentions-me"
        throw HintedError(underlying: SparkError.api(failure), hint: hint)
    }
    try stream.finish()
    if !printer.failures.isEmpty {
        throw PartialFailure(code: ExitCode.combined(printer.failures),
                             description: "\(printer.failures.count) attachment(s) could not be saved")
    }
}

/// Prints pages of parsed messages, resolving or saving attachments on the way.
private struct EventPrinter {
    let inv: Invocation
    let space: SparkSpace
    let role: TokenRole
    let stream: ItemStream
    let downloadDir: String?
    let names: Bool
    let raw: Bool
    let progress: ProgressMeter?
    var failures: [Error] = []

    mutating func print(_ page: ArraySlice<JSON>) throws {
        if raw && downloadDir == nil { return try stream.write(page) }
        // A table aligns a page at a time; the other formats write each event as it is made.
        let batch = inv.output.format == .table
        var events: [JSON] = []
        for item in page {
            let (attachment, saved) = try attachments(of: item)
            if raw {
                if batch { events.append(item) } else { try stream.write(CollectionOfOne(item)) }
                continue
            }
            var fields = Events.messageFields(item, hook: Events.walkHook, attachment: attachment)
            if !saved.isEmpty { fields.append(("saved_paths", .array(saved))) }
            if batch { events.append(item.merging(fields)) } else { try stream.write(item, adding: fields) }
        }
        if batch { try stream.write(events) }
    }

    /// The first attachment's name (with --names or --download) and the paths saved (with --download).
    private mutating func attachments(of item: JSON) throws -> (String?, [JSON]) {
        let files = item["files"]?.strings ?? []
        guard let downloadDir else {
            return (names ? try files.first.map { try space.attachmentInfo($0, as: role).name } : nil, [])
        }
        var attachment: String?
        var saved: [JSON] = []
        for url in files {
            do {
                let file = try space.download(url, into: downloadDir, force: inv.has("force"), as: role,
                                              progress: progress?.update)
                progress?.done()
                if attachment == nil { attachment = file.name }
                saved.append(.string(file.path))
            } catch let error as SparkError {
                progress?.done()
                if case .interrupted = error { throw error }
                inv.warn("error: \(url): \(error)")
                failures.append(error)
            }
        }
        return (attachment, saved)
    }
}
