import SparkSpace

let teamColumns = [Column("id", truncatable: true), Column("name", truncatable: true), Column("created")]

/// `teams list|get|create|rename|delete|members`.
let teamsCommand = CommandSpec(
    "teams", summary: "list, show, create, rename and delete teams, and manage their members",
    subcommands: [
        CommandSpec(
            "list", summary: "list the teams the bot belongs to",
            options: [.limit(of: "teams")],
            examples: ["spark-space teams list"],
            run: listTeams),
        CommandSpec(
            "get", summary: "show a team by name or id",
            arguments: [.team],
            examples: ["spark-space teams get 'Anchor team' -o json"],
            run: getTeam),
        CommandSpec(
            "create", summary: "create a team (Webex also creates its general room)",
            details: "With --if-missing an existing team of that name is printed and nothing is created "
                + "(two of that name: exit 5). Without it a second team of the same name is created (Webex allows it).",
            arguments: [ArgumentSpec(name: "NAME", help: "the team name")],
            options: [.description.with(help: "the team's description"),
                      .ifMissing.with(help: "print the team of that name if there is one; create it only if not")],
            examples: ["spark-space teams create 'Platform' --description 'Platform engineering'",
                       "spark-space teams create 'Platform' --if-missing"],
            writes: true, run: createTeam),
        CommandSpec(
            "rename", summary: "change a team's name",
            arguments: [.team, ArgumentSpec(name: "NEW_NAME", help: "the new name")],
            examples: ["spark-space teams rename 'Platform' 'Platform (old)'"],
            writes: true, run: renameTeam),
        CommandSpec(
            "delete", summary: "delete a team",
            details: "Asks for confirmation on a terminal; when stdin is not a terminal, --yes is required.",
            arguments: [.team],
            examples: ["spark-space teams delete 'Platform (old)' --yes"],
            writes: true, destructive: .always, run: deleteTeam),
        teamMembersCommand,
    ])

/// `teams list`: how many.
struct ListTeamsOptions: CommandOptions {
    var limit: Int
    init(_ inv: Invocation) throws { limit = inv.int(.limit) ?? 0 }
}

private func listTeams(_ inv: Invocation) throws {
    let options = try ListTeamsOptions(inv)
    let teams = try inv.space.teams(limit: options.limit == 0 ? nil : options.limit, as: inv.role())
    try inv.printList(teams.json, columns: teamColumns, noun: "teams", limit: options.limit)
}

private func getTeam(_ inv: Invocation) throws {
    let options = try TargetOptions(inv)
    let team = try inv.space.team(options.target, as: options.role)
    try inv.output.item(team.json, columns: teamColumns)
}

/// `teams create NAME [--description D]`: the name not blank.
struct CreateTeamOptions: CommandOptions {
    var name: String
    var description: String?
    var ifMissing: Bool
    init(_ inv: Invocation) throws {
        name = try nonBlank(inv.positionals[0], "team name", inv)
        description = inv.value(.description)
        ifMissing = inv.has(.ifMissing)
    }
}

private func createTeam(_ inv: Invocation) throws {
    let options = try CreateTeamOptions(inv)
    let space = try inv.space
    if options.ifMissing, let existing = try space.team(named: options.name, as: inv.role()) {
        inv.note("team '\(options.name)' exists already; nothing created")
        return try inv.output.item(existing.json, columns: teamColumns)
    }
    let team = try space.createTeam(name: options.name, description: options.description, as: inv.role())
    inv.noteDone("created team '\(options.name)'")
    try inv.output.item(team.json, columns: teamColumns)
}

private func renameTeam(_ inv: Invocation) throws {
    let options = try RenameOptions(inv)
    let space = try inv.space
    let team = try space.team(options.target, as: inv.role())
    let renamed = try space.updateTeam(id: team.id, name: options.newName, as: inv.role())
    try inv.output.item(renamed.json, columns: teamColumns)
}

private func deleteTeam(_ inv: Invocation) throws {
    try deleteNamed("team", inv, find: { space, team, role in
        let found = try space.team(team, as: role)
        return (found.name, found.id)
    }, delete: { space, id, role in try space.deleteTeam(id: id, as: role) })
}
