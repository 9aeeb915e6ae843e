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

let roomColumns = [
    Column("id", truncatable: true), Column("title", truncatable: true), Column("type"), Column("teamId", truncatable: true),
    Column("lastActivity"),
]

/// `rooms list|get|create|rename|update|delete`.
let roomsCommand = CommandSpec(
    "rooms", summary: "list, show, create, rename, update and delete rooms",
    subcommands: [
        CommandSpec(
            "list", summary: "list rooms, most recently active first",
            options: [.roomType, .team, .limit(of: "rooms", default: 10)],
            examples: ["spark-space rooms list --limit 0 --type all", "spark-space rooms list --team 'Anchor team'"],
            run: listRooms),
        CommandSpec(
            "get", summary: "show a room by id or title, or the direct room with a person",
            arguments: [.roomOrDefault],
            options: [.person.with(help: "the direct (1:1) room with this person")],
            examples: ["spark-space rooms get 'Build status'", "spark-space rooms get --person alice@example.com"],
            run: getRoom),
        CommandSpec(
            "create", summary: "create a group room",
            details: "With --if-missing an existing group room of that title (in --team TEAM, when given) is "
                + "printed and nothing is created. A --team that does not exist is an error (exit 4) and nothing is created.",
            arguments: [ArgumentSpec(name: "TITLE", help: "the room title")],
            options: [
                .team.with(help: "create the room in this team (name or id)"),
                .participant,
                .ifMissing,
            ],
            examples: ["spark-space rooms create 'Build status' --team 'Anchor team' --participant bob@example.com",
                       "spark-space rooms create 'Build status' --if-missing"],
            writes: true, run: createRoom),
        CommandSpec(
            "rename", summary: "change a room's title",
            arguments: [.room,
                        ArgumentSpec(name: "NEW_TITLE", help: "the new title")],
            examples: ["spark-space rooms rename 'Build status' 'Build status (old)'"],
            writes: true, run: renameRoom),
        CommandSpec(
            "update", summary: "change a room's title, description, lock, announcement mode or team",
            details: "Sends the room's current title when --title is not given (Webex needs one). --team moves a "
                + "room that has no team into TEAM; a room already in another team is exit 5 (Webex cannot move "
                + "it). Nothing to change is exit 2.",
            arguments: [.room],
            options: [
                .title,
                .description,
                .lock,
                .unlock,
                .announcementOnly,
                .noAnnouncementOnly,
                .team.with(help: "move a room without a team into this team (name or id)"),
            ],
            examples: ["spark-space rooms update 'Build status' --lock --announcement-only",
                       "spark-space rooms update 'Build status' --team 'Anchor team'"],
            writes: true, run: updateRoom),
        CommandSpec(
            "delete", summary: "delete a room",
            details: "Asks for confirmation on a terminal; when stdin is not a terminal, --yes is required.",
            arguments: [.room],
            examples: ["spark-space rooms delete 'Build status (old)' --yes"],
            writes: true, destructive: .always, run: deleteRoom),
    ])

/// `rooms list [--type T] [--team TEAM] [--limit N]`.
struct ListRoomsOptions: CommandOptions {
    var type: RoomType
    var team: String?
    var limit: Int
    init(_ inv: Invocation) throws {
        type = inv.value(.roomType).flatMap(RoomType.init(rawValue:)) ?? .group
        team = inv.value(.team)
        limit = inv.int(.limit) ?? 10
    }
}

private func listRooms(_ inv: Invocation) throws {
    let options = try ListRoomsOptions(inv)
    let space = try inv.space
    let role = inv.role()
    let teamId = try options.team.map { try space.team($0, as: role).id }
    let rooms = try space.rooms(type: options.type, teamId: teamId, limit: options.limit == 0 ? nil : options.limit,
                                as: role)
    let (items, columns) = roomRows(rooms, inv: inv)
    try inv.printList(items, columns: columns, noun: "rooms", limit: options.limit)
}

