import SparkSpace

/// `rooms update ROOM [--title T] [--description D] [--lock|--unlock] [--announcement-only|...] [--team TEAM]`.
func updateRoom(_ inv: Invocation) throws {
    var changes = RoomChanges()
    if let title = inv.value(.title) { changes.title = try nonBlank(title, "title", inv) }
    changes.description = inv.value(.description)
    changes.isLocked = try choice(inv, .lock, .unlock)
    changes.isAnnouncementOnly = try choice(inv, .announcementOnly, .noAnnouncementOnly)
    let team = inv.value(.team)
    guard !changes.isEmpty || team != nil else {
        throw UsageError("nothing to change: give --title, --description, --lock/--unlock, "
            + "--announcement-only/--no-announcement-only or --team", command: inv.parsed.command)
    }
    let space = try inv.space
    let role = inv.role()
    let room = try space.room(inv.positionals[0], as: role)
    if let team { changes.teamId = try space.team(team, as: role).id }
    let updated = try space.updateRoom(room, changes, as: role)
    try printRoom(updated, inv: inv)
}

/// A pair of opposite flags: true, false, or nil when neither; both is a usage error.
func choice(_ inv: Invocation, _ yes: OptionSpec, _ no: OptionSpec) throws -> Bool? {
    switch (inv.has(yes), inv.has(no)) {
    case (true, true): throw UsageError("give --\(yes.long) or --\(no.long), not both", command: inv.parsed.command)
    case (true, false): return true
    case (false, true): return false
    case (false, false): return nil
    }
}
