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

/// A parsed command line plus everything a command needs: settings, the space
/// (API clients), output and diagnostics. Built lazily so `--help` and usage
/// errors need no settings.
public final class Invocation {
    public let parsed: ParsedCommand
    /// stdin, stdout, stderr, their terminal-ness, prompts and the progress line.
    let console: Console
    /// The HTTP transport of a test; nil: libcurl.
    private let transport: HTTPTransport?
    /// What waits on `Retry-After` and between retries (an in-process test's waits no time); nil: the clock.
    private let sleeper: Sleeper?
    private var cachedSpace: Space?
    /// The run's first HTTP exchange (for the hint of an API URL without `/v1`).
    let firstRequest = FirstRequest()
    private var cachedSettings: Settings?
    private var cachedTransport: HTTPTransport?
    /// The time the command's requests may wait on `Retry-After` (`--max-wait`), shared by all of them.
    private(set) lazy var waitBudget = WaitBudget(seconds: seconds(.maxWait) ?? 300)
    /// The profile's stored sign-in, when it gives the audit token (read with the settings).
    private(set) var signIn: SignInSession?
    private var cachedOutput: Output?
    private var stdinTaken = false

    init(parsed: ParsedCommand, console: Console, transport: HTTPTransport? = nil, sleeper: Sleeper? = nil) {
        self.parsed = parsed
        self.console = console
        self.transport = transport
        self.sleeper = sleeper
    }

    /// What a command's own waits go to (polling for a sign-in): the test's sleeper, else the clock.
    var waits: Sleeper { sleeper ?? SystemSleeper() }

    var out: FDWriter { console.out }
    /// The progress line on stderr (a terminal, not `-q`).
    var status: StatusLine { console.status }

    var positionals: [String] { parsed.positionals }

    // MARK: Options (by their table constants; values checked by the parser)

    func has(_ option: OptionSpec) -> Bool { parsed.has(declared(option)) }
    /// The last value given.
    func value(_ option: OptionSpec) -> String? { parsed.value(declared(option)) }
    /// Every value of a repeatable option.
    func all(_ option: OptionSpec) -> [String] { parsed.all(declared(option)) }
    /// A whole-number option (`.int` kind), nil when not given.
    func int(_ option: OptionSpec) -> Int? { value(option).flatMap { Int($0) } }
    /// A number-of-seconds option (`.duration` kind), nil when not given.
    func seconds(_ option: OptionSpec) -> Double? { value(option).flatMap { Double($0) } }

    /// The name `option` is stored under. A command reading an option its table entry lacks
    /// would always read nothing: debug builds (the tests, optimized or not) stop there instead.
    private func declared(_ option: OptionSpec) -> String {
        #if DEBUG
        precondition(Parser().options(of: parsed.command).contains { $0.long == option.long },
                     "'\(parsed.command.path)' reads --\(option.long), which its table entry does not declare")
        #endif
        return option.long
    }

    var quiet: Bool { has(.quiet) }
    /// `--dry-run`: writes are printed, not sent (the gate is `WebexClient.send`).
    var dryRun: Bool { has(.dryRun) }
    var verbose: Bool { has(.verbose) }

    // MARK: Output

