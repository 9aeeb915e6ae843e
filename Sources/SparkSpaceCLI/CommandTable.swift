import SparkSpace

/// How a shell completes a value.
public enum ValueCompletion: Equatable, Sendable {
    case none
    case file
    case directory
    /// Room titles, from `spark-space rooms list -o tsv`.
    case room
    /// A command path, one word an argument: the top-level commands, then the
    /// subcommands of the path the arguments before it name (`help rooms list`).
    case command
    case choices([String])
}

/// One option of a command (or a global one).
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

    public init(
        _ long: String, short: Character? = nil, value: String? = nil, help: String,
        completion: ValueCompletion = .none, repeatable: Bool = false, setting: Bool = false
    ) {
        self.long = long
        self.short = short
        self.value = value
        self.help = help
        self.completion = completion
        self.repeatable = repeatable
        self.setting = setting
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
    public var optional: Bool
    public var variadic: Bool
    public var completion: ValueCompletion

    public init(_ name: String, help: String, optional: Bool = false, variadic: Bool = false,
                completion: ValueCompletion = .none) {
        self.name = name
        self.help = help
        self.optional = optional
        self.variadic = variadic
        self.completion = completion
    }

    public var synopsis: String {
        let text = variadic ? "\(name)..." : name
        return optional ? "[\(text)]" : text
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
    let run: ((Invocation) throws -> Void)?
    public private(set) weak var parent: CommandSpec?

    public init(
        _ name: String, summary: String, details: String? = nil, arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [], subcommands: [CommandSpec] = [], examples: [String] = [],
        writes: Bool = false, run: ((Invocation) throws -> Void)? = nil
    ) {
        self.name = name
        self.summary = summary
        self.details = details
        self.arguments = arguments
        self.options = options
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
        if !subcommands.isEmpty { parts.append("COMMAND") }
        parts += arguments.map(\.synopsis)
        if !options.isEmpty { parts.append("[OPTIONS]") }
        return parts.joined(separator: " ")
    }
}

public let programName = "spark-space"

/// Output formats of `-o`.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, wide, tsv, json, ndjson
}

/// Options every command accepts, before or after the command.
public let globalOptions: [OptionSpec] = [
    OptionSpec("config", short: "c", value: "FILE", help: "settings file (YAML or JSON)", completion: .file,
               setting: true),
    OptionSpec("token", value: "TOKEN", help: "bot token (prefer --token-file: argv shows in ps)", setting: true),
    OptionSpec("token-file", value: "FILE", help: "read the bot token from FILE, or - for stdin", completion: .file,
               setting: true),
    OptionSpec("audit-token", value: "TOKEN", help: "audit token (a person's token)", setting: true),
    OptionSpec("audit-token-file", value: "FILE", help: "read the audit token from FILE, or - for stdin",
               completion: .file, setting: true),
    OptionSpec("api-url", value: "URL", help: "API base (default https://webexapis.com/v1; env SPARK_API_URL)",
               setting: true),
    OptionSpec("as", value: "ROLE", help: "which token the command uses: bot or audit",
               completion: .choices(TokenRole.allCases.map(\.rawValue)), setting: true),
    OptionSpec("room", value: "ROOM", help: "the room for commands that take one", completion: .room),
    OptionSpec("output", short: "o", value: "FORMAT", help: "table, wide (a table never cut), tsv, json or ndjson",
               completion: .choices(OutputFormat.allCases.map(\.rawValue))),
    OptionSpec("fields", value: "LIST", help: "the columns or keys to print, in that order (a,b,c)"),
    OptionSpec("json", help: "same as -o json"),
    OptionSpec("dry-run", help: "for commands that write: print each write (method, path, body) instead of sending it"),
    OptionSpec("quiet", short: "q", help: "print less on stderr"),
    OptionSpec("verbose", short: "v", help: "log each HTTP call on stderr (method, path, status, ms)"),
    OptionSpec("timeout", value: "SECONDS", help: "connect timeout and longest stall (default 60)"),
    OptionSpec("max-wait", value: "SECONDS", help: "total time to wait on 429 Retry-After (default 300)"),
    OptionSpec("cacert", value: "FILE", help: "an extra CA certificate bundle (also env SSL_CERT_FILE)",
               completion: .file),
    OptionSpec("help", short: "h", help: "show help"),
    OptionSpec("version", help: "print the version"),
]

/// The whole command table.
public let rootCommand = CommandSpec(
    programName,
    summary: "administer Cisco Spark / Webex Teams spaces from a shell",
    subcommands: identityCommands + [roomsCommand, teamsCommand, participantsCommand, peopleCommand, provisionCommand]
        + postCommands + [messagesCommand] + walkMessagesCommands + attachmentsCommands
        + webhookCommands + listenCommands + pullCommands + [apiCommand, versionCommand] + metaCommands
)
