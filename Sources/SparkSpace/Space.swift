#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which token a request is made with.
public enum TokenRole: String, CaseIterable, Sendable {
    /// The bot's token (`space.token`).
    case bot
    /// A person's token used for audit and for reading history (`space.audit_token`).
    case audit
}

/// The version of the tool and library, sent as `User-Agent: spark-space/VERSION`.
public let sparkSpaceVersion = "0.1.0"

/// A Cisco Spark / Webex Teams space: the settings and one API client per token.
/// This is the library's entry point; the command line is a thin layer over it.
public final class Space {
    /// The settings in use.
    public let settings: Settings
    private let transport: HTTPTransport
    private let budget: WaitBudget
    private let sleeper: Sleeper
    private let observer: (@Sendable (ClientEvent) -> Void)?
    /// `--dry-run`: every client reports its writes to the observer instead of sending them.
    private let dryRun: Bool
    /// The stored sign-in of the profile, when it is the audit token (SPEC: flag > settings > env > sign-in).
    public let signIn: SignInSession?
    private var clients: [TokenRole: WebexClient] = [:]
    private let lock = ThreadLock()

    /// - Parameters:
    ///   - maxWait: total seconds all requests may wait on `Retry-After` (SPEC `--max-wait`).
    ///   - budget: the budget to share instead (with a sign-in's refreshes); `maxWait` is then unused.
    public init(
        settings: Settings, transport: HTTPTransport, maxWait: Double = 300,
        sleeper: Sleeper = SystemSleeper(), observer: (@Sendable (ClientEvent) -> Void)? = nil,
        dryRun: Bool = false, signIn: SignInSession? = nil, budget: WaitBudget? = nil
    ) {
        self.signIn = signIn
        self.settings = settings
        self.transport = transport
        self.budget = budget ?? WaitBudget(seconds: maxWait)
        self.sleeper = sleeper
        self.observer = observer
        self.dryRun = dryRun
    }

    /// True when writes are reported, not sent (`--dry-run`).
    public var isDryRun: Bool { dryRun }

    /// True when an audit token is configured.
    public var hasAuditToken: Bool { settings.auditToken != nil }

    /// The client for `role`; throws `missingToken(role)` when that role has no token.
    public func client(_ role: TokenRole = .bot) throws -> WebexClient {
        lock.lock()
        defer { lock.unlock() }
        if let client = clients[role] { return client }
        let provider = try tokens(role)
        let client = WebexClient(
            baseURL: settings.apiURL, tokens: provider, transport: transport,
            policy: RetryPolicy(delays: settings.retryDelays), budget: budget, sleeper: sleeper)
        client.observer = observer
        client.dryRun = dryRun
        // A sign-in's token changes when refreshed: its last 4 are not a fixed fact.
        let shown = (provider as? FixedToken).map { redact($0.value) } ?? "refreshed as needed"
        client.identity = "\(role.rawValue) (token from \(tokenOrigin(role)), \(shown))"
        clients[role] = client
        return client
    }

    /// Where the token of `role` came from: what the caller said (`--token-file t`), else the
    /// settings file, the environment variable, the sign-in, or the caller's overrides.
    public func tokenOrigin(_ role: TokenRole) -> String {
        let key = role == .bot ? "space.token" : "space.audit_token"
        if let told = settings.tokenOrigins[key] { return told }
        switch settings.sources[key] {
        case .file: return "settings file \(settings.file ?? "?") (\(key))"
        case .env: return role == .bot ? "$CISCO_SPARK_BOT_TOKEN" : "$CISCO_SPARK_AUDIT_TOKEN"
        case .flag: return "the command line"
        case .signIn: return "the sign-in (auth login)"
        default: return "the default"
        }
    }

    /// Where `role`'s token comes from: the sign-in (audit, when nothing else gives one), else the settings.
    private func tokens(_ role: TokenRole) throws -> TokenProvider {
        if role == .audit, let signIn, settings.sources["space.audit_token"] == .signIn { return signIn }
        guard let token = role == .bot ? settings.token : settings.auditToken, !token.isEmpty else {
            throw SparkError.missingToken(role)
        }
        return FixedToken(token)
    }

    /// Refreshes the audit sign-in after Webex refused `rejected` (a websocket closed with 4401):
    /// the token to connect with again, or nil when the audit token is not a sign-in (nothing to refresh).
    public func refreshAuditSignIn(rejecting rejected: String) throws -> String? {
        try client(.audit).refreshToken(rejecting: rejected)
    }

    /// A client for another Webex service (the u2c catalog, the device service) at `baseURL`,
    /// with `role`'s token, transport, retries and wait budget; the token goes to that origin only.
    public func serviceClient(baseURL: String, as role: TokenRole = .bot) throws -> WebexClient {
        let client = WebexClient(
            baseURL: baseURL, tokens: try tokens(role), transport: transport,
            policy: RetryPolicy(delays: settings.retryDelays), budget: budget, sleeper: sleeper)
        client.observer = observer
        client.dryRun = dryRun
        return client
    }

    /// The token of `role` (a sign-in's refreshed first when due), for the websocket's in-band
    /// authorization frame.
    public func token(_ role: TokenRole = .bot) throws -> String {
        try client(role).currentToken()
    }

    /// The person behind a token (`GET /people/me`, seed `on_connect`).
    public func me(_ role: TokenRole = .bot) throws -> Person {
        try Person(json: client(role).get("people/me"))
    }

    /// `{"bot": person, "audit": person}`, `audit` only when an audit token is set.
    public func whoami() throws -> JSON {
        var result: [String: JSON] = ["bot": try me(.bot).json]
        if hasAuditToken { result["audit"] = try me(.audit).json }
        return .object(result)
    }
}
