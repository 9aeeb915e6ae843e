import SparkSpace

let teamMemberColumns = [
    Column("personEmail"), Column("personDisplayName", truncatable: true), Column("isModerator"),
    Column("id", truncatable: true),
]

/// `teams members list|add|remove` (`/team/memberships`).
let teamMembersCommand = CommandSpec(
    "members", summary: "list, add and remove the members of a team",
    subcommands: [
        CommandSpec(
            "list", summary: "list the members of a team",
            arguments: [ArgumentSpec("TEAM", help: "team id or exact name")],
            examples: ["spark-space teams members list 'Platform'"],
            run: listTeamMembers),
        CommandSpec(
            "add", summary: "add people to a team",
            details: "'-' reads e-mails from stdin, one a line. A person already in the team is 'unchanged'. "
                + "Prints one line per e-mail (email, status, error) and a summary on stderr, as "
                + "'participants add'.",
            arguments: [ArgumentSpec("TEAM", help: "team id or exact name"),
                        ArgumentSpec("EMAIL", help: "e-mail address, or - to read them from stdin", variadic: true)],
            options: [.moderator],
            examples: ["spark-space teams members add 'Platform' alice@example.com bob@example.com"],
            writes: true, run: addTeamMembers),
        CommandSpec(
            "remove", summary: "remove people from a team",
            details: "One listing of the team's memberships, then one deletion per member. A person not in the "
                + "team is 'unchanged'. Same output as 'teams members add'.",
            arguments: [ArgumentSpec("TEAM", help: "team id or exact name"),
                        ArgumentSpec("EMAIL", help: "e-mail address, or - to read them from stdin", variadic: true)],
            examples: ["spark-space teams members remove 'Platform' bob@example.com"],
            writes: true, run: removeTeamMembers),
    ])

private func listTeamMembers(_ inv: Invocation) throws {
    let space = try inv.space
    let teamId = try teamId(inv.positionals[0], space: space, inv: inv)
    try inv.printList(try space.teamMemberships(teamId: teamId, as: inv.role()).json, columns: teamMemberColumns,
                      noun: "team members")
}

/// The id of TEAM (id or exact name).
private func teamId(_ reference: String, space: Space, inv: Invocation) throws -> String {
    try space.team(reference, as: inv.role()).id
}

/// `TEAM EMAIL...`, `-` read from stdin, checked before any request.
private func teamAndEmails(_ inv: Invocation) throws -> (team: String, emails: [String]) {
    let words = Array(inv.positionals.dropFirst())
    guard !words.isEmpty else { throw UsageError("missing EMAIL for '\(inv.parsed.command.path)'", command: inv.parsed.command) }
    let emails = try participantList(words, inv: inv)
    guard !emails.isEmpty else { throw UsageError("no e-mail addresses given (stdin was empty)", command: inv.parsed.command) }
    return (inv.positionals[0], emails)
}

private func addTeamMembers(_ inv: Invocation) throws {
    let (team, emails) = try teamAndEmails(inv)
    let space = try inv.space
    let teamId = try teamId(team, space: space, inv: inv)
    let printer = BulkPrinter(inv: inv, emails: emails)
    let results = space.addTeamMembers(teamId: teamId, emails: emails, moderator: inv.has(.moderator),
                                       as: inv.role(), onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}

private func removeTeamMembers(_ inv: Invocation) throws {
    let (team, emails) = try teamAndEmails(inv)
    let space = try inv.space
    let teamId = try teamId(team, space: space, inv: inv)
    let printer = BulkPrinter(inv: inv, emails: emails)
    let results = try space.removeTeamMembers(teamId: teamId, emails: emails, as: inv.role(), onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}
