import SparkSpace

/// `teams members list|add|remove` (`/team/memberships`).
let teamMembersCommand = CommandSpec(
    "members", summary: "list, add and remove the members of a team",
    subcommands: [
        CommandSpec(
            "list", summary: "list the members of a team",
            arguments: [.team],
            examples: ["spark-space teams members list 'Platform'"],
            run: listTeamMembers),
        .emailsCommand(
            "add", in: .team, summary: "add people to a team",
            details: "'-' reads e-mails from stdin, one a line. A person already in the team is 'unchanged'. "
                + "Prints one line per e-mail (email, status, error) and a summary on stderr, as "
                + "'participants add'.",
            options: [.moderator],
            examples: ["spark-space teams members add 'Platform' alice@example.com bob@example.com"],
            run: addTeamMembers),
        .emailsCommand(
            "remove", in: .team, summary: "remove people from a team",
            details: "One listing of the team's memberships, then one deletion per member. A person not in the "
                + "team is 'unchanged'. Same output as 'teams members add'.",
            examples: ["spark-space teams members remove 'Platform' bob@example.com"],
            run: removeTeamMembers),
    ])

/// `teams members list TEAM`.
private func listTeamMembers(_ inv: Invocation) throws {
    let options = try TargetOptions(inv)
    let space = try inv.space
    let teamId = try space.team(options.target, as: options.role).id
    try inv.printList(try space.teamMemberships(teamId: teamId, as: options.role).json, columns: membershipColumns,
                      noun: "team members")
}

/// `teams members add|remove TEAM EMAIL... [--moderator]`: `-` read from stdin, the e-mails checked
/// before any request.
struct TeamMembersOptions: CommandOptions {
    var team: String
    var emails: [String]
    var moderator: Bool

    init(_ inv: Invocation) throws {
        team = inv.positionals[0]
        emails = try emailList(Array(inv.positionals.dropFirst()), inv: inv)
        // Only `add` takes --moderator.
        moderator = inv.parsed.command.name == "add" && inv.has(.moderator)
    }
}

private func addTeamMembers(_ inv: Invocation) throws {
    let options = try TeamMembersOptions(inv)
    let space = try inv.space
    let teamId = try space.team(options.team, as: inv.role()).id
    let printer = BulkPrinter(inv: inv, emails: options.emails)
    let results = space.addTeamMembers(teamId: teamId, emails: options.emails, moderator: options.moderator,
                                       as: inv.role(), onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}

private func removeTeamMembers(_ inv: Invocation) throws {
    let options = try TeamMembersOptions(inv)
    let space = try inv.space
    let teamId = try space.team(options.team, as: inv.role()).id
    let printer = BulkPrinter(inv: inv, emails: options.emails)
    let results = try space.removeTeamMembers(teamId: teamId, emails: options.emails, as: inv.role(),
                                              onResult: printer.add)
    try printer.finish()
    try reportBulk(results, inv: inv)
}
