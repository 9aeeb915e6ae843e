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

/// The members a message of the API may have (the OpenAPI's `Message`, and what Webex adds:
/// `parentId`, `updated`, `html`, `isVoiceClip`): `--fields` may name them whether or not the
/// first message printed has them (a walk prints one event at a time).
let messageFields = ["id", "roomId", "roomType", "toPersonId", "toPersonEmail", "text", "markdown", "html", "files",
                     "attachments", "personId", "personEmail", "mentionedPeople", "mentionedGroups", "created",
                     "updated", "parentId", "isVoiceClip"]

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
        arguments: [ArgumentSpec(name: "ROOM", help: "room id or exact title", optional: true, completion: .room)],
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

/// What `walk-messages` was asked, read and checked before anything runs (usage errors, exit 2).
struct WalkMessagesOptions: CommandOptions {
    /// ROOM, or nil for `--room`, `space.room` or (with --thread) the thread's room.
    var room: String?
    /// `--room` was given (a --thread walk then keeps to that room).
    var roomFlag: Bool
    var limit: Int
    /// 1 to `Space.maxParallel` (checked by the parser).
    var parallel: Int
    var since: Date?
    var before: Date?
    var beforeMessage: String?
    var raw: Bool
    /// Attachment names are resolved (--names, or --download which needs them).
    var names: Bool
    var downloadDir: String?
    var thread: String?
    var person: String?
    var mentionsMe: Bool

    init(_ inv: Invocation) throws {
        room = inv.positionals.first
        roomFlag = inv.value(.room) != nil
        limit = inv.int(.limit) ?? 0
        parallel = inv.int(.parallel) ?? 4
        raw = inv.has(.raw)
        downloadDir = inv.value(.download)
        names = inv.has(.names) || downloadDir != nil
        mentionsMe = inv.has(.mentionsMe)
        since = try inv.value(.since).map { text in
            guard let date = TimeSpec.parse(text) else {
                throw inv.usage("--since takes RFC 3339 (2026-11-25T10:00:00Z) or an age (30m, 2h, 7d), not '\(text)'")
            }
            return date
        }
        if let text = inv.value(.before) { try readBefore(text, inv) }
        // Swapped times would read as "no messages": said instead.
        if let since, let before, since >= before {
            throw inv.usage("--since (\(RFC3339.format(since))) is not earlier than --before (\(RFC3339.format(before))): "
                + "no message can be in between")
        }
        if raw && inv.has(.names) { throw inv.usage("--names adds to normalized events; it does not go with --raw") }
        thread = try inv.value(.thread).map { id in
            guard isWebexId(id) else { throw inv.usage("--thread takes a message id, not '\(id)'") }
            return id
        }
        person = inv.value(.person)
        if let person { try checkPerson(person, inv) }
    }

    /// `--before`: a TIME or a message id.
    private mutating func readBefore(_ text: String, _ inv: Invocation) throws {
        if let date = TimeSpec.parse(text) {
            before = date
        } else if isWebexId(text) {
            beforeMessage = text
        } else {
            throw inv.usage("--before takes a TIME (2026-11-25T10:00:00Z, 30m, 2h, 7d) or a message id, not '\(text)'")
        }
    }

    /// GET /messages/direct has no room, no before and no mentionedPeople.
    private func checkPerson(_ person: String, _ inv: Invocation) throws {
        guard person.contains("@") else { throw inv.usage("--person takes an e-mail address, not '\(person)'") }
        for (given, flag) in [(room ?? inv.value(.room), "ROOM"), (inv.value(.before), "--before"),
                              (mentionsMe ? "" : nil, "--mentions-me")] where given != nil {
            throw inv.usage("--person does not go with \(flag): Webex lists direct messages by person only")
        }
    }

    /// The keys a walk's event can add to the message (`Events.messageKeys`): `attachment` only
    /// with its name resolved, `saved_paths` only with --download.
    var eventKeys: [String] {
        raw ? [] : Events.messageKeys.filter { names || $0 != "attachment" } + (downloadDir != nil ? ["saved_paths"] : [])
    }
}

private func walkMessages(_ inv: Invocation) throws {
    let options = try WalkMessagesOptions(inv)
    try runWalk(options, inv: inv)
}

private func runWalk(_ options: WalkMessagesOptions, inv: Invocation) throws {
    let space = try inv.space
    let role = inv.role(default: space.hasAuditToken ? .audit : .bot)
    sayWhomItReadsAs(role, space: space, inv: inv)
    let query = try walkQuery(options, inv: inv, space: space, role: role)
    let index = try options.downloadDir.map { try DownloadIndex(directory: $0) }
    var writer = WalkWriter(inv: inv, space: space, role: role, raw: options.raw, names: options.names,
                            eventKeys: options.eventKeys, index: index)
    let walk = try space.walkMessages(query, as: role, parallel: options.parallel)
    do {
        try writer.write(walk)
    } catch {
        writer.endDocument(after: error)
        guard case SparkError.api(let failure) = error, failure.status == 403 && role == .bot && !query.mentionsMe else {
            throw error
        }
        let hint = space.hasAuditToken
            ? "a bot can list only the messages that mention it in group rooms: use --as audit, or --mentions-me"
            : "a bot can list only the messages that mention it in group rooms: set an audit token (--audit-token-file, space.audit_token), or use --mentions-me"
        throw HintedError(underlying: SparkError.api(failure), hint: hint)
    }
    try writer.finish(limit: options.limit)
}

/// The query of the walk: the room (or person), the window, the thread.
private func walkQuery(_ options: WalkMessagesOptions, inv: Invocation, space: Space,
                       role: TokenRole) throws -> MessageQuery {
    // Webex refuses a bot the whole history of a group room: such a walk asks for what it may read
    // (mentionedPeople=me), and says so. The room's type decides; a title lookup has it already.
    let botAlone = role == .bot && !space.hasAuditToken && !options.mentionsMe && options.person == nil
    var room: Room? = nil
    var query: MessageQuery
    if let person = options.person {
        query = MessageQuery(personEmail: person)
    } else {
        // --thread without ROOM or --room: the thread's own room (one GET).
        let reference = try options.thread != nil && options.room == nil && !options.roomFlag
            ? threadRoomId(nil, thread: options.thread, space: space, as: role)
            : inv.roomReference(options.room)
        do {
            room = botAlone ? try space.room(reference, as: role) : nil
            query = MessageQuery(roomId: try room?.id ?? space.roomId(reference, as: role))
        } catch {
            throw otherIdentityHint(error, reference: reference, role: role, space: space)
        }
    }
    query.parentId = options.thread
    query.limit = options.limit
    query.since = options.since
    query.before = options.before
    query.beforeMessage = options.beforeMessage
    query.mentionsMe = options.mentionsMe
    if botAlone && room?.type == .group {
        query.mentionsMe = true
        inv.note("a bot reads only the messages that mention it in a group room: walking with mentionedPeople=me "
            + "(set an audit token to read them all)")
    }
    return query
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
