#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SparkSpace

extension OptionSpec {
    static let attachments = OptionSpec(
        "attachments", help: "save the messages' files into each room's files/ (never overwrites; a re-run resumes)")
    static let html = OptionSpec(
        "html", help: "write static pages: an index.html per room and one listing the rooms (no script, no remote resource)")
}

/// `archive`.
let archiveCommands: [CommandSpec] = [
    CommandSpec(
        "archive", summary: "keep an incremental archive of many rooms in a directory",
        details: """
            Each room gets DIR/<slug of its title>-<last 8 characters of its id>/ (named by id: a renamed \
            room keeps its folder; room.json has its current title) with messages.ndjson, the normalized \
            events of walk-messages, oldest first. A re-run appends only the messages newer than the last \
            archived one, so a no-change run costs one request per room (plus the room listing). \
            DIR/.spark-space-archive.json records each room's position only after the appended lines are \
            synced to disk: a run killed at any point is taken up by the next one, no message twice and \
            none missing. One run at a time: a run that finds another writing DIR does nothing and exits \
            5. Rooms: the ROOMs given (id or exact title), --team TEAM (its rooms) or --all \
            (every room the token can see); --type (default group) with --team or --all. --since TIME \
            limits a room's first run. --attachments saves files into the room's files/ with the rules of \
            walk-messages --download. --html writes static pages that open from a USB stick. --parallel N \
            rooms at once (default 4), each walked page after page. Reads with the audit token when there \
            is one (a bot alone archives only the group-room messages that mention it). A room that fails \
            is named, keeps its position, and the others complete (exit 1). One line on stderr at the end: \
            rooms, new messages, files, bytes.
            """,
        arguments: [
            ArgumentSpec(name: "DIR", help: "the archive directory (made when missing)"),
            ArgumentSpec(name: "ROOM", help: "room ids or exact titles", optional: true, variadic: true, completion: .room),
        ],
        options: [
            .all.with(help: "every room the token can see (of --type, default group)"),
            .team.with(help: "the rooms of this team (name or id)"), .roomType,
            .since.with(help: "on a room's first run, only messages from TIME on (RFC 3339 or an age: 30d)"),
            .attachments, .html,
            .parallel.with(help: "rooms archived at once (1-16, default 4)"),
        ],
        examples: [
            "spark-space archive ./archive --team Platform --attachments --html",
            "spark-space archive ./archive 'Ops room' 'Release 3.1'",
            "spark-space archive /srv/webex --all --type all --since 365d --html",
        ],
        run: archive)
]

/// What `archive` was asked, read and checked before anything runs (usage errors, exit 2).
struct ArchiveCommandOptions: CommandOptions {
    var directory: String
    var selection: ArchiveSelection
    var archive = ArchiveOptions()

    init(_ inv: Invocation) throws {
        let command = inv.parsed.command
        guard let directory = inv.positionals.first, !directory.isEmpty else {
            throw UsageError("archive needs a directory: spark-space archive DIR [ROOM...] [--all] [--team TEAM]",
                             command: command)
        }
        self.directory = directory
        selection = try Self.selection(inv, rooms: Array(inv.positionals.dropFirst()))
        if let text = inv.value(.since) {
            guard let date = TimeSpec.parse(text) else {
                throw UsageError("--since takes RFC 3339 (2026-11-25T10:00:00Z) or an age (30m, 2h, 7d), not '\(text)'",
                                 command: command)
            }
            archive.since = date
        }
        archive.attachments = inv.has(.attachments)
        archive.html = inv.has(.html)
        archive.parallel = inv.int(.parallel) ?? 4
    }

    /// ROOMs, --team or --all: exactly one way of naming the rooms; --type only with a listing.
    private static func selection(_ inv: Invocation, rooms: [String]) throws -> ArchiveSelection {
        let command = inv.parsed.command
        let team = inv.value(.team)
        let all = inv.has(.all)
        let ways = [!rooms.isEmpty, team != nil, all].filter { $0 }.count
        guard ways == 1 else {
            let what = ways == 0 ? "name the rooms to archive" : "name the rooms one way only"
            throw UsageError("\(what): ROOM..., --team TEAM or --all", command: command)
        }
        let typeText = inv.value(.roomType)
        let type = typeText.flatMap(RoomType.init(rawValue:)) ?? .group
        if let team { return .team(team, type) }
        if all { return .all(type) }
        if typeText != nil {
            throw UsageError("--type chooses among listed rooms: use it with --team or --all", command: command)
        }
        return .rooms(rooms)
    }
}

private func archive(_ inv: Invocation) throws {
    var options = try ArchiveCommandOptions(inv)  // options → validate
    try runArchive(&options, inv: inv)            // → run
}

private func runArchive(_ options: inout ArchiveCommandOptions, inv: Invocation) throws {
    let space = try inv.space
    options.archive.role = inv.role(default: space.hasAuditToken ? .audit : .bot)
    options.archive.botAlone = options.archive.role == .bot && !space.hasAuditToken
    if options.archive.botAlone {
        inv.note("a bot reads only the messages that mention it in a group room: archiving those "
            + "(set an audit token to archive them all)")
    }
    let rooms = try space.archiveRooms(options.selection, as: options.archive.role)
    let status = inv.status
    let archiver = try Archiver(
        directory: options.directory, space: space, options: options.archive,
        onProgress: { progress in
            status.show("\(progress.roomsDone)/\(progress.roomsTotal) rooms, \(progress.messages) new messages")
        },
        onWarning: { [console = inv.console] text in console.warn(text) })
    let report = archiver.run(rooms)
    // At once: a library user (or an in-process run) may start the next run right away.
    archiver.close()
    status.clear()
    try finishArchive(report, inv: inv)
}

/// Names each failed room, says the one summary line, and the exit: 1 when a room failed.
private func finishArchive(_ report: ArchiveReport, inv: Invocation) throws {
    var errors: [Error] = []
    for room in report.failed {
        guard let error = room.error else { continue }
        if case SparkError.interrupted? = error as? SparkError { throw error }
        let id = room.roomId.isEmpty ? "" : " (\(room.roomId))"
        inv.warn("error: room '\(room.title)'\(id): \(errorText(error)); its archive stays where it was")
        errors.append(error)
    }
    if let error = report.indexError {
        inv.warn("error: the archive's index.html: \(errorText(error))")
    }
    let totals = report.totals
    let roomsDone = report.rooms.count - report.failed.count
    let failedText = report.failed.isEmpty ? "" : " (\(report.failed.count) failed)"
    inv.note("archived \(roomsDone) of \(report.rooms.count) rooms\(failedText): \(totals.messages) new messages, "
        + "\(totals.files) files, \(TransferProgress.bytes(totals.bytes))")
    if !errors.isEmpty {
        throw PartialFailure(code: ExitCode.failure, description: "\(errors.count) room(s) could not be archived")
    }
    if report.indexError != nil {
        throw PartialFailure(code: ExitCode.failure, description: "the archive's index.html could not be written")
    }
}
