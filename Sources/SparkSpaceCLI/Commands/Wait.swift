#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SparkSpace

/// `wait`.
let waitCommands: [CommandSpec] = [
    CommandSpec(
        "wait", summary: "block until a card is submitted or a thread gets a reply, and print that event",
        details: """
            Needs no public URL: events come over Webex's websocket (as 'listen --websocket'). \
            --card MSGID waits for the first submission of that message's card; --reply-to MSGID for the \
            first reply in its thread, looking first at the replies already there (REST), so a reply that \
            came before the socket is not missed. Only people other than the identity in use count; --from \
            (repeatable) keeps only those people, --match keeps only a reply whose text matches REGEX. \
            Prints the event (card or message) as JSON and exits 0; when --within passes first: exit 8 and \
            nothing on stdout. The device is deleted in every case.
            """,
        options: [.waitCard, .replyTo.with(help: "wait for the first reply in this message's thread"),
                  .from, .match, .within],
        examples: [
            "spark-space wait --reply-to \"$id\" --from lead@example.com --match '^(ok|go)\\b' --within 30m",
            "spark-space wait --card \"$id\" --within 1h | jq -r .inputs.answer",
        ],
        run: wait)
]

/// What `wait` (and `post --wait`) was asked, read and checked before anything runs (exit 2).
struct WaitOptions: CommandOptions {
    enum Target { case card(String), reply(String) }
    var target: Target?
    var from: [String]
    var match: Regex<AnyRegexOutput>?
    var within: Double?
    var withinText: String?

    init(_ inv: Invocation) throws {
        let command = inv.parsed.command
        let isWait = command.name == "wait"
        if isWait {
            let card = inv.value(.waitCard), reply = inv.value(.replyTo)
            switch (card, reply) {
            case (let card?, nil): target = .card(try Self.messageId(card, "--card", command))
            case (nil, let reply?): target = .reply(try Self.messageId(reply, "--reply-to", command))
            case (nil, nil): throw UsageError("wait needs --card MSGID or --reply-to MSGID", command: command)
            default: throw UsageError("give --card or --reply-to, not both", command: command)
            }
            from = inv.all(.from).map { $0.lowercased() }
            if let pattern = inv.value(.match) {
                guard case .reply = target else { throw UsageError("--match goes with --reply-to", command: command) }
                do { match = try Regex(pattern) } catch {
                    throw UsageError("--match is not a regular expression: \(printable(pattern))", command: command)
                }
            }
        } else {
            from = []
        }
        if let text = inv.value(.within) {
            guard let seconds = parseWithin(text) else {
                throw UsageError("--within takes a duration such as 90s, 30m, 2h (at most 30d), not '\(printable(text))'",
                                 command: command)
            }
            within = seconds
            withinText = text
        }
        if let bad = from.first(where: { !$0.contains("@") }) {
            throw UsageError("--from takes an e-mail address, not '\(printable(bad))'", command: command)
        }
    }

    private static func messageId(_ text: String, _ flag: String, _ command: CommandSpec) throws -> String {
        guard isWebexId(text) else { throw UsageError("\(flag) takes a message id, not '\(printable(text))'", command: command) }
        return text
    }
}

private func wait(_ inv: Invocation) throws {
    let options = try WaitOptions(inv)
    try runWait(options, inv: inv)
}

private func runWait(_ options: WaitOptions, inv: Invocation) throws {
    let socket = try EventSocket(inv: inv, includeSelf: false)
    let waiter = Awaited(options: options, socket: socket, inv: inv)
    try waiter.resolveFrom()
    try socket.start { waiter.consider($0) }
    guard try socket.waitReady(deadline: waiter.deadline, within: options.withinText ?? "") else {
        return try socket.finish()
    }
    do {
        // After the socket is up: a reply that comes now is seen by one or the other.
        if case .reply(let id) = options.target, let earlier = try waiter.lookBack(parent: id) {
            waiter.take(earlier)
            socket.stop.set()
        }
    } catch {
        socket.stop.set()
        try? socket.finish()
        throw error
    }
    try waiter.finish()
}

/// `post --card ... --wait`: the socket is up before the post, so no submission can be missed;
/// then waits as `wait --card` for the new message.
/// `options`: read with the post's own (its `--within` checked before any request).
func postAndWait(_ options: WaitOptions, inv: Invocation, post: () throws -> Message) throws {
    var options = options
    let socket = try EventSocket(inv: inv, includeSelf: false)
    let waiter = Awaited(options: options, socket: socket, inv: inv)
    try socket.start { waiter.consider($0) }
    guard try socket.waitReady(deadline: waiter.deadline, within: options.withinText ?? "") else {
        return try socket.finish()
    }
    do {
        let created = try post()
        options.target = .card(created.id)
        inv.note("posted \(created.id); waiting for the card to be submitted")
        // A submission can come before the post's answer does: it was kept, and is looked at now.
        if waiter.awaitTarget(.card(created.id)) { socket.stop.set() }
    } catch {
        socket.stop.set()
        try? socket.finish()
        throw error
    }
    try waiter.finish()
}

