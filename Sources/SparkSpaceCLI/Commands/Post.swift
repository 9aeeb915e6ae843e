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

/// `post`.
let postCommands: [CommandSpec] = [
    CommandSpec(
        "post", summary: "post a message (text, markdown and/or one file) to a room or a person",
        details: """
            ROOM is a room id or an exact group-room title (default --room, else space.room);
            --person EMAIL posts to the direct room with that person instead. --text - and
            --markdown - read stdin (trailing newlines dropped). --file takes a local path
            (uploaded, streamed from disk) or an http(s) URL that Webex fetches; one file per
            message. Limits are checked before anything is sent: text or markdown over 7439
            bytes, a missing file, a directory or a file over 100 MB is exit 2.
            A post is never retried once the request was sent: no duplicate messages.
            --reply-to MSGID posts in the thread of that message (in its room when no ROOM is
            given; a reply to a reply is refused by Webex). --mention EMAIL (repeatable) puts <@personEmail:EMAIL> at the start of the
            markdown (the text becomes the markdown when only --text is given, and stays the
            plain-text alternative). --card FILE attaches an Adaptive Card: a JSON object whose
            "type" is "AdaptiveCard", checked before sending; --text or --markdown is the fallback
            that clients without cards show, and is required. Prints the created message
            (-o json | jq -r .id keeps its id). --wait (with --card) connects Webex's websocket first,
            posts, then prints the card's first submission instead, as 'wait --card'; --within DURATION
            passed first: exit 8, nothing on stdout.
            """,
        arguments: [ArgumentSpec(name: "ROOM", help: "room id or exact title", optional: true, completion: .room)],
        options: [
            .person.with(help: "post to the direct room with this person"),
            .text,
            .markdown,
            .file,
            .replyTo,
            .mention,
            .card,
            .waitForCard,
            .within,
        ],
        examples: [
            "spark-space post 'Ops room' --text 'deploy done'",
            "spark-space post --person bob@example.com --markdown '**hello**'",
            "make test 2>&1 | tail -50 | spark-space post --text -",
            "spark-space post 'Ops room' --text 'the report' --file ./report.pdf",
            "spark-space post 'Ops room' --reply-to \"$ID\" --mention bob@example.com --text 'your turn'",
            "spark-space post 'Ops room' --card approve.json --text 'approve the deploy?' -o json | jq -r .id",
            "spark-space post 'Ops room' --card approve.json --text 'Deploy 42?' --wait --within 1h | jq -r .inputs.answer",
        ],
        writes: true, run: post)
]

/// What `post` was asked: the message checked before any request (room look-up included), so
/// nothing is sent when it is unusable (exit 2).
struct PostOptions: CommandOptions {
    var message: OutgoingMessage
    /// ROOM as given.
    var room: String?
    var person: String?
    /// `--room` was given.
    var roomOption: Bool
    /// `--wait` (with its `--within`): nil without.
    var wait: WaitOptions?
    var role: TokenRole

    init(_ inv: Invocation) throws {
        room = inv.positionals.first
        person = inv.value(.person)
        roomOption = inv.value(.room) != nil
        if person != nil && (room != nil || roomOption) {
            throw UsageError("give either ROOM or --person, not both", command: inv.parsed.command)
        }
        if let person, !person.contains("@") {
            throw UsageError("--person takes an e-mail address, not '\(person)'", command: inv.parsed.command)
        }
        let text = try textOption(inv, .text)
        let markdown = try textOption(inv, .markdown)
        let file = inv.value(.file).map(MessageFile.init)
        message = OutgoingMessage(target: .person(email: person ?? ""), text: text, markdown: markdown, file: file)
        if let parent = inv.value(.replyTo) {
            guard isWebexId(parent) else {
                throw UsageError("--reply-to takes a message id, not '\(parent)'", command: inv.parsed.command)
            }
            message.parentId = parent
        }
        message.mentions = inv.all(.mention)
        message.card = try inv.value(.card).map { try readCard($0, inv: inv) }
        try message.validate()
        try checkWaitOptions(inv, card: message.card != nil)
        wait = inv.has(.waitForCard) ? try WaitOptions(inv) : nil
        role = inv.role()
    }
}

private func post(_ inv: Invocation) throws {
    try runPost(PostOptions(inv), inv: inv)
}

private func runPost(_ options: PostOptions, inv: Invocation) throws {
    var message = options.message
    let space = try inv.space
    let role = options.role
    if options.person == nil {
        // A reply without ROOM goes to its thread's room; otherwise ROOM, --room or space.room.
        let reference = message.parentId != nil && options.room == nil && !options.roomOption
            ? nil : try inv.roomReference(options.room)
        message.target = .room(id: try threadRoomId(reference, thread: message.parentId, space: space, as: role))
    }
    let outgoing = message
    if let wait = options.wait {
        return try postAndWait(wait, inv: inv) { try space.post(outgoing, as: role) }
    }
    // An upload's bytes come as the client's `.progress` events; its line goes at the end.
    let created: Message
    do {
        created = try space.post(message, as: role)
        inv.console.transfer.done()
    } catch {
        inv.console.transfer.done()
        throw error
    }
    try inv.output.item(created.json, columns: messageColumns)
}

/// `--wait` needs `--card` and a real post; `--within` needs `--wait`.
private func checkWaitOptions(_ inv: Invocation, card: Bool) throws {
    let command = inv.parsed.command
    if inv.has(.within) && !inv.has(.waitForCard) { throw UsageError("--within goes with --wait", command: command) }
    guard inv.has(.waitForCard) else { return }
    guard card else { throw UsageError("--wait needs --card: it waits for the card's first submission", command: command) }
    if inv.dryRun { throw UsageError("--wait and --dry-run do not go together: nothing is posted to wait for", command: command) }
}

/// A text option's value; `-` reads stdin (trailing newlines dropped).
func textOption(_ inv: Invocation, _ option: OptionSpec) throws -> String? {
    guard let value = inv.value(option) else { return nil }
    guard value == "-" else { return value }
    // Room for trailing newlines; the text itself is checked against Webex's limit after.
    var text = try inv.readStdin(for: "--\(option.long)", limit: OutgoingMessage.maxTextBytes + 1024)
    while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
    return text
}

/// The card of `--card FILE|-`, parsed and checked (exit 2 when it cannot be used).
private func readCard(_ path: String, inv: Invocation) throws -> JSON {
    let bytes: [UInt8]
    if path == "-" {
        bytes = Array(try inv.readStdin(for: "--card", limit: AdaptiveCard.maxFileBytes).utf8)
    } else {
        let fd = open(path, O_RDONLY)
        var info = stat()
        guard fd >= 0, fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            // The reason: no such file, permission denied, a directory...
            let reason = fd < 0 ? String(cString: strerror(errno))
                : info.st_mode & S_IFMT == S_IFDIR ? "it is a directory" : "not a regular file"
            if fd >= 0 { close(fd) }
            throw UsageError("cannot read --card \(path): \(reason)", command: inv.parsed.command)
        }
        defer { close(fd) }
        // One byte over the cap is enough to refuse it: memory stays bounded.
        bytes = readPrefix(fd, count: AdaptiveCard.maxFileBytes + 1)
    }
    return try AdaptiveCard.parse(bytes, source: path == "-" ? "(stdin)" : path)
}

/// Up to `count` bytes from the start of `fd` (fewer at its end or on an error).
private func readPrefix(_ fd: Int32, count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { break }
        filled += n
    }
    return Array(bytes.prefix(filled))
}
