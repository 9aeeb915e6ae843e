#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SparkSpace

/// Streams and environment of one run; tests replace them.
public struct Terminal {
    public var stdout: Int32 = 1
    public var stderr: Int32 = 2
    public var stdin: Int32 = 0
    public var environment: [String: String] = ProcessInfo.processInfo.environment

    public init() {}
}

/// Ranges of the number options (README "Decisions"): a day at most for one stall, a week
/// of waiting; `--timeout 0` would mean curl's own 300 s, so it is refused.
enum Limits {
    static let timeout: ClosedRange<Double> = 0.001...86_400
    static let maxWait: ClosedRange<Double> = 0...604_800
    static let interval: ClosedRange<Double> = 0...86_400
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
    /// stderr for people: notes, warnings, and the progress line commands report to.
    let console: Console
    private var stdinTaken = false

    init(parsed: ParsedCommand, terminal: Terminal) {
        self.parsed = parsed
        self.terminal = terminal
        self.out = FDWriter(fd: terminal.stdout)
        self.err = FDWriter(fd: terminal.stderr)
        let quiet = parsed.has("quiet")
        self.console = Console(
            err: err, quiet: quiet, verbose: parsed.has("verbose"),
            status: StatusLine(err: err, enabled: !quiet && err.isTerminal,
                               width: terminalWidth(fd: terminal.stderr, environment: terminal.environment)))
    }

    /// The progress line on stderr (a terminal, not `-q`).
    var status: StatusLine { console.status }

    var positionals: [String] { parsed.positionals }
    func has(_ name: String) -> Bool { parsed.has(name) }
    func value(_ name: String) -> String? { parsed.value(name) }
    func all(_ name: String) -> [String] { parsed.all(name) }

    var quiet: Bool { has("quiet") }
    /// `--dry-run`: writes are printed, not sent (the gate is `WebexClient.send`).
    var dryRun: Bool { has("dry-run") }
    var verbose: Bool { has("verbose") }

    /// A number-of-seconds option within `range`, or `fallback`. The range keeps every later
    /// conversion (`Int(seconds * 1000)` for curl) from trapping.
    func number(_ name: String, default fallback: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = value(name) else { return fallback }
        guard let number = Double(text), number.isFinite, range.contains(number) else {
            throw UsageError("--\(name) takes a number of seconds from \(formatBound(range.lowerBound)) to "
                + "\(formatBound(range.upperBound)), not '\(text)'", command: parsed.command)
        }
        return number
    }

    private func formatBound(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
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
        // Checked before the command runs (Runner): a bad list never gets here.
        let fields = value("fields").flatMap { try? fieldList($0) }
        let made = Output(format: format, out: out, color: color, width: width, fields: fields,
                          ages: out.isTerminal, status: status)
        cachedOutput = made
        return made
    }

    /// Prints a list, then says on a terminal when it is empty or cut by `--limit` (`listEnd`).
    func printList(_ items: [JSON], columns: [Column], noun: String, limit: Int? = nil) throws {
        try output.list(items, columns: columns)
        listEnd(count: items.count, noun: noun, limit: limit)
    }

    /// On a terminal (stderr, not `-q`): `no rooms` after an empty list, and `showing 10 rooms;
    /// --limit 0 for all` after a list that `--limit` may have cut (as many as the limit).
    func listEnd(count: Int, noun: String, limit: Int?) {
        guard status.enabled else { return }
        if count == 0 {
            note("no \(noun)")
        } else if let limit, limit > 0, count >= limit {
            let what = count == 1 && noun.hasSuffix("s") ? String(noun.dropLast()) : noun
            note("showing \(count) \(what); --limit 0 for all")
        }
    }

    // MARK: Confirmations

    /// SPEC "Confirmations": without `--yes`, a command that deletes needs a terminal to ask
    /// on; otherwise it is a usage error before anything is done. A dry run deletes nothing,
    /// so it never asks.
    func requireConfirmable() throws {
        guard !has("yes"), !dryRun, isatty(terminal.stdin) != 1 else { return }
        throw UsageError("refusing to delete without --yes when stdin is not a terminal", command: parsed.command)
    }

    /// Asks `question` on a terminal unless `--yes`; any answer but yes throws `Declined` (exit 1).
    func confirm(_ question: String) throws {
        try requireConfirmable()
        guard !has("yes"), !dryRun else { return }
        err.writeDiagnostic("\(question) [y/N] ", newline: false)
        let answer = readLine(strippingNewline: true)?.trimmingSpaces().lowercased() ?? ""
        guard answer == "y" || answer == "yes" else { throw Declined() }
    }

    /// A diagnostic line on stderr (not with `-q`).
    func note(_ text: String) { console.note(text) }

    /// A warning on stderr, even with `-q`.
    func warn(_ text: String) { console.warn(text) }

    // MARK: Settings and API

    /// Reads all of stdin (once: `--token-file -` and `--text -` cannot both use it).
    func readStdin(for what: String) throws -> String {
        guard !stdinTaken else { throw UsageError("only one of the inputs can be read from stdin (\(what))") }
        stdinTaken = true
        return String(decoding: try readToEnd(fd: terminal.stdin), as: UTF8.self)
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
            // Editors on Windows start a UTF-8 file with a byte order mark: not part of the token.
            var scalars = Substring(text).unicodeScalars
            if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
            let token = String(String.UnicodeScalarView(scalars)).trimmingSpacesAndNewlines()
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
            let transport = CurlTransport(timeout: try number("timeout", default: 60, in: Limits.timeout),
                                          userAgent: "spark-space/\(sparkSpaceVersion)", caFile: try caFile())
            // The console decides what each event says (see `Console.observe`).
            let console = self.console
            let made = SparkSpace(settings: settings, transport: transport,
                                  maxWait: try number("max-wait", default: 300, in: Limits.maxWait),
                                  observer: { event in console.observe(event) }, dryRun: dryRun)
            cachedSpace = made
            return made
        }
    }

    /// The extra CA bundle: `--cacert`, else `SSL_CERT_FILE` (or curl's `CURL_CA_BUNDLE`).
    func caFile() throws -> String? {
        let given = value("cacert").map { ("--cacert", $0) }
            ?? terminal.environment["SSL_CERT_FILE"].map { ("SSL_CERT_FILE", $0) }
            ?? terminal.environment["CURL_CA_BUNDLE"].map { ("CURL_CA_BUNDLE", $0) }
        guard let (source, path) = given, !path.isEmpty else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw UsageError("cannot read the CA bundle \(path) (\(source))")
        }
        return path
    }

    /// The ROOM of a command: `positional`, else `--room`, else `space.room` (both through the
    /// settings). None of them is a usage error before any request: never a silent default room.
    func roomReference(_ positional: String?) throws -> String {
        if let positional { return positional }
        let settings = try space.settings
        guard let room = settings.room else {
            throw UsageError("no ROOM: give ROOM, or --room ROOM, or set space.room (or $CHAT_ROOM_TITLE)",
                             command: parsed.command)
        }
        return room
    }

    /// The token role chosen by `--as` (else `fallback`).
    func role(default fallback: TokenRole = .bot) -> TokenRole {
        value("as").flatMap(TokenRole.init(rawValue:)) ?? fallback
    }
}
