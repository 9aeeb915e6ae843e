import SparkSpace

/// Columns of the plan (SPEC "The spaces manifest"): one line per change.
let planColumns = [Column("action"), Column("target", truncatable: true), Column("detail", truncatable: true)]
/// Columns of an applied plan: the same rows with their result.
let appliedColumns = planColumns + [Column("result", truncatable: true)]

/// `provision`.
let provisionCommand = CommandSpec(
    "provision", summary: "make spaces match a manifest (-f) or the settings' room, team and participants",
    details: "With -f FILE (YAML or JSON): teams (name, description, members, moderators) and rooms (title, "
        + "or id to pin one, team, description, locked, announcement_only, participants, moderators). Without -f: the room of space.room, in space.team, with "
        + "space.participants. The plan (action, target, detail) is computed with reads only; --dry-run "
        + "(global) prints it, --check prints it and exits 7 when it is not empty; otherwise the changes are "
        + "made and printed with their result. It adds, updates, renames a pinned room, moves a room without "
        + "a team into its team and sets moderator flags; --prune also removes people and moderator flags the "
        + "manifest does not list (never the bot). It never deletes a room or a team. A second run changes "
        + "nothing. Without -f the room itself is printed after the changes.",
    options: [.manifestFile, .check, .prune],
    subcommands: [provisionExportCommand],
    examples: ["spark-space provision -f spaces.yaml --check -o json", "spark-space provision -f spaces.yaml",
               "spark-space provision -c ci.yaml --dry-run", "spark-space provision -c ci.yaml -o json",
               "spark-space provision export --all > spaces.yaml"],
    writes: true,
    run: provision)

/// `provision --check` found changes to make: exit 7, nothing written.
struct PlanNotEmpty: Error, CustomStringConvertible {
    var count: Int
    var description: String { "\(count) change\(count == 1 ? "" : "s") would be made (--check wrote nothing)" }
}

/// `provision [-f FILE] [--prune] [--check]`: --prune only with a manifest (exit 2).
struct ProvisionOptions: CommandOptions {
    /// `-f FILE`; nil: the settings' room.
    var manifestPath: String?
    var prune: Bool
    var check: Bool
    var role: TokenRole
    init(_ inv: Invocation) throws {
        manifestPath = inv.value(.manifestFile)
        prune = inv.has(.prune)
        if prune && manifestPath == nil {
            // The settings name no people to keep but the participants: pruning them is too easy a mistake.
            throw UsageError("--prune needs -f FILE (a spaces manifest)", command: inv.parsed.command)
        }
        check = inv.has(.check)
        role = inv.role()
    }
}

private func provision(_ inv: Invocation) throws {
    let options = try ProvisionOptions(inv)
    let manifest = try provisionManifest(options, inv: inv)
    let space = try inv.space
    let role = options.role
    let plan = try space.plan(manifest, prune: options.prune, as: role)
    for warning in plan.warnings { inv.warn("warning: \(warning)") }
    if options.check || inv.dryRun {
        try inv.output.list(plan.rows.map(planRow), columns: planColumns)
        if plan.rows.isEmpty { inv.note("nothing to do: the spaces match") }
        if options.check && !plan.rows.isEmpty { throw PlanNotEmpty(count: plan.rows.count) }
        return
    }
    let applied = space.apply(plan, as: role)
    if options.manifestPath == nil { return try reportSettingsRoom(applied, inv: inv) }
    try inv.output.list(applied.rows.map(planRow), columns: appliedColumns)
    if applied.rows.isEmpty { inv.note("nothing to do: the spaces match") }
    let failed = applied.rows.filter { $0.error != nil }
    if !failed.isEmpty {
        throw PartialFailure(code: ExitCode.failure, description: "\(failed.count) of \(applied.rows.count) changes failed")
    }
}

/// The manifest of `-f FILE`, else the one the settings describe (as the seed).
private func provisionManifest(_ options: ProvisionOptions, inv: Invocation) throws -> SpacesManifest {
    if let path = options.manifestPath { return try SpacesManifest.load(path: path) }
    let settings = try inv.space.settings
    if settings.room == nil {
        inv.note("space.room is not set: using the seed's fallback title '\(Settings.fallbackRoomTitle)'")
    }
    return SpacesManifest(settings: settings)
}

private func planRow(_ row: PlanRow) -> JSON {
    var item: [String: JSON] = ["action": .string(row.action), "target": .string(row.target), "detail": .string(row.detail)]
    if let result = row.result { item["result"] = .string(result) }
    return .object(item)
}

/// Without -f, as the seed: notes of what was created, the room, then the participants' summary
/// (exit of the failed participants, or the error of a failed team or room).
private func reportSettingsRoom(_ applied: SpacesPlan, inv: Invocation) throws {
    for row in applied.rows where row.error == nil && row.action.hasPrefix("create-") {
        inv.note("created \(row.action.dropFirst("create-".count)) '\(sanitizeCell(row.target))'")
    }
    if applied.rows.isEmpty { inv.note("nothing to do: the room is provisioned") }
    let participants = applied.rows.filter { $0.action == "add-participant" }
    if let failed = applied.rows.first(where: { $0.error != nil && $0.action != "add-participant" }), let error = failed.error {
        for row in applied.rows where row.error != nil && row.action != "add-participant" {
            inv.warn("error: \(row.action) \(sanitizeCell(row.target)): \(sanitizeCell(errorText(row.error!)))")
        }
        throw error
    }
    guard let room = applied.rooms[0] else { throw SparkError.io("the API returned no room") }
    try printRoom(room, inv: inv)
    try inv.out.flush()
    try reportBulk(participants.map {
        ParticipantResult(email: $0.target, status: $0.error == nil ? .added : .failed, membership: nil, error: $0.error)
    }, inv: inv)
}
