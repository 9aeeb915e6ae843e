#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SparkSpace

/// `auth login|status|token|refresh|logout` (SPEC "Signing in and profiles").
let authCommand = CommandSpec(
    "auth", summary: "sign a person in (OAuth device grant) and manage the stored sign-in",
    details: "A person's token that refreshes itself: `auth login` shows a code to enter on any device (no "
        + "browser on this machine). The signed-in token is the audit token when no flag, setting or "
        + "environment variable gives one. Stored per profile in $XDG_CONFIG_HOME/spark-space/credentials.json.",
    subcommands: [
        CommandSpec(
            "login", summary: "sign in with the device grant: a code to enter on any device",
            options: [.clientId, .clientSecretFile, .scope],
            examples: ["spark-space auth login --client-id C1234 --client-secret-file ~/.webex-secret",
                       "spark-space --profile work auth login"],
            run: authLogin),
        CommandSpec(
            "status", summary: "each token in use: who, where it comes from, expiry, scopes (exit 3 when one fails)",
            examples: ["spark-space auth status", "spark-space --profile work auth status -o json"],
            run: authStatus),
        CommandSpec(
            "token", summary: "print the token in use, refreshed if due (the sign-in's by default when there is one)",
            examples: ["curl -H \"Authorization: Bearer $(spark-space auth token)\" https://webexapis.com/v1/people/me"],
            run: authToken),
        CommandSpec("refresh", summary: "refresh the stored sign-in now", run: authRefresh),
        CommandSpec("logout", summary: "delete the stored sign-in of the profile", run: authLogout),
    ])

// MARK: login

/// What `auth login` was asked: the integration and the scopes.
struct AuthLoginOptions: CommandOptions {
    var clientId: String?
    var secretFile: String?
    var scopes: [String]

    init(_ inv: Invocation) throws {
        guard !inv.dryRun else {
            throw UsageError("auth login writes nothing to Webex: --dry-run does not apply", command: inv.parsed.command)
        }
        clientId = inv.value(.clientId)
        secretFile = inv.value(.clientSecretFile)
        scopes = inv.all(.scope)
        for scope in scopes where scope.isEmpty || scope.unicodeScalars.contains(where: { $0.value <= 32 || $0.value == 127 }) {
            throw UsageError("--scope takes one scope without spaces, not '\(printable(scope))'", command: inv.parsed.command)
        }
        if let clientId, clientId.isEmpty || clientId.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 }) {
            throw UsageError("--client-id is empty or holds a control character", command: inv.parsed.command)
        }
    }
}

private func authLogin(_ inv: Invocation) throws {
    let options = try AuthLoginOptions(inv)
    let settings = try inv.loadSettings()
    let integration = try loginIntegration(options, settings: settings, inv: inv)
    let oauth = OAuthClient(client: try inv.oauthClient(settings), integration: integration)
    let device = try oauth.authorize(scopes: options.scopes)
    announce(device, inv: inv)
    let grant = try oauth.waitForApproval(device) { left, _ in
        inv.status.show("waiting for approval on the other device (\(duration(Double(left))) left; Ctrl-C to stop)")
    }
    inv.status.clear()
    var signIn = StoredSignIn(grant: grant, integration: integration, now: Int64(Date().timeIntervalSince1970))
    let person = try signedInPerson(grant.accessToken, settings: settings, inv: inv)
    signIn.email = person["emails"]?.strings.first
    signIn.displayName = person["displayName"]?.string
    try SignInSession.save(signIn, store: inv.credentials, profile: settings.signInProfile)
    inv.note("signed in as \(signIn.displayName ?? "?") <\(signIn.email ?? "?")>"
        + (settings.profile.map { " for profile '\($0)'" } ?? "") + "; stored in \(inv.credentials.path)")
    if settings.auditToken != nil && settings.sources["space.audit_token"] != .signIn {
        inv.note("the audit token still comes from \(settings.sources["space.audit_token"]?.rawValue ?? "settings"), "
            + "which wins over the sign-in")
    }
    try printPeople([("audit", person)], inv: inv)
}

