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
                options: [.sources],
                examples: ["spark-space settings show -c settings.yaml --json",
                           "spark-space settings show --sources"],
                run: showSettings),
            CommandSpec(
                "profiles", summary: "list the profiles of the settings file, one name a line (for --profile)",
                examples: ["spark-space settings profiles -c settings.yaml"],
                run: listProfiles),
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
    let resolved = try inv.loadSettings()
    let sources = inv.has(.sources)
    let settings = resolved.redactedJSON
    if inv.output.isTable || inv.output.format == .tsv {
        // One "key value" line per setting, dotted; with --sources a third column says where it came from.
        let rows = flattened(settings).map { key, value -> JSON in
            var row: [String: JSON] = ["key": .string(key), "value": value]
            if sources { row["source"] = .string(resolved.sources[key].map(resolved.sourceName) ?? "-") }
            return .object(row)
        }
        let columns = [Column("key"), Column("value")] + (sources ? [Column("source")] : [])
        return try inv.output.list(rows, columns: columns)
    }
    try inv.output.item(sources ? settings.merging([("sources", resolved.sourcesJSON)]) : settings, columns: [])
}

/// The names only: `--profile` may name one that does not exist, and completion still lists them.
private func listProfiles(_ inv: Invocation) throws {
    let names = try SettingsLoader(environment: inv.console.environment).profileNames(file: inv.value(.config))
    for name in names { try inv.out.write(name + "\n") }
}

private func flattened(_ value: JSON, prefix: String = "") -> [(String, JSON)] {
    guard let members = value.object else { return [(prefix, value)] }
    return members.keys.sorted().flatMap { key in
        flattened(members[key]!, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
    }
}