/// Matches events against what `wait` waits for, and ends the wait.
final class Awaited: @unchecked Sendable {
    private let options: WaitOptions
    private let socket: EventSocket
    private let inv: Invocation
    private let lock = ThreadLock()
    private var found: JSON?
    private var fromIds: Set<String> = []
    private var awaited: WaitOptions.Target?
    /// Card events seen before the target was known (`post --wait` before its post answered).
    private var early: [JSON] = []
    private static let earlyLimit = 1000
    /// What is awaited (`post --wait` knows it once the message is posted).
    var target: WaitOptions.Target? { lock.withLock { awaited } }

    /// When `--within` passes: counted from the start, the connection included.
    let deadline: Date?

    init(options: WaitOptions, socket: EventSocket, inv: Invocation) {
        self.options = options
        self.deadline = options.within.map { Date().addingTimeInterval($0) }
        self.awaited = options.target
        self.socket = socket
        self.inv = inv
    }

    /// Resolves `--from` for a card wait (a submission names its person by id only).
    func resolveFrom() throws {
        guard case .card = options.target else { return }
        for email in options.from { fromIds.insert(try socket.space.person(email, as: inv.role()).id) }
    }

    /// True (stop) for the awaited event. Before the target is known, a card event is kept.
    func consider(_ event: JSON) -> Bool {
        let targetUnknown = lock.withLock { () -> Bool in
            guard awaited == nil else { return false }
            if early.count < Self.earlyLimit, event["type"]?.string == "card" { early.append(event) }
            return true
        }
        guard !targetUnknown, wanted(event) else { return false }
        take(event)
        return true
    }

    /// Sets what is awaited; true when a card event that came before already answers it. An
    /// event after this is seen by `consider` with the target: none falls between the two.
    func awaitTarget(_ target: WaitOptions.Target) -> Bool {
        let seen = lock.withLock { () -> [JSON] in
            awaited = target
            defer { early = [] }
            return early
        }
        guard let event = seen.first(where: wanted) else { return false }
        take(event)
        return true
    }

    func take(_ event: JSON) {
        lock.withLock { if found == nil { found = event } }
    }

    private func wanted(_ event: JSON) -> Bool {
        switch target {
        case .card(let id)?:
            guard event["type"]?.string == "card", event["message_id"]?.string == id else { return false }
            guard event["actor_id"]?.string != socket.context.selfId else { return false }
            return fromIds.isEmpty || fromIds.contains(event["actor_id"]?.string ?? "")
        case .reply(let id)?:
            guard event["type"]?.string == "message", event["parent_id"]?.string == id else { return false }
            return isAnswer(event)
        case nil:
            return false
        }
    }

    /// A reply by someone else (among `--from`) whose text matches `--match`.
    private func isAnswer(_ message: JSON) -> Bool {
        guard message["personId"]?.string != socket.context.selfId else { return false }
        if !options.from.isEmpty && !options.from.contains((message["personEmail"]?.string ?? "").lowercased()) {
            return false
        }
        guard let match = options.match else { return true }
        let text = message["text"]?.string ?? message["markdown"]?.string ?? ""
        return (try? match.firstMatch(in: text)) != nil
    }

    /// The first reply already in the thread of `parent` that answers, over REST. A bot may list
    /// only the messages that mention it in a group room (Webex's 403): then those, said on stderr.
    func lookBack(parent: String) throws -> JSON? {
        let space = socket.space
        let role = inv.role()
        guard let roomId = try space.message(id: parent, as: role).roomId else { return nil }
        var query = MessageQuery(roomId: roomId)
        query.parentId = parent
        do {
            return try earliestAnswer(query, role: role)
        } catch SparkError.api(let failure) where failure.status == 403 && role == .bot {
            inv.note("a bot can look back only at the replies that mention it (Webex); new replies come over the socket")
            query.mentionsMe = true
            return try earliestAnswer(query, role: role)
        }
    }

    private func earliestAnswer(_ query: MessageQuery, role: TokenRole) throws -> JSON? {
        var walk = try socket.space.walkMessages(query, as: role)
        var earliest: JSON?
        while let page = try walk.nextPage() {
            // Newest first: the last answer met is the first one given.
            for item in page {
                let event = Events.message(item, hook: Events.websocketHook)
                if isAnswer(event) { earliest = event }
            }
        }
        return earliest
    }

    /// Waits for the event or `--within`, ends the session (the device is deleted), prints.
    func finish() throws {
        let late = socket.wait(until: deadline)
        try socket.finish()
        guard let event = lock.withLock({ found }) else {
            if late { throw WithinPassed(duration: options.withinText ?? "") }
            return
        }
        try EventLines(output: inv.output).print(event)
    }
}
