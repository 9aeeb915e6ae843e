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

/// Columns of the result rows of `messages delete`.
let messageResultColumns = [Column("id", truncatable: true), Column("status"), Column("error", truncatable: true)]

private let messageIdArgument = ArgumentSpec(name: "MSGID", help: "message id (as printed by post, walk-messages, listen)")

/// `messages get|edit|delete`.
let messagesCommand = CommandSpec(
    "messages", summary: "get, edit and delete single messages",
    subcommands: [
        CommandSpec(
            "get", summary: "one message, as a normalized event unless --raw",
            details: """
                The event is the message's own fields plus type, content, from_id, from_label, is_direct, \
                mentioned_ids, channel_id, stamp, parent_id for a reply, url and attachment (the first \
                file's name) when it has files, and hook "shellbot-messages" as walk-messages.
                """,
            arguments: [messageIdArgument],
            options: [.raw.with(help: "print the API object untouched")],
            examples: ["spark-space messages get Y2lzY29zcGFyazovL3VzL01FU1NBR0UvOTJkYjNi... -o json"],
            run: getMessage),
        CommandSpec(
            "edit", summary: "replace a message's text or markdown; prints the edited message",
            details: """
                PUT /messages/{id} with the message's roomId (read first). Webex lets a person edit only \
                their own messages (else exit 3), at most 10 times, and not a message with a file or card. \
                --text - / --markdown - read stdin. Empty text or text over 7439 bytes is exit 2, no request.
                """,
            arguments: [messageIdArgument],
            options: [
                .text.with(help: "the new plain text (- reads stdin)"),
                .markdown.with(help: "the new markdown (- reads stdin)"),
            ],
            examples: ["spark-space messages edit \"$ID\" --markdown '**deploy done** (green)'"],
            writes: true, run: editMessage),
        CommandSpec(
            "delete", summary: "delete messages; asks on a terminal, needs --yes otherwise",
            details: """
                One result row per id (id, status deleted or failed, error). A failed id does not stop the \
                others; the exit code is that of the failures (4: not found, 3: not allowed), 1 when they \
                differ. When stdin is not a terminal, --yes is required (exit 2, nothing deleted); an \
                answer other than yes deletes nothing and exits 1.
                """,
            arguments: [ArgumentSpec(name: "MSGID", help: "message id", variadic: true)],
            examples: ["spark-space messages delete \"$ID\" --yes"],
            writes: true, destructive: .always, run: deleteMessages),
    ])

/// `messages get|edit|delete MSGID...`: ids that are Webex ids (exit 2 before any request);
/// `edit` takes one of --text or --markdown (`-` reads stdin).
struct MessagesOptions: CommandOptions {
    var ids: [String]
    var raw = false
    var text: String?
    var markdown: String?

    init(_ inv: Invocation) throws {
        for id in inv.positionals where !isWebexId(id) { throw inv.usage("'\(id)' is not a message id") }
        ids = inv.positionals
        switch inv.parsed.command.name {
        case "get": raw = inv.has(.raw)
        case "edit": try readText(inv)
        default: break
        }
    }

    private mutating func readText(_ inv: Invocation) throws {
        text = try textOption(inv, .text)
        markdown = try textOption(inv, .markdown)
        guard (text == nil) != (markdown == nil) else { throw inv.usage("give one of --text or --markdown") }
    }
}

private func getMessage(_ inv: Invocation) throws {
    let options = try MessagesOptions(inv)
    let space = try inv.space
    let role = inv.role()
    let message = try space.message(id: options.ids[0], as: role).json
    let printed = options.raw
        ? message : Events.message(message, hook: Events.walkHook, attachment: space.attachment(of: message, as: role))
    try inv.output.item(printed, columns: messageColumns)
}

private func editMessage(_ inv: Invocation) throws {
    let options = try MessagesOptions(inv)
    let edited = try inv.space.editMessage(id: options.ids[0], text: options.text, markdown: options.markdown,
                                           as: inv.role())
    try inv.output.item(edited.json, columns: messageColumns)
}

private func deleteMessages(_ inv: Invocation) throws {
    let ids = try MessagesOptions(inv).ids
    try inv.confirm(deleting: ids.count == 1 ? "message \(ids[0])" : "\(ids.count) messages")
    let space = try inv.space
    _ = try space.client(inv.role())  // no token: one clear error, not one per id
    var rows: [JSON] = []
    var failures: [Error] = []
    let tally = DoneTally(ids, console: inv.console)
    defer { withExtendedLifetime(tally) {} }
    for id in ids {
        defer { tally.markDone() }
        do {
            try space.deleteMessage(id: id, as: inv.role())
            rows.append(["id": .string(id), "status": "deleted"])
        } catch let error as SparkError {
            if case .interrupted = error { throw error }
            // One id: its error is the command's one line (not a line, a summary and a count).
            if ids.count == 1 { throw error }
            inv.warn("error: \(id): \(errorText(error))")
            failures.append(error)
            rows.append(["id": .string(id), "status": "failed", "error": .string(errorText(error))])
        }
    }
    try inv.output.list(rows, columns: messageResultColumns)
    inv.noteDone("deleted \(ids.count - failures.count), failed \(failures.count)")
    if !failures.isEmpty {
        throw PartialFailure(code: ExitCode.combined(failures),
                             description: "\(failures.count) of \(ids.count) messages could not be deleted")
    }
}

/// The room of a command that may name a thread: ROOM (or --room) when given, else the room of
/// the thread's first message (one GET), else the default room of the settings. The callers
/// resolve ROOM/--room first (their options), so a nil `roomRef` means neither was given.
func threadRoomId(_ roomRef: String?, thread: String?, space: Space, as role: TokenRole) throws -> String {
    guard let thread, roomRef == nil else { return try space.roomId(roomRef, as: role) }
    guard let roomId = try space.message(id: thread, as: role).roomId else {
        throw SparkError.io("the API returned a message without a roomId (GET messages/\(thread))")
    }
    return roomId
}
