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

let participantColumns = [
    Column("personEmail"), Column("personDisplayName", truncatable: true), Column("isModerator"),
    Column("id", truncatable: true),
]

/// One line per e-mail of a bulk change: e-mail, status (added/removed/unchanged/failed), error.
let bulkResultColumns = [Column("email"), Column("status"), Column("error", truncatable: true)]

/// `participants list|add|remove|set`.
let participantsCommand = CommandSpec(
    "participants", summary: "list, add, remove and set moderators among the people of a room",
    subcommands: [
        CommandSpec(
            "list", summary: "list the people of a room (without the bot unless --include-bot)",
            arguments: [ArgumentSpec("ROOM", help: "room id or exact group-room title (default space.room)",
                                     optional: true, completion: .room)],
            options: [.includeBot],
            examples: ["spark-space participants list 'Build status'"],
            run: listParticipants),
        CommandSpec(
            "add", summary: "add people to a room",
            details: "The first argument is a ROOM unless it looks like an e-mail (x@y) or is '-'. '-' reads "
                + "e-mails from stdin, one a line. A person already in the room is 'unchanged', not an error. "
                + "Prints one line per e-mail (email, status, error) and a summary on stderr; exit non-zero when "
                + "any failed.",
            arguments: [ArgumentSpec("ROOM", help: "room id or exact group-room title (default space.room)",
                                     optional: true, completion: .room),
                        ArgumentSpec("EMAIL", help: "e-mail address, or - to read them from stdin", variadic: true)],
            options: [.moderator.with(help: "make them moderators")],
            examples: ["spark-space participants add 'Build status' bob@example.com carol@example.com",
                       "cut -f1 people.tsv | spark-space participants add --room 'Build status' -"],
            writes: true, run: addParticipants),
        CommandSpec(
            "remove", summary: "remove people from a room",
            details: "Reads the room's memberships once (one person: looks the membership up by room + e-mail) "
                + "and deletes each by id. A person not in the room is 'unchanged'. Same arguments and output as 'participants add'.",
            arguments: [ArgumentSpec("ROOM", help: "room id or exact group-room title (default space.room)",
                                     optional: true, completion: .room),
                        ArgumentSpec("EMAIL", help: "e-mail address, or - to read them from stdin", variadic: true)],
            examples: ["spark-space participants remove 'Build status' bob@example.com"],
            writes: true, run: removeParticipants),
        CommandSpec(
            "set", summary: "make room members moderators, or not",
            details: "Changes the moderator flag of people already in the room (one listing of the room's "
                + "memberships for all e-mails). Someone already so is 'unchanged'; someone not in the room "
                + "'failed' (exit 4). Same arguments and output as 'participants add'.",
            arguments: [ArgumentSpec("ROOM", help: "room id or exact group-room title (default space.room)",
                                     optional: true, completion: .room),
                        ArgumentSpec("EMAIL", help: "e-mail address, or - to read them from stdin", variadic: true)],
            options: [.moderator.with(help: "make them moderators"),
                      .noModerator],
            examples: ["spark-space participants set 'Build status' bob@example.com --moderator"],
            writes: true, run: setParticipants),
    ])

private func listParticipants(_ inv: Invocation) throws {
    let space = try inv.space
    let roomId = try space.roomId(try inv.roomReference(inv.positionals.first), as: inv.role())
    let items = try space.participants(roomId: roomId, includeBot: inv.has(.includeBot), as: inv.role())
    try inv.printList(items.json, columns: participantColumns, noun: "participants")
}

/// Splits `[ROOM] EMAIL...` (SPEC "ROOM arguments") and reads `-` from stdin.
func roomAndEmails(_ inv: Invocation) throws -> (room: String?, emails: [String]) {
    var words = inv.positionals
    var room: String?
    if let first = words.first, first != "-", !looksLikeEmail(first) {
        room = first
        words.removeFirst()
    }
    guard !words.isEmpty else { throw UsageError("missing EMAIL for '\(inv.parsed.command.path)'", command: inv.parsed.command) }
    let emails = try participantList(words, inv: inv)
    guard !emails.isEmpty else { throw UsageError("no e-mail addresses given (stdin was empty)", command: inv.parsed.command) }
    return (room, emails)
}

/// E-mails from arguments (`-`: stdin, one a line, blank lines and `#` comments skipped), checked
/// and de-duplicated (case-insensitively, first spelling kept).
func participantList(_ words: [String], inv: Invocation) throws -> [String] {
    var emails: [String] = []
    var seen = Set<String>()
    for word in words {
        var items = [word]
        if word == "-" {
            items = try inv.readStdin(for: "e-mails").split(whereSeparator: \.isNewline).map(String.init)
        }
        for item in items {
            let email = item.trimmingSpaces()
            if email.isEmpty || email.hasPrefix("#") { continue }
            guard looksLikeEmail(email) else {
                throw UsageError("'\(email)' is not an e-mail address", command: inv.parsed.command)
            }
            if seen.insert(email.lowercased()).inserted { emails.append(email) }
        }
    }
    return emails
}