/// The integration: `--client-id` / `--client-secret-file`, else `oauth.*` (settings, env).
private func loginIntegration(_ options: AuthLoginOptions, settings: Settings, inv: Invocation) throws -> OAuthIntegration {
    guard let clientId = options.clientId ?? settings.clientId, !clientId.isEmpty else {
        throw SparkError.signIn(.noIntegration(missing: "client id"))
    }
    let secret = try options.secretFile.map { try inv.secret(fromFile: $0, flag: .clientSecretFile, noun: "secret") }
        ?? settings.clientSecret
    guard let secret, !secret.isEmpty else { throw SparkError.signIn(.noIntegration(missing: "client secret")) }
    return OAuthIntegration(clientId: clientId, clientSecret: secret)
}

/// The code and where to enter it, on stderr (even with -q: nothing happens without it).
private func announce(_ device: DeviceAuthorization, inv: Invocation) {
    let code = device.userCode.count == 6 && device.userCode.allSatisfy(\.isNumber)
        ? device.userCode.prefix(3) + " " + device.userCode.suffix(3) : Substring(device.userCode)
    inv.warn("Open \(device.verificationURI) and enter the code \(code) (expires in \(duration(Double(device.expiresIn))))")
    if let complete = device.verificationURIComplete {
        inv.warn("or open \(complete)")
    }
}

/// `people/me` with the new token (SPEC: shown on success).
private func signedInPerson(_ token: String, settings: Settings, inv: Invocation) throws -> JSON {
    let client = WebexClient(baseURL: settings.apiURL, token: token, transport: try inv.httpTransport(),
                             policy: RetryPolicy(delays: settings.retryDelays), budget: inv.waitBudget, sleeper: inv.waits)
    let console = inv.console
    client.observer = { event in console.observe(event) }
    return try client.get("people/me")
}

/// People as `whoami` prints them (a `token` column naming the role).
private func printPeople(_ people: [(String, JSON)], inv: Invocation) throws {
    if inv.output.format == .json {
        return try inv.output.item(.object(Dictionary(uniqueKeysWithValues: people)), columns: [])
    }
    let rows = people.map { role, person -> JSON in
        var row = person
        row["token"] = .string(role)
        return row
    }
    try inv.output.list(rows, columns: personColumns)
}

// MARK: status

private func authStatus(_ inv: Invocation) throws {
    let space = try inv.space
    let now = Int64(Date().timeIntervalSince1970)
    var rows: [JSON] = []
    var failed: [String] = []
    for role in TokenRole.allCases {
        guard let row = statusRow(role, space: space, inv: inv, now: now) else { continue }
        if row["works"] == .bool(false) { failed.append(role.rawValue) }
        rows.append(row)
    }
    if rows.isEmpty { inv.note("no token in use: neither a bot token, an audit token, nor a sign-in") }
    try inv.output.list(rows, columns: statusColumns(now: now))
    if !failed.isEmpty {
        throw PartialFailure(code: ExitCode.auth, description: "the \(failed.joined(separator: " and ")) token "
            + "does not work (see the status column)")
    }
}

/// One token's row; nil when `role` has no token.
private func statusRow(_ role: TokenRole, space: Space, inv: Invocation, now: Int64) -> JSON? {
    let settings = space.settings
    let key = role == .bot ? "space.token" : "space.audit_token"
    guard (role == .bot ? settings.token : settings.auditToken) != nil else { return nil }
    var row: [String: JSON] = ["token": .string(role.rawValue),
                               "source": .string(settings.sources[key].map(settings.sourceName) ?? "-")]
    if role == .audit, settings.sources[key] == .signIn, let signIn = space.signIn?.stored {
        row["expires"] = stamp(signIn.accessExpires)
        row["refreshExpires"] = signIn.refreshExpires.map(stamp) ?? .null
        row["scopes"] = .array(signIn.scope.split(separator: " ").map { .string(String($0)) })
    }
    do {
        let person = try space.me(role).json
        row["id"] = person["id"] ?? .null
        row["email"] = person["emails"]?.array?.first ?? .null
        row["displayName"] = person["displayName"] ?? .null
        row["works"] = true
        // A refresh on the way changed the expiry.
        if role == .audit, settings.sources[key] == .signIn, let signIn = space.signIn?.stored {
            row["expires"] = stamp(signIn.accessExpires)
            row["refreshExpires"] = signIn.refreshExpires.map(stamp) ?? .null
        }
    } catch {
        row["works"] = false
        row["error"] = .string(errorText(error))
    }
    return .object(row)
}

