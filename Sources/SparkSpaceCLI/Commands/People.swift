import SparkSpace

let peopleColumns = [
    Column("id", truncatable: true), Column("email", "emails"), Column("displayName", truncatable: true), Column("type"),
]

/// `people get|list`.
let peopleCommand = CommandSpec(
    "people", summary: "look people up",
    subcommands: [
        CommandSpec(
            "get", summary: "show a person by e-mail, id, or me (the token's owner)",
            arguments: [ArgumentSpec(name: "PERSON", help: "e-mail address, person id, or me")],
            examples: ["spark-space people get alice@example.com", "spark-space people get me --as audit -o json"],
            run: getPerson),
        CommandSpec(
            "list", summary: "list people by e-mail or display-name prefix",
            details: "Webex needs --email or --name unless the token is an admin's.",
            options: [.email, .namePrefix, .limit(of: "people")],
            examples: ["spark-space people list --name Ali", "spark-space people list --email bob@example.com"],
            run: listPeople),
    ])

private func getPerson(_ inv: Invocation) throws {
    let person = try inv.space.person(inv.positionals[0], as: inv.role())
    try inv.output.item(person.json, columns: peopleColumns)
}

/// `people list [--email E] [--name PREFIX] [--limit N]`: an e-mail that is one, a prefix not blank.
struct ListPeopleOptions: CommandOptions {
    var email: String?
    var namePrefix: String?
    var limit: Int
    init(_ inv: Invocation) throws {
        email = inv.value(.email)
        if let email, !looksLikeEmail(email) { throw inv.usage("--email takes an e-mail address, not '\(email)'") }
        namePrefix = try inv.value(.namePrefix).map { try nonBlank($0, "--name prefix", inv) }
        limit = inv.int(.limit) ?? 0
    }
}

private func listPeople(_ inv: Invocation) throws {
    let options = try ListPeopleOptions(inv)
    let people = try inv.space.people(email: options.email, namePrefix: options.namePrefix,
                                      limit: options.limit == 0 ? nil : options.limit, as: inv.role())
    try inv.printList(people.json, columns: peopleColumns, noun: "people", limit: options.limit)
}