private func addParticipants(_ inv: Invocation) throws {
    let (room, emails) = try roomAndEmails(inv)
    let space = try inv.space
    let reference = try inv.roomReference(room)
    _ = try space.client(inv.role())  // no token: one clear error, not one per e-mail
    let roomId = try space.roomId(reference, as: inv.role())
    let printer = BulkPrinter(inv: inv, emails: emails)
    let results = space.addParticipants(roomId: roomId, emails: emails, moderator: inv.has(.moderator),
                                        as: inv.role(), onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}

private func setParticipants(_ inv: Invocation) throws {
    let moderator = try moderatorChoice(inv)
    let (room, emails) = try roomAndEmails(inv)
    let space = try inv.space
    let role = inv.role()
    let roomId = try space.roomId(try inv.roomReference(room), as: role)
    let printer = BulkPrinter(inv: inv, emails: emails)
    let results = try space.setModerator(roomId: roomId, emails: emails, moderator: moderator, as: role,
                                         onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}

/// `--moderator` or `--no-moderator`: exactly one.
private func moderatorChoice(_ inv: Invocation) throws -> Bool {
    switch (inv.has(.moderator), inv.has(.noModerator)) {
    case (true, false): return true
    case (false, true): return false
    default: throw UsageError("give one of --moderator or --no-moderator", command: inv.parsed.command)
    }
}

private func removeParticipants(_ inv: Invocation) throws {
    let (room, emails) = try roomAndEmails(inv)
    let space = try inv.space
    let reference = try inv.roomReference(room)
    _ = try space.client(inv.role())  // no token: one clear error, not one per e-mail
    let roomId = try space.roomId(reference, as: inv.role())
    let printer = BulkPrinter(inv: inv, emails: emails)
    let results = space.removeParticipants(roomId: roomId, emails: emails, as: inv.role(), onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}

/// Prints the per-e-mail results of a bulk change while it runs: each line as soon as that e-mail
/// and the ones before it are done (input order), ndjson flushed per line, json one streamed array,
/// tsv line by line; a table waits for the whole batch so its columns align. Calls come one at a time
/// (`concurrentMap` serializes them). A closed stdout stops the printing, not the changes.
final class BulkPrinter {
    private let inv: Invocation
    private let stream: ItemStream
    private var rows: [JSON] = []
    private var failure: Error?
    /// Counted here, not told by the client: the rows come through `onResult`, which the
    /// printing needs anyway, and each row is one more done.
    private let progress: CountProgress
    private var done = 0
    /// Who was done, said on Ctrl-C.
    private let tally: DoneTally

    init(inv: Invocation, emails: [String]) {
        self.inv = inv
        stream = ItemStream(output: inv.output, columns: bulkResultColumns)
        progress = CountProgress(inv.status, noun: "people done", total: emails.count)
        tally = DoneTally(emails, console: inv.console)
    }

    func add(_ result: ParticipantResult) {
        done = tally.markDone()
        progress.update(done)
        var row: [String: JSON] = ["email": .string(result.email), "status": .string(result.status.rawValue)]
        if let error = result.error { row["error"] = .string(errorText(error)) }
        if let id = result.membership?.id { row["id"] = .string(id) }
        guard !inv.output.isTable else { return rows.append(.object(row)) }
        guard failure == nil else { return }
        do { try stream.write(CollectionOfOne(JSON.object(row))) } catch { failure = error }
    }

    /// Ends the output (the table, the json array); rethrows a write error met on the way.
    func finish() throws {
        progress.done()
        if let failure { throw failure }
        if !rows.isEmpty { try stream.write(rows) }
        try stream.finish()
    }
}

/// The summary line on stderr (`added 3, unchanged 1, failed 1`) and one error line per failed
/// e-mail; throws `PartialFailure` when any failed.
func reportBulk(_ results: [ParticipantResult], inv: Invocation) throws {
    guard !results.isEmpty else { return }
    let failures = results.filter { $0.status == .failed }
    // One e-mail that failed: its error is the one line (not a line, a summary and a count).
    if results.count == 1, let error = failures.first?.error { throw error }
    for failure in failures {
        let text = failure.error.map(errorText) ?? "failed"
        inv.warn("error: " + (text.contains(failure.email) ? text : "\(failure.email): \(text)"))
    }
    let verbs = ["remove": "removed", "set": "updated"]
    let verb = verbs[inv.parsed.command.name] ?? "added"
    let done = results.filter { $0.status == .added || $0.status == .removed || $0.status == .updated }.count
    let unchanged = results.filter { $0.status == .unchanged }.count
    let summary = "\(verb) \(done), unchanged \(unchanged), failed \(failures.count)"
    inv.noteDone(summary)
    if !failures.isEmpty {
        throw PartialFailure(code: ExitCode.combined(failures.compactMap(\.error)),
                             description: "\(failures.count) of \(results.count) e-mails failed")
    }
}