    var output: Output {
        if let cachedOutput { return cachedOutput }
        let format = chosenFormat ?? (console.stdoutIsTerminal ? .table : .tsv)
        // Checked before the command runs (Runner): a bad list never gets here.
        let fields = value(.fields).flatMap { try? fieldList($0) }
        let made = Output(format: format, out: out, color: console.color, width: console.width, fields: fields,
                          ages: console.stdoutIsTerminal, status: status)
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

    /// Asks on the terminal whether to delete `what` (`room 'Ops' (Y2l...)`) unless `--yes` or a
    /// dry run; any answer but yes throws `Declined` (exit 1). Off a terminal without `--yes` the
    /// runner has refused the command before it ran (`CommandSpec.destructive`); the check here
    /// keeps a command that forgot the attribute from deleting unasked (a debug build stops
    /// earlier: it reads a `--yes` the command does not declare).
    func confirm(deleting what: String) throws {
        guard !has(.yes), !dryRun else { return }
        guard console.canPrompt else { throw refusal(parsed.command) }
        guard console.confirm("Delete \(what)?") else { throw Declined() }
    }

    /// A diagnostic line on stderr (not with `-q`).
    func note(_ text: String) { console.note(text) }

    /// What a command's writes did (`deleted room 'X'`, `added 3, ...`). Under --dry-run nothing was
    /// sent, so the note says what would have been done instead of claiming it.
    func noteDone(_ text: String) { note(dryRun ? "would have \(text) (nothing sent, --dry-run)" : text) }

    /// A warning on stderr, even with `-q`.
    func warn(_ text: String) { console.warn(text) }

    // MARK: Settings and API

    /// Reads all of stdin (once: `--token-file -` and `--text -` cannot both use it), at most
    /// `limit` bytes: more is a usage error, read no further (`yes | ... --text -` ends).
    func readStdin(for what: String, limit: Int) throws -> String {
        guard !stdinTaken else { throw UsageError("only one of the inputs can be read from stdin (\(what))") }
        stdinTaken = true
        return String(decoding: try readBounded(fd: console.stdin, what: "\(what) from stdin", limit: limit), as: UTF8.self)
    }

    /// Everything readable from `fd`, at most `limit` bytes (else a usage error naming `what`).
    func readBounded(fd: Int32, what: String, limit: Int) throws -> [UInt8] {
        let bytes = try readToEnd(fd: fd, limit: limit)
        guard bytes.count <= limit else {
            throw UsageError("\(what) is over \(limit) bytes", command: parsed.command)
        }
        return bytes
    }

    private func tokenOverride(_ flag: OptionSpec, fileFlag: OptionSpec) throws -> String? {
        if let path = value(fileFlag) { return try secret(fromFile: path, flag: fileFlag, noun: "token") }
        return value(flag)
    }

    /// A token or secret read from `path` (`-`: stdin) given with `flag`: one line, trimmed.
    func secret(fromFile path: String, flag fileFlag: OptionSpec, noun: String) throws -> String {
        let text: String
        // A token is a line: 64 KB is far more, and `--token-file /dev/zero` must end.
        let limit = 64 << 10
        if path == "-" {
            text = try readStdin(for: "--\(fileFlag.long)", limit: limit)
        } else {
            // Not only a regular file: `--token-file <(pass show webex)` is a pipe.
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw UsageError("cannot read --\(fileFlag.long) \(path)") }
            defer { close(fd) }
            guard let bytes = try? readToEnd(fd: fd, limit: limit) else { throw UsageError("cannot read --\(fileFlag.long) \(path)") }
            guard bytes.count <= limit else { throw UsageError("--\(fileFlag.long) \(path) is over \(limit) bytes: not a token") }
            text = String(decoding: bytes, as: UTF8.self)
        }
        // Editors on Windows start a UTF-8 file with a byte order mark: not part of the token.
        var scalars = Substring(text).unicodeScalars
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        let token = String(String.UnicodeScalarView(scalars)).trimmingSpacesAndNewlines()
        guard !token.isEmpty else { throw UsageError("--\(fileFlag.long) \(path) holds no \(noun)") }
        return token
    }

    /// The settings (read once), with the profile's sign-in as the audit token when nothing
    /// else gives one (SPEC: flag > settings > env > sign-in).
    func loadSettings() throws -> Settings {
        if let cachedSettings { return cachedSettings }
        var overrides: [String: String] = [:]
        overrides["space.token"] = try tokenOverride(.token, fileFlag: .tokenFile)
        overrides["space.audit_token"] = try tokenOverride(.auditToken, fileFlag: .auditTokenFile)
        overrides["space.room"] = value(.room)
        overrides["api_url"] = value(.apiUrl)
        var settings = try SettingsLoader(environment: console.environment)
            .load(file: value(.config), overrides: overrides, profile: value(.profile))
        // A 401/403 names the flag a token came from (SPEC "Exit codes").
        settings.tokenOrigins["space.token"] = value(.tokenFile).map { "--token-file \($0)" }
            ?? value(.token).map { _ in "--token" }
        settings.tokenOrigins["space.audit_token"] = value(.auditTokenFile).map { "--audit-token-file \($0)" }
            ?? value(.auditToken).map { _ in "--audit-token" }
        try checkAPIURL(settings)
        if settings.auditToken == nil, let session = try openSignIn(settings) {
            settings.auditToken = session.stored.accessToken
            settings.sources["space.audit_token"] = .signIn
            signIn = session
        }
        cachedSettings = settings
        return settings
    }

    /// SPEC "Exit codes": an API URL without `http://` or `https://` is a usage error before any
    /// request (a token must never go to a URL curl would guess the scheme of).
    private func checkAPIURL(_ settings: Settings) throws {
        let lower = settings.apiURL.lowercased()
        guard !lower.hasPrefix("http://") && !lower.hasPrefix("https://") else { return }
        let source: String
        switch settings.sources["api_url"] {
        case .flag: source = "--api-url"
        case .env: source = "SPARK_API_URL"
        case .file: source = "api_url in \(settings.file ?? "the settings file")"
        default: source = "the API URL"
        }
        let what = settings.apiURL.contains("://") ? "is not an http:// or https:// URL" : "has no scheme"
        throw UsageError("\(source) '\(settings.apiURL)' \(what): give http:// or https:// "
            + "(e.g. https://webexapis.com/v1)")
    }

    /// The credentials file of this run's environment.
    var credentials: CredentialsStore { CredentialsStore(environment: console.environment) }

    /// The stored sign-in of the settings' profile; nil when there is none.
    func openSignIn(_ settings: Settings) throws -> SignInSession? {
        try SignInSession.open(store: credentials, profile: settings.signInProfile, oauth: try oauthClient(settings))
    }

