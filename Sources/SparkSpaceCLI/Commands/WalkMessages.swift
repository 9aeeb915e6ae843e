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
            --thread MSGID lists only the replies to that message (in its room when no ROOM is
            given); replies carry parent_id. --person EMAIL walks the direct messages with that
            person (GET /messages/direct: no ROOM, --before or --mentions-me with it).
            A bot without an audit token walking a group room asks only for the messages that
            mention it (mentionedPeople=me: Webex refuses it the rest) and says so on stderr.
            --download DIR never overwrites: a different file whose name is taken is saved as
            'name (1).ext'; DIR/.spark-space-downloads lists what was saved, so a re-run skips it
            and an interrupted archive resumes.
            A long history is read as --parallel N disjoint time windows at once (a round trip per
            page is what a walk waits on) and printed in order, exactly as page after page would;
            with --limit the walk is page after page.
            """,
        arguments: [ArgumentSpec("ROOM", help: "room id or exact title", optional: true, completion: .room)],
        options: [.limit, .since, .before, .mentionsMe, .thread, .person, .parallel, .raw, .names, .download],
        examples: [
            "spark-space walk-messages 'Ops room' --limit 20",
            "spark-space walk-messages 'Ops room' --since 7d -o ndjson > history.ndjson",
            "spark-space walk-messages 'Ops room' --parallel 8 -o ndjson > archive.ndjson",
            "spark-space walk-messages 'Ops room' --since 2026-11-01T00:00:00Z --download ./files",
            "spark-space walk-messages --thread \"$ID\" -o ndjson",
            "spark-space walk-messages --person bob@example.com --limit 20",
        ],
        run: walkMessages)
]

private func walkMessages(_ inv: Invocation) throws {
    let command = inv.parsed.command
    let limit = inv.int(.limit) ?? 0
    // 1 to `Space.maxParallel` (checked by the parser).
    let parallel = inv.int(.parallel) ?? 4
    var since: Date?
    if let text = inv.value(.since) {
        guard let date = TimeSpec.parse(text) else {
            throw UsageError("--since takes RFC 3339 (2026-11-25T10:00:00Z) or an age (30m, 2h, 7d), not '\(text)'",
                             command: command)
        }
        since = date
    }
    var before: Date?
    var beforeMessage: String?
    if let text = inv.value(.before) {
        if let date = TimeSpec.parse(text) {
            before = date
        } else if isWebexId(text) {
            beforeMessage = text
        } else {
            throw UsageError("--before takes a TIME (2026-11-25T10:00:00Z, 30m, 2h, 7d) or a message id, not '\(text)'",
                             command: command)
        }
    }
    let raw = inv.has(.raw)
    let downloadDir = inv.value(.download)
    let names = inv.has(.names) || downloadDir != nil
    if raw && inv.has(.names) {
        throw UsageError("--names adds to normalized events; it does not go with --raw", command: command)
    }

    let thread = try inv.value(.thread).map { id in
        guard isWebexId(id) else { throw UsageError("--thread takes a message id, not '\(id)'", command: command) }
        return id
    }
    let person = inv.value(.person)
    if let person {
        guard person.contains("@") else {
            throw UsageError("--person takes an e-mail address, not '\(person)'", command: command)
        }
        // GET /messages/direct has no room, no before and no mentionedPeople.
        for (given, flag) in [(inv.positionals.first ?? inv.value(.room), "ROOM"), (inv.value(.before), "--before"),
                              (inv.has(.mentionsMe) ? "" : nil, "--mentions-me")] where given != nil {
            throw UsageError("--person does not go with \(flag): Webex lists direct messages by person only",
                             command: command)
        }
    }

    let space = try inv.space
    let role = inv.role(default: space.hasAuditToken ? .audit : .bot)
    // Webex refuses a bot the whole history of a group room: such a walk asks for what it may read
    // (mentionedPeople=me), and says so. The room's type decides; a title lookup has it already.
    let botAlone = role == .bot && !space.hasAuditToken && !inv.has(.mentionsMe) && person == nil
    sayWhomItReadsAs(role, space: space, inv: inv)
    var room: Room? = nil
    var query: MessageQuery
    if let person {
        query = MessageQuery(personEmail: person)
    } else {
        // --thread without ROOM or --room: the thread's own room (one GET).
        let reference = try thread != nil && inv.positionals.first == nil && inv.value(.room) == nil
            ? threadRoomId(nil, thread: thread, inv: inv, space: space, as: role)
            : inv.roomReference(inv.positionals.first)
        do {
            room = botAlone ? try space.room(reference, as: role) : nil
            query = MessageQuery(roomId: try room?.id ?? space.roomId(reference, as: role))
        } catch {
            throw otherIdentityHint(error, reference: reference, role: role, space: space)
        }
    }
    query.parentId = thread
    query.limit = limit
    query.since = since
    query.before = before
    query.beforeMessage = beforeMessage
    query.mentionsMe = inv.has(.mentionsMe)
    if botAlone && room?.type == "group" {
        query.mentionsMe = true
        inv.note("a bot reads only the messages that mention it in a group room: walking with mentionedPeople=me "
            + "(set an audit token to read them all)")
    }

    let eventKeys = raw ? [] : walkEventKeys(names: names, download: downloadDir != nil)
    let stream = ItemStream(output: inv.output, columns: messageColumns, known: eventKeys)
    let index = try downloadDir.map { try DownloadIndex(directory: $0) }
    var printer = EventPrinter(inv: inv, space: space, role: role, stream: stream, index: index,
                               names: names, raw: raw, progress: index != nil ? inv.console.transfer : nil)
    var walk = try space.walkMessages(query, as: role, parallel: parallel)
    // Counted here, not told by the client: the count is of the messages printed (after
    // `--limit`, `--since`), which only the printing loop knows.
    let counter = CountProgress(inv.status, noun: "messages")
    do {
        let format = inv.output.format
        let streamsJSON = format == .ndjson || format == .json
        // The fast path writes table and tsv rows from the API objects: a key only events have
        // (from_label, stamp) needs the events made.
        let fieldsOfEvents = inv.output.fields?.contains(where: eventKeys.contains) ?? false
        if !names && !(streamsJSON && inv.output.fields != nil) && !fieldsOfEvents {
            // The common case, and the one that meets 200,000 messages: no JSON tree per message.
            var writer = RawObjectWriter(indent: format == .json ? 1 : nil)
            let keys = stream.neededKeys
            while let page = try walk.nextRawPage() {
                if streamsJSON {
                    try stream.writeMessages(page, hook: raw ? nil : Events.walkHook, with: &writer)
                } else {
                    // The columns show a few of the API object's own fields: only those are parsed.
                    try stream.write((0..<page.count).map { index in
                        keys.map { page[index].json(only: $0) } ?? page[index].json
                    })
                }
                counter.update(stream.count)
            }
        } else {
            while let page = try walk.nextPage() {
                try printer.print(page)
                counter.update(stream.count)
            }
        }
    } catch let SparkError.api(failure) where failure.status == 403 && role == .bot && !query.mentionsMe {
        let hint = space.hasAuditToken
            ? "a bot can list only the messages that mention it in group rooms: use --as audit, or --mentions-me"
            : "a bot can list only the messages that mention it in group rooms: set an audit token (--audit-token-file, space.audit_token), or use --mentions-me"
        throw HintedError(underlying: SparkError.api(failure), hint: hint)
    }
    try stream.finish()
    inv.status.clear()
    inv.listEnd(count: stream.count, noun: "messages", limit: limit)
    if !printer.failures.isEmpty {
        throw PartialFailure(code: ExitCode.combined(printer.failures),
                             description: "\(printer.failures.count) attachment(s) could not be saved")
    }
}

/// The keys a walk's event can add to the message (`Events.messageKeys`): `attachment` only
/// with its name resolved, `saved_paths` only with --download.
private func walkEventKeys(names: Bool, download: Bool) -> [String] {
    Events.messageKeys.filter { names || $0 != "attachment" } + (download ? ["saved_paths"] : [])
}

/// Prints pages of parsed messages, resolving or saving attachments on the way.
private struct EventPrinter {
    let inv: Invocation
    let space: Space
    let role: TokenRole
    let stream: ItemStream
    /// The archive of `--download DIR`.
    let index: DownloadIndex?
    let names: Bool
    let raw: Bool
    /// The transfer line the client's `.progress` events draw; ended after each download.
    let progress: TransferProgress?
    var failures: [Error] = []

    mutating func print(_ page: ArraySlice<JSON>) throws {
        if raw && index == nil { return try stream.write(page) }
        // A table aligns a page at a time; the other formats write each event as it is made.
        let batch = inv.output.isTable
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
        guard let index else {
            return (names ? try files.first.map { try space.attachmentInfo($0, as: role).name } : nil, [])
        }
        var attachment: String?
        var saved: [JSON] = []
        for url in files {
            do {
                let file = try space.archive(url, into: index.directory, index: index, as: role)
                progress?.done()
                if attachment == nil { attachment = file.name }
                saved.append(.string(file.path))
            } catch let error as SparkError {
                progress?.done()
                if case .interrupted = error { throw error }
                inv.warn("error: \(url): \(errorText(error))")
                failures.append(error)
            }
        }
        return (attachment, saved)
    }
}

/// Once, on a terminal, when both tokens are set: whom the walk reads as (the two identities
/// see different rooms and different 1:1 rooms).
private func sayWhomItReadsAs(_ role: TokenRole, space: Space, inv: Invocation) {
    guard space.hasAuditToken && inv.status.enabled else { return }
    let other: TokenRole = role == .bot ? .audit : .bot
    inv.note("reading as \(role.rawValue) (token from \(space.tokenOrigin(role))); --as \(other.rawValue) "
        + "reads as the \(other == .bot ? "bot" : "audit person")")
}

/// A room the reading identity cannot find: when the other identity can, the error says so and
/// names `--as` (SPEC: walk-messages reads as the audit person when an audit token is set).
private func otherIdentityHint(_ error: Error, reference: String, role: TokenRole, space: Space) -> Error {
    let notFound: Bool
    switch error as? SparkError {
    case .notFound?: notFound = true
    case .api(let failure)?: notFound = failure.status == 404 || failure.status == 403
    default: notFound = false
    }
    let other: TokenRole = role == .bot ? .audit : .bot
    guard notFound, other == .bot || space.hasAuditToken, (try? space.client(other)) != nil,
          (try? space.roomId(reference, as: other)) != nil
    else { return error }
    let reader = role == .bot ? "the bot" : "the audit person"
    return HintedError(underlying: error, hint: "\(reader) cannot see that room, but the \(other == .bot ? "bot" : "audit person") "
        + "can: use --as \(other.rawValue)")
}
