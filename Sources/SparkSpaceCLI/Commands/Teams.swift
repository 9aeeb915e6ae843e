import SparkSpace

let teamColumns = [Column("id", truncatable: true), Column("name", truncatable: true), Column("created")]

/// `teams list|get`.
let teamsCommand = CommandSpec(
    "teams", summary: "list and show teams",
    subcommands: [
        CommandSpec(
            "list", summary: "list the teams the bot belongs to",
            options: [OptionSpec("limit", value: "N", help: "at most N teams (default 0 = all)")],
            examples: ["spark-space teams list"],
            run: listTeams),
        CommandSpec(
            "get", summary: "show a team by name or id",
            arguments: [ArgumentSpec("TEAM", help: "team id or exact name")],
            examples: ["spark-space teams get 'Anchor team' -o json"],
            run: getTeam),
    ])

private func listTeams(_ inv: Invocation) throws {
    let limit = try inv.count("limit", default: 0)
    let teams = try inv.space.teams(limit: limit == 0 ? nil : limit, as: inv.role())
    try inv.printList(teams, columns: teamColumns, noun: "teams", limit: limit)
}

private func getTeam(_ inv: Invocation) throws {
    let team = try inv.space.team(inv.positionals[0], as: inv.role())
    try inv.output.item(team, columns: teamColumns)
}