private func statusColumns(now: Int64) -> [Column] {
    [
        Column("token"), Column("source"), Column("email"),
        Column("expires", value: { untilText(epoch($0["expires"]), now: now) }),
        Column("refresh", value: { untilText(epoch($0["refreshExpires"]), now: now) }),
        Column("scopes", value: { $0["scopes"]?.strings.joined(separator: ",") ?? "-" }),
        Column("status", truncatable: true, value: { $0["works"] == .bool(true) ? "ok" : $0["error"]?.string ?? "fails" }),
    ]
}

/// RFC 3339, as the API writes times.
private func stamp(_ epoch: Int64) -> JSON { .string(RFC3339.format(Date(timeIntervalSince1970: Double(epoch)))) }

private func epoch(_ stamp: JSON?) -> Int? { stamp?.string.flatMap(RFC3339.millis).map { Int($0 / 1000) } }

/// `in 13d`, `expired 2h ago`, `-` (a token that does not expire, or not known).
func untilText(_ epoch: Int?, now: Int64) -> String {
    guard let epoch else { return "-" }
    let left = Int64(epoch) - now
    return left >= 0 ? "in \(shortAge(left))" : "expired \(shortAge(-left)) ago"
}

private func shortAge(_ seconds: Int64) -> String {
    switch seconds {
    case ..<60: return "\(seconds)s"
    case ..<3600: return "\(seconds / 60)m"
    case ..<86_400: return "\(seconds / 3600)h"
    default: return "\(seconds / 86_400)d"
    }
}

// MARK: token, refresh, logout

private func authToken(_ inv: Invocation) throws {
    let space = try inv.space
    let signedIn = space.settings.sources["space.audit_token"] == .signIn
    let role = inv.role(default: signedIn ? .audit : .bot)
    // The one output that shows a token, on purpose (for `$(spark-space auth token)`).
    try inv.out.write(try space.client(role).currentToken() + "\n")
}

/// `auth refresh`: no --dry-run (exit 2).
struct AuthRefreshOptions: CommandOptions {
    init(_ inv: Invocation) throws {
        guard !inv.dryRun else {
            throw UsageError("auth refresh writes nothing to Webex: --dry-run does not apply", command: inv.parsed.command)
        }
    }
}

private func authRefresh(_ inv: Invocation) throws {
    _ = try AuthRefreshOptions(inv)
    let settings = try inv.loadSettings()
    guard let session = try inv.signIn ?? inv.openSignIn(settings) else {
        throw SparkError.signIn(.notSignedIn(profile: settings.signInProfile))
    }
    let refreshed = try session.refreshNow()
    let now = Int64(Date().timeIntervalSince1970)
    inv.note("refreshed the sign-in of \(refreshed.email ?? "?")\(settings.profile.map { " (profile '\($0)')" } ?? ""); "
        + "the access token expires \(untilText(Int(refreshed.accessExpires), now: now))")
}

/// `auth logout`: the profile whose sign-in goes (`--config`, `--profile`; no token needed).
struct AuthLogoutOptions: CommandOptions {
    var config: String?
    var profile: String?
    init(_ inv: Invocation) throws {
        config = inv.value(.config)
        profile = inv.value(.profile)
    }
}

private func authLogout(_ inv: Invocation) throws {
    let options = try AuthLogoutOptions(inv)
    let settings = try SettingsLoader(environment: inv.console.environment)
        .load(file: options.config, profile: options.profile)
    let profile = settings.signInProfile
    if inv.dryRun {
        return inv.note("would have deleted the stored sign-in of profile '\(profile)' (nothing done, --dry-run)")
    }
    guard try SignInSession.remove(store: inv.credentials, profile: profile) else {
        return inv.note("no stored sign-in for profile '\(profile)'; nothing to do")
    }
    inv.note("deleted the stored sign-in of profile '\(profile)' from \(inv.credentials.path)")
}
