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

/// Each identity that works is printed; each that fails is one error line on stderr (SPEC: a
/// 401/403 names the identity), and then exit 3 (or the failures' code).
private func whoami(_ inv: Invocation) throws {
    let space = try inv.space
    let roles: [TokenRole] = space.settings.token == nil && space.hasAuditToken ? [.audit]
        : space.hasAuditToken ? [.bot, .audit] : [.bot]
    var people: [(TokenRole, JSON)] = []
    var failures: [(TokenRole, Error)] = []
    for role in roles {
        do {
            people.append((role, try space.me(role).json))
        } catch let error as SparkError {
            if case .missingToken = error { throw error }
            failures.append((role, error))
        }
    }
    if inv.output.format == .json {
        try inv.output.item(.object(Dictionary(uniqueKeysWithValues: people.map { ($0.0.rawValue, $0.1) })),
                            columns: [])
    } else {
        try inv.output.list(people.map { role, person in person.merging([("token", .string(role.rawValue))]) },
                            columns: personColumns)
    }
    guard !failures.isEmpty else { return }
    try inv.out.flush()
    for (_, error) in failures.dropLast() { inv.warn("error: \(errorText(error))") }
    // The last one as the command's error: a 401/403 names the identity, a 404 gets its hint.
    throw failures.last!.1
}

/// `settings show [--sources]`.
struct ShowSettingsOptions: CommandOptions {
    var sources: Bool
    init(_ inv: Invocation) throws { sources = inv.has(.sources) }
}

private func showSettings(_ inv: Invocation) throws {
    let options = try ShowSettingsOptions(inv)
    let resolved = try inv.loadSettings()
    let sources = options.sources
    let settings = resolved.redactedJSON
    if let fields = inv.output.fields, !fields.allSatisfy(["key", "value", "source"].contains) {
        return try showSettings(named: fields, resolved, sources: sources, inv: inv)
    }
    if inv.output.isTable || inv.output.format == .tsv {
        // One "key value" line per setting, dotted; with --sources a third column says where it came from.
        let rows = flattened(settings).map { settingRow($0, $1, resolved, sources: sources) }
        let columns = [Column("key"), Column("value")] + (sources ? [Column("source")] : [])
        return try inv.output.list(rows, columns: columns)
    }
    try inv.output.item(sources ? settings.merging([("sources", resolved.sourcesJSON)]) : settings, columns: [])
}

/// `settings show --fields space.token,server`: the settings named (a dotted key, or a section
/// for all its keys), one row each (json: one object by dotted key); a name that is neither is
/// exit 2 listing the keys. The columns `key`, `value`, `source` are the other use of `--fields`.
private func showSettings(named fields: [String], _ resolved: Settings, sources: Bool,
                          inv: Invocation) throws {
    let all = flattened(resolved.redactedJSON)
    var rows: [(String, JSON)] = []
    for field in fields {
        let matching = all.filter { $0.0 == field || $0.0.hasPrefix(field + ".") }
        guard !matching.isEmpty else {
            throw UsageError("--fields: no setting '\(field)'; settings: \(all.map(\.0).joined(separator: ", ")) "
                + "(or the columns key, value, source)", command: inv.parsed.command)
        }
        rows += matching.filter { row in !rows.contains { $0.0 == row.0 } }
    }
    let output = Output(format: inv.output.format, out: inv.out, color: inv.output.color, width: inv.output.width)
    if output.isTable || output.format == .tsv {
        let columns = [Column("key"), Column("value")] + (sources ? [Column("source")] : [])
        return try output.list(rows.map { settingRow($0, $1, resolved, sources: sources) }, columns: columns)
    }
    try output.item(.object(Dictionary(rows) { first, _ in first }), columns: [])
}

/// A `key value [source]` row of `settings show` (the source as `--sources` names it: `profile NAME`).
private func settingRow(_ key: String, _ value: JSON, _ resolved: Settings, sources: Bool) -> JSON {
    var row: [String: JSON] = ["key": .string(key), "value": value]
    if sources { row["source"] = .string(resolved.sources[key].map(resolved.sourceName) ?? "-") }
    return .object(row)
}

/// The names only: `--profile` may name one that does not exist, and completion still lists them.
/// `settings profiles`: of `--config FILE` when given.
struct ListProfilesOptions: CommandOptions {
    var config: String?
    init(_ inv: Invocation) throws { config = inv.value(.config) }
}

private func listProfiles(_ inv: Invocation) throws {
    let options = try ListProfilesOptions(inv)
    let names = try SettingsLoader(environment: inv.console.environment).profileNames(file: options.config)
    for name in names { try inv.out.write(name + "\n") }
}

private func flattened(_ value: JSON, prefix: String = "") -> [(String, JSON)] {
    guard let members = value.object else { return [(prefix, value)] }
    return members.keys.sorted().flatMap { key in
        flattened(members[key]!, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
    }
}
