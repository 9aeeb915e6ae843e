import SparkSpace

/// `provision export`: existing rooms and teams as a spaces manifest (SPEC `provision export`).
let provisionExportCommand = CommandSpec(
    "export", summary: "print a spaces manifest of existing rooms and their teams, for provision -f",
    details: "Reads the rooms given (ids or exact titles), the rooms of --team, or with --all every group room, "
        + "with their people, moderators and settings (title, team, description, locked, announcement_only), "
        + "and their teams (name, description, members, moderators). Prints the manifest that provision -f "
        + "reads, YAML by default (-o json for JSON): teams, then rooms, by title; people sorted. A room whose "
        + "title another room shares is pinned with its id. The identity in use is never listed. Reads only; "
        + "provision -f FILE --check of the result exits 0 until the spaces change.",
    arguments: [ArgumentSpec(name: "ROOM", help: "room id or exact group-room title", optional: true, variadic: true,
                             completion: .room)],
    options: [.team.with(help: "the rooms of this team (name or id), and the team"),
              .all.with(help: "every group room the identity is in")],
    examples: ["spark-space provision export --all > spaces.yaml", "spark-space provision export --team Platform",
               "spark-space provision export 'Ops room' 'Release 3.1' -o json"],
    run: provisionExport)

/// The manifest formats of `provision export`.
enum ManifestFormat: Equatable {
    case yaml, json
}

/// What `provision export` was asked, checked before any request (usage errors, exit 2).
struct ExportOptions: CommandOptions {
    var selection: ExportSelection
    var format: ManifestFormat

    init(_ inv: Invocation) throws {
        selection = ExportSelection(rooms: inv.positionals, team: inv.value(.team), all: inv.has(.all))
        let command = inv.parsed.command
        if selection.isEmpty {
            throw UsageError("say which rooms to export: ROOM..., --team TEAM or --all", command: command)
        }
        if selection.all && (!selection.rooms.isEmpty || selection.team != nil) {
            throw UsageError("--all exports every group room: give no ROOM or --team with it", command: command)
        }
        switch inv.value(.output) ?? OptionSpec.manifestYAML {  // `--json` is an `-o json` (Parser)
        case OptionSpec.manifestYAML: format = .yaml
        case "json": format = .json
        case let other:
            throw UsageError("provision export prints a manifest: -o yaml (the default) or -o json, not '\(other)'",
                             command: command)
        }
        if inv.value(.fields) != nil {
            throw UsageError("--fields does not apply to a manifest (provision export)", command: command)
        }
    }
}

private func provisionExport(_ inv: Invocation) throws {
    let options = try ExportOptions(inv)
    try runExport(options, inv: inv)
}

private func runExport(_ options: ExportOptions, inv: Invocation) throws {
    let console = inv.console
    let exported = try inv.space.export(options.selection, as: inv.role()) { progress in
        console.observe(.progress(progress))
    }
    inv.status.clear()
    for warning in exported.warnings { inv.warn("warning: \(warning)") }
    switch options.format {
    case .yaml:
        try inv.out.write(try exported.manifest.yamlText())
    case .json:
        try inv.out.write(exported.manifest.json.prettyText + "\n")
    }
    try inv.out.flush()
    let manifest = exported.manifest
    inv.note("exported \(manifest.rooms.count) room\(manifest.rooms.count == 1 ? "" : "s") and "
        + "\(manifest.teams.count) team\(manifest.teams.count == 1 ? "" : "s")")
}
