import SparkSpace

/// How a shell completes a value.
public enum ValueCompletion: Equatable, Sendable {
    case none
    case file
    case directory
    /// Room titles, from `spark-space rooms list -o tsv`.
    case room
    /// Profile names, from `spark-space settings profiles`.
    case profile
    /// A command path, one word an argument: the top-level commands, then the
    /// subcommands of the path the arguments before it name (`help rooms list`).
    case command
    case choices([String])
}

/// What an option's value is. The parser checks it before the command runs (exit 2, one
/// line naming the option and the value), so a command reads a value it can use: never a
/// trap on `Int(someDouble)` out of range, never a second check in the command.
public enum ValueKind: Sendable, Equatable {
    /// Any text (an e-mail, a title, a URL): the command checks what it means.
    case string
    /// A file or directory (completed as one); any text is accepted.
    case path
    /// One of a fixed set (also what the shells complete).
    case choice([String])
    /// A whole number in the range; `described` replaces "a whole number from A to B".
    case int(ClosedRange<Int>, described: String? = nil)
    /// A number in the range.
    case double(ClosedRange<Double>)
    /// A number of seconds in the range.
    case duration(ClosedRange<Double>)
}

/// One option of a command (or a global one). The constants (`OptionSpec.limit`, Options.swift)
/// are shared by the command table and the commands that read them (`inv.int(.limit)`).
public struct OptionSpec: Sendable {
    public var long: String
    public var short: Character?
    /// The value's placeholder (`N`, `FILE`); nil for a flag.
    public var value: String?
    public var help: String
    public var completion: ValueCompletion
    public var repeatable: Bool
    /// Chooses the account or API a command talks to (settings file, tokens, API
    /// URL, role): completions that run the tool pass it on, so they list what
    /// the command typed would see.
    public var setting: Bool
    /// What the value is; checked by the parser.
    public var kind: ValueKind

    public init(
        _ long: String, short: Character? = nil, value: String? = nil, help: String,
        completion: ValueCompletion = .none, repeatable: Bool = false, setting: Bool = false,
        kind: ValueKind = .string
    ) {
        self.long = long
        self.short = short
        self.value = value
        self.help = help
        // A choice completes as its values, a path as files (unless told: a directory).
        switch (kind, completion) {
        case (.choice(let values), .none): self.completion = .choices(values)
        case (.path, .none): self.completion = .file
        default: self.completion = completion
        }
        self.repeatable = repeatable
        self.setting = setting
        self.kind = kind
    }

    /// The same option described for one command (`--limit` counts rooms here, teams there).
    public func with(help: String) -> OptionSpec {
        var copy = self
        copy.help = help
        return copy
    }

    /// Allowed values, when the option takes one of a fixed set.
    public var choices: [String]? {
        if case .choices(let values) = completion { return values }
        return nil
    }

    /// `-o, --output FORMAT`
    public var synopsis: String {
        var text = short.map { "-\($0), " } ?? ""
        text += "--\(long)"
        if let value { text += " \(value)" }
        return text
    }
}

/// One positional argument of a command.
public struct ArgumentSpec: Sendable {
    public var name: String
    public var help: String
    public var optional = false
    public var variadic = false
    public var completion: ValueCompletion = .none

    public var synopsis: String {
        let text = variadic ? "\(name)..." : name
        return optional ? "[\(text)]" : text
    }
}

/// When a command deletes (`CommandSpec.destructive`).
public enum Destruction: Sendable {
    /// Every run deletes (`rooms delete`).
    case always
    /// A run with this flag deletes (`webhooks deregister --all`).
    case with(OptionSpec)

    /// The `--yes` the command takes.
    var yesOption: OptionSpec {
        switch self {
        case .always: return .yes
        case .with(let flag): return .yes.with(help: "do not ask for confirmation (with --\(flag.long))")
        }
    }

    /// Whether this run deletes.
    func applies(to parsed: ParsedCommand) -> Bool {
        switch self {
        case .always: return true
        case .with(let flag): return parsed.has(flag.long)
        }
    }
}

/// A command or a group of subcommands. The table of these is the single source
/// for parsing, `--help`, shell completions and the man page.
public final class CommandSpec: @unchecked Sendable {
    public let name: String
    public let summary: String
    public let details: String?
    public let arguments: [ArgumentSpec]
    public let options: [OptionSpec]
    public let subcommands: [CommandSpec]
    public let examples: [String]
    /// The command writes through the API: `--dry-run` applies, and a test runs every such
    /// command under it and checks that nothing but GETs reached the API.
    public let writes: Bool
    /// The command deletes (always, or with an option such as `--all`): it takes `--yes`, and the
    /// runner refuses it without `--yes` when stdin is not a terminal, before anything is done.
    public let destructive: Destruction?
    let run: ((Invocation) throws -> Void)?
    public private(set) weak var parent: CommandSpec?

    public init(
        _ name: String, summary: String, details: String? = nil, arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [], subcommands: [CommandSpec] = [], examples: [String] = [],
        writes: Bool = false, destructive: Destruction? = nil, run: ((Invocation) throws -> Void)? = nil
    ) {
        self.name = name
        self.summary = summary
        self.details = details
        self.arguments = arguments
        // `--yes` comes with the attribute, so no destructive command can lack it.
        self.options = options + (destructive.map { [$0.yesOption] } ?? [])
        self.destructive = destructive
        self.subcommands = subcommands
        self.examples = examples
        self.writes = writes
        self.run = run
        for sub in subcommands { sub.parent = self }
    }

    /// `rooms list` (without the program name).
    public var path: String {
        guard let parent, parent.parent != nil || parent.name != programName else { return name }
        return parent.path + " " + name
    }

    public var isRoot: Bool { parent == nil }

    public func subcommand(_ name: String) -> CommandSpec? { subcommands.first { $0.name == name } }

    /// `spark-space rooms list [--limit N] ...`
    public var usage: String {
        var parts = [programName]
        if !isRoot { parts.append(path) }
        // A command that runs alone too (`provision`) takes its subcommand optionally.
        if !subcommands.isEmpty { parts.append(run == nil ? "COMMAND" : "[COMMAND]") }
        parts += arguments.map(\.synopsis)
        if !options.isEmpty { parts.append("[OPTIONS]") }
        return parts.joined(separator: " ")
    }
}

public let programName = "spark-space"

/// Options every command accepts, before or after the command.
public let globalOptions: [OptionSpec] = [
    .config, .profile, .token, .tokenFile, .auditToken, .auditTokenFile, .apiUrl, .role, .room, .output, .fields, .json,
    .dryRun, .quiet, .verbose, .timeout, .maxWait, .cacert, .help, .version,
]

/// The whole command table.
public let rootCommand = CommandSpec(
    programName,
    summary: "administer Cisco Spark / Webex Teams spaces from a shell",
    subcommands: identityCommands + [roomsCommand, teamsCommand, participantsCommand, peopleCommand, provisionCommand]
        + postCommands + [messagesCommand] + walkMessagesCommands + attachmentsCommands
        + webhookCommands + listenCommands + waitCommands + pullCommands + archiveCommands
        + [authCommand, apiCommand, versionCommand] + metaCommands
)