/// Rooms as every command prints them (one rule, docs/decisions.md, issue 24): in a table
/// (`table`, `wide`) the team column is headed `team` and shows the team's name (its id when the
/// team cannot be read); tsv, json and ndjson keep the API's `teamId`. `--fields team` names the
/// team in every format (json: a `team` key). The teams are listed once, only when a name shows.
func roomRows(_ rooms: [Room], inv: Invocation) -> (items: [JSON], columns: [Column]) {
    let named = inv.output.fields?.contains("team") ?? false
    let tableTeam = inv.output.isTable && inv.output.fields == nil
    var items = rooms.map(\.json)
    guard named || tableTeam else { return (items, roomColumns) }
    let inTeams = rooms.contains { $0.teamId != nil }
    let teams = inTeams ? (try? inv.space.teams(as: inv.role())) : nil
    let known = Dictionary((teams ?? []).map { ($0.id, $0.name) }) { first, _ in first }
    @Sendable func name(_ item: JSON) -> String? { item["teamId"]?.string.map { known[$0] ?? $0 } }
    if named {
        items = items.map { $0.merging([("team", name($0).map(JSON.string) ?? .null)]) }
        return (items, roomColumns)
    }
    let team = Column("team", "teamId", kind: .text) { name($0) ?? "" }
    return (items, roomColumns.map { $0.key == "teamId" ? team : $0 })
}

/// One room, by the rule of `roomRows`.
func printRoom(_ room: Room, inv: Invocation) throws {
    let (items, columns) = roomRows([room], inv: inv)
    try inv.output.item(items[0], columns: columns)
}

/// `rooms get [ROOM] [--person EMAIL]`: a room, or the direct room with a person, not both.
struct GetRoomOptions: CommandOptions {
    var room: String?
    var person: String?
    init(_ inv: Invocation) throws {
        room = inv.positionals.first
        person = inv.value(.person)
        guard let email = person else { return }
        guard room == nil else { throw inv.usage("give either ROOM or --person, not both") }
        guard looksLikeEmail(email) else { throw inv.usage("--person takes an e-mail address, not '\(email)'") }
    }
}

private func getRoom(_ inv: Invocation) throws {
    let options = try GetRoomOptions(inv)
    let space = try inv.space
    let room = try options.person.map { try space.directRoom(with: $0, as: inv.role()) }
        ?? space.room(try inv.roomReference(options.room), as: inv.role())
    try printRoom(room, inv: inv)
}

/// `rooms create TITLE [--team TEAM] [--participant EMAIL]... [--if-missing]`: the title not blank,
/// the e-mails checked before any request.
struct CreateRoomOptions: CommandOptions {
    var title: String
    var team: String?
    var participants: [String]
    var ifMissing: Bool
    init(_ inv: Invocation) throws {
        title = try nonBlank(inv.positionals[0], "room title", inv)
        participants = try participantList(inv.all(.participant), inv: inv)
        team = inv.value(.team)
        ifMissing = inv.has(.ifMissing)
    }
}

private func createRoom(_ inv: Invocation) throws {
    let options = try CreateRoomOptions(inv)
    let space = try inv.space
    let role = inv.role()
    // The team first: one that does not exist is exit 4 whether or not the room does.
    let teamId = try options.team.map { try space.team($0, as: role).id }
    if options.ifMissing, let room = try existingRoom(titled: options.title, teamId: teamId, space: space, role: role) {
        inv.note("room '\(options.title)' exists already; nothing created")
        return try printRoom(room, inv: inv)
    }
    let room = try space.createRoom(title: options.title, teamId: teamId, as: role)
    inv.noteDone("created room '\(options.title)'")
    var results: [ParticipantResult] = []
    if !options.participants.isEmpty {
        results = space.addParticipants(roomId: room.id, emails: options.participants, as: role)
    }
    try printRoom(room, inv: inv)
    try inv.out.flush()
    try reportBulk(results, inv: inv)
}

/// The one group room titled `title` (`--if-missing`), in team `teamId` when one is asked for
/// (a room of that title elsewhere is not the room asked for); two are ambiguous.
private func existingRoom(titled title: String, teamId: String?, space: Space, role: TokenRole) throws -> Room? {
    let existing = try space.groupRooms(titled: title, as: role).filter { teamId == nil || $0.teamId == teamId }
    if existing.count > 1 { throw SparkError.ambiguous(kind: .roomTitled, name: title, ids: existing.map(\.id)) }
    return existing.first
}

private func renameRoom(_ inv: Invocation) throws {
    let options = try RenameOptions(inv)
    let space = try inv.space
    let id = try space.roomId(options.target, as: inv.role())
    let room = try space.renameRoom(id: id, to: options.newName, as: inv.role())
    try printRoom(room, inv: inv)
}

/// `rooms delete ROOM`.
private func deleteRoom(_ inv: Invocation) throws {
    try deleteNamed("room", inv, find: { space, room, role in
        let found = try space.room(room, as: role)
        return (found.title, found.id)
    }, delete: { space, id, role in try space.deleteRoom(id: id, as: role) })
}
