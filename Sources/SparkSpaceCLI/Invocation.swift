import Foundation
import SparkSpace

/// Streams and environment of one run; tests replace them.
public struct Terminal {
    public var stdout: Int32 = 1
    public var stderr: Int32 = 2
    public var stdin: Int32 = 0
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init() {}
}

/// A parsed command line plus everything a command needs: settings, the space
/// (API clients), output and diagnostics. Built lazily so `--help` and usage
/// errors need no settings.
public final class Invocation {
    public let parsed: ParsedCommand
    let terminal: Terminal
    let out: FDWriter
    let err: FDWriter
    private var cachedSpace: SparkSpace?
    private var cachedOutput: Output?
    private var stdinTaken = false

    init(parsed: ParsedCommand, terminal: Terminal) {
        self.parsed = parsed
        self.terminal = terminal
        self.out = FDWriter(fd: terminal.stdout)
        self.err = FDWriter(fd: terminal.stderr)
    }

    var positionals: [String] { parsed.positionals }
    func has(_ name: String) -> Bool { parsed.has(name) }
    func value(_ name: String) -> String? { parsed.value(name) }
    func all(_ name: String) -> [String] { parsed.all(name) }

    var quiet: Bool { has("quiet") }
    /// `--dry-run`: writes are printed, not sent (the gate is `WebexClient.send`).
    var dryRun: Bool { has("dry-run") }
    var verbose: Bool { has("verbose") }

    /// A non-negative number option, or `fallback`.
    func number(_ name: String, default fallback: Double) throws -> Double {
        guard let text = value(name) else { return fallback }
        guard let number = Double(text), number >= 0, number.isFinite else {
            throw UsageError("--\(name) takes a number of seconds, not '\(text)'", command: parsed.command)
        }
        return number
    }

    /// A whole-number option ≥ 0, or `fallback`.
    func count(_ name: String, default fallback: Int) throws -> Int {
        guard let text = value(name) else { return fallback }
        guard let number = Int(text), number >= 0 else {
            throw UsageError("--\(name) takes a whole number ≥ 0, not '\(text)'", command: parsed.command)
        }
        return number
    }

    // MARK: Output

    var output: Output {
        if let cachedOutput { return cachedOutput }
        let format: OutputFormat
        if has("json") {
            format = .json
        } else if let name = value("output"), let chosen = OutputFormat(rawValue: name) {
            format = chosen
        } else {
            format = out.isTerminal ? .table : .tsv
        }
        let color = useColor(isTerminal: out.isTerminal, environment: terminal.environment)
        let width = terminalWidth(fd: terminal.stdout, environment: terminal.environment)
        let made = Output(format: format, out: out, color: color, width: width)
        cachedOutput = made
        return made
    }

    /// A diagnostic line on stderr (not with `-q`).
    func note(_ text: String) {
        guard !quiet else { return }
        warn(text)
    }

    /// A warning on stderr, even with `-q`.
    func warn(_ text: String) {
        try? err.write("spark-space: \(text)\n")
        try? err.flush()
    }

    // MARK: Settings and API

    /// Reads all of stdin (once: `--token-file -` and `--text -` cannot both use it).
    func readStdin(for what: String) throws -> String {
        guard !stdinTaken else { throw UsageError("only one of the inputs can be read from stdin (\(what))") }
        stdinTaken = true
        let data = FileHandle(fileDescriptor: terminal.stdin, closeOnDealloc: false).readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self)
    }

    private func tokenOverride(_ flag: String, fileFlag: String) throws -> String? {
        if let path = value(fileFlag) {
            let text: String
            if path == "-" {
                text = try readStdin(for: "--\(fileFlag)")
            } else {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw UsageError("cannot read --\(fileFlag) \(path)")
                }
                text = String(decoding: data, as: UTF8.self)
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw UsageError("--\(fileFlag) \(path) holds no token") }
            return token
        }
        return value(flag)
    }

    func loadSettings() throws -> Settings {
        var overrides: [String: String] = [:]
        overrides["space.token"] = try tokenOverride("token", fileFlag: "token-file")
        overrides["space.audit_token"] = try tokenOverride("audit-token", fileFlag: "audit-token-file")
        overrides["space.room"] = value("room")
        overrides["api_url"] = value("api-url")
        return try SettingsLoader(environment: terminal.environment).load(file: value("config"), overrides: overrides)
    }

    /// The space: settings plus API clients, made on first use.
    var space: SparkSpace {
        get throws {
            if let cachedSpace { return cachedSpace }
            let settings = try loadSettings()
            let transport = CurlTransport(timeout: try number("timeout", default: 60),
                                          userAgent: "spark-space/\(sparkSpaceVersion)")
            let logger: ((RequestLogEntry) -> Void)? = verbose ? { [err] entry in
                let status = entry.status.map(String.init) ?? "---"
                var line = "spark-space: \(entry.method) \(entry.path) \(status) \(entry.milliseconds)ms"
                if let note = entry.note { line += " (\(note))" }
                try? err.write(line + "\n")
                try? err.flush()
            } : nil
            let made = SparkSpace(settings: settings, transport: transport,
                                  maxWait: try number("max-wait", default: 300), logger: logger,
                                  dryRun: dryRun ? { [err] planned in
                                      // stderr, even with -q: stdout keeps the command's own output format.
                                      try? err.write("spark-space: dry-run: \(sanitizeCell(planned.line))\n")
                                      try? err.flush()
                                  } : nil)
            cachedSpace = made
            return made
        }
    }

    /// Asks before a deletion (SPEC "Confirmations"): true to go on. On a terminal the question
    /// goes to stderr and anything but y/yes is false; with stdin not a terminal and no `--yes`
    /// it is a usage error before any request. A dry run deletes nothing, so it never asks.
    func confirmed(_ question: @autoclosure () -> String) throws -> Bool {
        if has("yes") || dryRun { return true }
        try requireConfirmation()
        try err.write("\(sanitizeCell(question())) [y/N] ")
        try err.flush()
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }

    /// Throws a usage error when a confirmation would be needed and stdin is not a terminal;
    /// call it before any request.
    func requireConfirmation() throws {
        guard !has("yes"), !dryRun, isatty(terminal.stdin) != 1 else { return }
        throw UsageError("refusing to \(parsed.command.name) without --yes when stdin is not a terminal",
                         command: parsed.command)
    }

    /// The token role chosen by `--as` (else `fallback`).
    func role(default fallback: TokenRole = .bot) -> TokenRole {
        value("as").flatMap(TokenRole.init(rawValue:)) ?? fallback
    }
}
