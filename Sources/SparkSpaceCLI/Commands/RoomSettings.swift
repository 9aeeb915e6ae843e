import SparkSpace

/// `rooms update ROOM [--title T] [--description D] [--lock|--unlock] [--announcement-only|...] [--team TEAM]`:
/// something to change, the opposite flags one way or the other (`Invocation.opposite`).
struct UpdateRoomOptions: CommandOptions {
    var room: String
    var changes = RoomChanges()
    /// The team to move the room into (name or id), looked up when the command runs.
    var team: String?

    init(_ inv: Invocation) throws {
        room = inv.positionals[0]
        if let title = inv.value(.title) { changes.title = try nonBlank(title, "title", inv) }
        changes.description = inv.value(.description)
        changes.isLocked = try inv.opposite(.lock, .unlock)
        changes.isAnnouncementOnly = try inv.opposite(.announcementOnly, .noAnnouncementOnly)
        team = inv.value(.team)
        guard !changes.isEmpty || team != nil else {
            throw inv.usage("nothing to change: give --title, --description, --lock/--unlock, "
                + "--announcement-only/--no-announcement-only or --team")
        }
    }
}

func updateRoom(_ inv: Invocation) throws {
    var options = try UpdateRoomOptions(inv)
    let space = try inv.space
    let role = inv.role()
    let room = try space.room(options.room, as: role)
    if let team = options.team { options.changes.teamId = try space.team(team, as: role).id }
    let updated = try space.updateRoom(room, options.changes, as: role)
    try printRoom(updated, inv: inv)
}
