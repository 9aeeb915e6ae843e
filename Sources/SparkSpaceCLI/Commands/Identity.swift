import SparkSpace

let personColumns = [
    Column("token"), Column("id", truncatable: true), Column("email", "emails"),
    Column("displayName", truncatable: true), Column("type"),
]

/// `whoami`, `settings show`.
let identityCommands: [CommandSpec] = [
    CommandSpec(
        "whoami", summary: "show the bot (and the audit identity when an audit token is set)",
        examples: ["spark-space whoami -o json"],
        run: whoami),
    CommandSpec(
        "settings", summary: "inspect the resolved settings",
        subcommands: [
            CommandSpec(
                "show", summary: "print the resolved settings (tokens and secret as *** plus last 4)",
                examples: ["spark-space settings show -c settings.yaml --json"],
                run: showSettings)
        ]),
]

private func whoami(_ inv: Invocation) throws {
    let result = try inv.space.whoami()
    if inv.output.format == .json {
        return try inv.output.item(result, columns: [])
    }
    let rows = TokenRole.allCases.compactMap { role -> JSON? in
        guard var person = result[role.rawValue] else { return nil }
        person["token"] = .string(role.rawValue)
        return person
    }
    try inv.output.list(rows, columns: personColumns)
}

private func showSettings(_ inv: Invocation) throws {
    let settings = try inv.loadSettings().redactedJSON
    if inv.output.isTable || inv.output.format == .tsv {
        // One "key value" line per setting, dotted.
        let rows = flattened(settings).map { JSON.object(["key": .string($0.0), "value": $0.1]) }
        return try inv.output.list(rows, columns: [Column("key"), Column("value")])
    }
    try inv.output.item(settings, columns: [])
}

private func flattened(_ value: JSON, prefix: String = "") -> [(String, JSON)] {
    guard let members = value.object else { return [(prefix, value)] }
    return members.keys.sorted().flatMap { key in
        flattened(members[key]!, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
    }
}
