import SparkSpace

/// The positional arguments and columns that several commands share, written once so that
/// their names, help and completion cannot drift apart.
extension ArgumentSpec {
    /// TEAM (`teams get|rename|delete`, `teams members ...`).
    static let team = ArgumentSpec(name: "TEAM", help: "team id or exact name")
    /// ROOM, required (`rooms rename|update|delete`).
    static let room = ArgumentSpec(name: "ROOM", help: "room id or exact group-room title", completion: .room)
    /// ROOM, else space.room (`rooms get`, `participants ...`).
    static let roomOrDefault = ArgumentSpec(
        name: "ROOM", help: "room id or exact group-room title (default space.room)", optional: true, completion: .room)
    /// EMAIL... or `-` (`participants add|remove|set`, `teams members add|remove`).
    static let emails = ArgumentSpec(name: "EMAIL", help: "e-mail address, or - to read them from stdin", variadic: true)
    /// A webhook's ID (`webhooks get|update`).
    static let webhookId = ArgumentSpec(name: "ID", help: "the webhook id")
}

/// Columns of a membership listing: a room's participants, a team's members.
let membershipColumns = [
    Column("personEmail"), Column("personDisplayName", truncatable: true), Column("isModerator"),
    Column("id", truncatable: true),
]

extension CommandSpec {
    /// A command that writes something for each `EMAIL...` (or `-`: stdin) in `target` (a room or a
    /// team): `participants add|remove|set`, `teams members add|remove`.
    static func emailsCommand(_ name: String, in target: ArgumentSpec, summary: String, details: String,
                              options: [OptionSpec] = [], examples: [String],
                              run: @escaping (Invocation) throws -> Void) -> CommandSpec {
        CommandSpec(name, summary: summary, details: details, arguments: [target, .emails], options: options,
                    examples: examples, writes: true, run: run)
    }
}