    /// The client the OAuth endpoints are asked through (`WebexClient.exchange`): no token, and
    /// the retries, `--max-wait` budget, sleeper and events of every other request of the command.
    func oauthClient(_ settings: Settings) throws -> WebexClient {
        let client = WebexClient(baseURL: settings.apiURL, token: "", transport: try httpTransport(),
                                 policy: RetryPolicy(delays: settings.retryDelays), budget: waitBudget, sleeper: waits)
        client.observer = observer
        return client
    }

    /// What every client of the command tells: the console, and the first request (for a hint).
    private var observer: @Sendable (ClientEvent) -> Void {
        let (console, first) = (self.console, firstRequest)
        return { event in
            first.see(event)
            console.observe(event)
        }
    }

    /// The HTTP transport: a test's, else libcurl (made once).
    func httpTransport() throws -> HTTPTransport {
        if let transport { return transport }
        if let cachedTransport { return cachedTransport }
        let made = CurlTransport(timeout: seconds(.timeout) ?? 60, userAgent: "spark-space/\(sparkSpaceVersion)",
                                 caFile: try caFile())
        cachedTransport = made
        return made
    }

    /// The space: settings plus API clients, made on first use.
    var space: Space {
        get throws {
            if let cachedSpace { return cachedSpace }
            let settings = try loadSettings()
            let transport = try httpTransport()
            // The console decides what each event says (see `Console.observe`).
            let made = Space(settings: settings, transport: transport, sleeper: waits, observer: observer,
                             dryRun: dryRun, signIn: signIn, budget: waitBudget)
            cachedSpace = made
            return made
        }
    }

    /// The extra CA bundle: `--cacert`, else `SSL_CERT_FILE` (or curl's `CURL_CA_BUNDLE`).
    func caFile() throws -> String? {
        let given = value(.cacert).map { ("--cacert", $0) }
            ?? console.environment["SSL_CERT_FILE"].map { ("SSL_CERT_FILE", $0) }
            ?? console.environment["CURL_CA_BUNDLE"].map { ("CURL_CA_BUNDLE", $0) }
        guard let (source, path) = given, !path.isEmpty else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw UsageError("cannot read the CA bundle \(path) (\(source))")
        }
        return path
    }

    /// The ROOM of a command: `positional`, else `--room`, else `space.room` (both through the
    /// settings). None of them is a usage error before any request: never a silent default room.
    /// Both ROOM and `--room` is one too, as for `rooms delete`: a wrapper's `--room` must not
    /// silently lose to the ROOM it was given (or the other way round) on a write.
    /// A blank one, from wherever (`space.room: $CHAT_ROOM_TITLE` with the variable set empty in CI),
    /// is none.
    func roomReference(_ positional: String?) throws -> String {
        if let positional {
            guard value(.room) == nil else {
                throw UsageError("give ROOM either as an argument or with --room, not both", command: parsed.command)
            }
            guard !positional.trimmingSpaces().isEmpty else { throw UsageError("ROOM is empty", command: parsed.command) }
            return positional
        }
        let settings = try space.settings
        guard let room = settings.room, !room.trimmingSpaces().isEmpty else {
            throw UsageError("no ROOM: give ROOM, or --room ROOM, or set space.room (or $CHAT_ROOM_TITLE)",
                             command: parsed.command)
        }
        return room
    }

    /// The token role chosen by `--as` (else `fallback`).
    func role(default fallback: TokenRole = .bot) -> TokenRole {
        value(.role).flatMap(TokenRole.init(rawValue:)) ?? fallback
    }
}

/// The first HTTP exchange of a run, told by the clients' events from any thread.
final class FirstRequest: @unchecked Sendable {
    private let lock = ThreadLock()
    private var entry: RequestLogEntry?

    func see(_ event: ClientEvent) {
        guard case .request(let logged) = event else { return }
        lock.lock()
        if entry == nil { entry = logged }
        lock.unlock()
    }

    var logged: RequestLogEntry? {
        lock.lock()
        defer { lock.unlock() }
        return entry
    }
}

extension Invocation {
    /// `error` with a hint where the cause is likely elsewhere: an API URL whose first request
    /// answers 404 and whose path does not end in `/v1` (SPEC "Exit codes").
    func explained(_ error: Error) -> Error {
        guard case SparkError.api(let failure)? = error as? SparkError, failure.status == 404,
              let first = firstRequest.logged, first.status == 404, first.path == failure.path,
              let base = cachedSpace?.settings.apiURL
        else { return error }
        let path = URLComponents(string: base)?.path ?? ""
        guard !path.hasSuffix("/v1") && !path.hasSuffix("/v1/") else { return error }
        return HintedError(underlying: error, hint: "the API URL \(base) answered 404 to the first request: "
            + "does it lack /v1? (Webex's is https://webexapis.com/v1)")
    }
}
