import SparkSpace

/// Columns of `provision --dry-run`: one line per change.
let planColumns = [Column("action"), Column("target")]

/// `provision`.
let provisionCommand = CommandSpec(
    "provision", summary: "ensure the room of the settings exists, in its team, with its participants",
    details: "Reads space.room, space.team and space.participants. Creates the room (in the team; the team too "
        + "when it does not exist) and adds the missing participants; an unchanged space sends no write request. "
        + "Prints the room. An existing room without a team is moved into space.team; one in another team is "
        + "left there with a warning (Webex cannot move a room between teams). Without space.room (or "
        + "$CHAT_ROOM_TITLE) the seed's fallback title 'Collaboration space' is used, and said on stderr. "
        + "--dry-run (global) prints the plan (action, target) and writes nothing.",
    examples: ["spark-space provision -c ci.yaml --dry-run", "spark-space provision -c ci.yaml -o json"],
    writes: true,
    run: provision)

private func provision(_ inv: Invocation) throws {
    let space = try inv.space
    let role = inv.role()
    if space.settings.room == nil {
        inv.note("space.room is not set: using the seed's fallback title '\(Settings.fallbackRoomTitle)'")
    }
    let plan = try space.provisionPlan(as: role)
    for warning in plan.warnings { inv.warn("warning: \(warning)") }
    if inv.has("dry-run") {
        let steps = plan.steps.map { JSON.object(["action": .string($0.action), "target": .string($0.target)]) }
        if steps.isEmpty { inv.note("nothing to do: room '\(plan.title)' is provisioned") }
        return try inv.output.list(steps, columns: planColumns)
    }
    let outcome = try space.provision(plan, as: role)
    if outcome.createdTeam, let name = plan.teamName { inv.note("created team '\(name)'") }
    if outcome.createdRoom { inv.note("created room '\(plan.title)'") }
    if plan.steps.isEmpty { inv.note("nothing to do: room '\(plan.title)' is provisioned") }
    try inv.output.item(outcome.room, columns: roomColumns)
    try inv.out.flush()
    try reportBulk(outcome.participants, inv: inv)
}
