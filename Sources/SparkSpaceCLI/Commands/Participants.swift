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

/// `participants list|add|remove|set`.
let participantsCommand = CommandSpec(
    "participants", summary: "list, add, remove and set moderators among the people of a room",
    subcommands: [
        CommandSpec(
            "list", summary: "list the people of a room (without the bot unless --include-bot)",
            arguments: [.roomOrDefault],
            options: [.includeBot],
            examples: ["spark-space participants list 'Build status'"],
            run: listParticipants),
        .emailsCommand(
            "add", in: .roomOrDefault, summary: "add people to a room",
            details: "The first argument is a ROOM unless it looks like an e-mail (x@y) or is '-'. '-' reads "
                + "e-mails from stdin, one a line. A person already in the room is 'unchanged', not an error. "
                + "Prints one line per e-mail (email, status, error) and a summary on stderr; exit non-zero when "
                + "any failed.",
            options: [.moderator.with(help: "make them moderators")],
            examples: ["spark-space participants add 'Build status' bob@example.com carol@example.com",
                       "cut -f1 people.tsv | spark-space participants add --room 'Build status' -"],
            run: addParticipants),
        .emailsCommand(
            "remove", in: .roomOrDefault, summary: "remove people from a room",
            details: "Reads the room's memberships once (one person: looks the membership up by room + e-mail) "
                + "and deletes each by id. A person not in the room is 'unchanged'. Same arguments and output as 'participants add'.",
            examples: ["spark-space participants remove 'Build status' bob@example.com"],
            run: removeParticipants),
        .emailsCommand(
            "set", in: .roomOrDefault, summary: "make room members moderators, or not",
            details: "Changes the moderator flag of people already in the room (one listing of the room's "
                + "memberships for all e-mails). Someone already so is 'unchanged'; someone not in the room "
                + "'failed' (exit 4). Same arguments and output as 'participants add'.",
            options: [.moderator.with(help: "make them moderators"),
                      .noModerator],
            examples: ["spark-space participants set 'Build status' bob@example.com --moderator"],
            run: setParticipants),
    ])

/// `participants list [ROOM] [--include-bot]`.
struct ListParticipantsOptions: CommandOptions {
    var room: String?
    var includeBot: Bool
    init(_ inv: Invocation) throws {
        room = inv.positionals.first
        includeBot = inv.has(.includeBot)
    }
}

private func listParticipants(_ inv: Invocation) throws {
    let options = try ListParticipantsOptions(inv)
    let space = try inv.space
    let roomId = try space.roomId(try inv.roomReference(options.room), as: inv.role())
    let items = try space.participants(roomId: roomId, includeBot: options.includeBot, as: inv.role())
    try inv.printList(items.json, columns: membershipColumns, noun: "participants")
}

/// `participants add|remove|set [ROOM] EMAIL...`: the e-mails checked (and `-` read) before any
/// request; `set` needs one of `--moderator`/`--no-moderator`, `add` may make moderators.
struct ParticipantsOptions: CommandOptions {
    var room: String?
    var emails: [String]
    /// `add --moderator`, `set --moderator` (true) or `--no-moderator` (false); nil: not asked.
    var moderator: Bool?

    init(_ inv: Invocation) throws {
        switch inv.parsed.command.name {
        case "set": moderator = try inv.oneOf(.moderator, .noModerator)
        case "add": moderator = inv.has(.moderator)
        default: moderator = nil
        }
        (room, emails) = try roomAndEmails(inv)
    }
}

/// The room of a bulk change, and a token checked first: no token is one clear error, not one per e-mail.
private func bulkRoomId(_ options: ParticipantsOptions, inv: Invocation) throws -> String {
    let space = try inv.space
    let reference = try inv.roomReference(options.room)
    _ = try space.client(inv.role())
    return try space.roomId(reference, as: inv.role())
}

private func addParticipants(_ inv: Invocation) throws {
    let options = try ParticipantsOptions(inv)
    let roomId = try bulkRoomId(options, inv: inv)
    let printer = BulkPrinter(inv: inv, emails: options.emails)
    let results = try inv.space.addParticipants(roomId: roomId, emails: options.emails,
                                                moderator: options.moderator ?? false, as: inv.role(),
                                                onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}

private func setParticipants(_ inv: Invocation) throws {
    let options = try ParticipantsOptions(inv)
    let space = try inv.space
    let role = inv.role()
    let roomId = try space.roomId(try inv.roomReference(options.room), as: role)
    let printer = BulkPrinter(inv: inv, emails: options.emails)
    let results = try space.setModerator(roomId: roomId, emails: options.emails, moderator: options.moderator ?? false,
                                         as: role, onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}

private func removeParticipants(_ inv: Invocation) throws {
    let options = try ParticipantsOptions(inv)
    let roomId = try bulkRoomId(options, inv: inv)
    let printer = BulkPrinter(inv: inv, emails: options.emails)
    let results = try inv.space.removeParticipants(roomId: roomId, emails: options.emails, as: inv.role(),
                                                   onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}
