import Foundation

/// The mock's side of signing in (issue 27): OAuth's device grant as Webex implements it
/// (`POST /device/authorize`, `POST /device/token`), the refresh grant (`POST /access_token`),
/// integrations with secrets, and the switches tests turn: approval after N polls, denial,
/// expiry, slow_down, token lifetimes. The access tokens it issues become identities the rest
/// of the mock accepts, until they expire (then 401).
///
/// Strict as Webex: form bodies only, HTTP Basic client authentication on `/device/token`,
/// the client's own scopes only, polls faster than `interval` answered with `slow_down`.
public final class OAuthMockState: @unchecked Sendable {  // guarded by the server's lock
    /// Integrations by client id: secret and the scopes it may ask for.
    var integrations: [String: (secret: String, scopes: Set<String>)] = [:]
    var grants: [String: DeviceGrantRec] = [:]
    var accessTokens: [String: IssuedToken] = [:]
    var refreshTokens: [String: IssuedToken] = [:]
    var switches = OAuthSwitches()
    /// Authenticated requests left before every issued access token dies (nil: no such switch).
    var usesBeforeExpiry: Int?
    var refreshes = 0
    var counter = 0
}

/// What the device grant does this run; tests set these through `MockWebexServer.oauth(_:)`.
public struct OAuthSwitches: Sendable {
    /// The person approves after this many polls answered 428 (nil: never).
    public var approveAfterPolls: Int? = 2
    /// The person denies instead of approving (after `approveAfterPolls`).
    public var deny = false
    /// `expires_in` of a device code, seconds.
    public var codeLifetime = 300
    /// `interval` announced, seconds.
    public var interval = 1
    /// The first N polls are answered 400 `slow_down` (and the interval grows by 5 s).
    public var slowDownPolls = 0
    /// Lifetime of the access tokens issued, seconds.
    public var accessLifetime = 1_209_600
    /// Lifetime of the refresh tokens issued, seconds.
    public var refreshLifetime = 7_776_000
    /// Who approves: this e-mail (a person of the mock).
    public var approver = "alice@example.com"
    /// Answer 429 with `Retry-After: throttleRetryAfter` to the first N requests of the sign-in
    /// endpoints (of `throttledEndpoint` only, when set: `/device/token`).
    public var throttle = 0
    public var throttleRetryAfter = "1"
    public var throttledEndpoint: String?

    public init() {}
}

struct DeviceGrantRec {
    let clientId: String
    let scope: String
    let userCode: String
    let expires: Date
    var interval: Int
    var polls = 0
    var lastPoll: Date?
    var done = false
}

struct IssuedToken {
    var personId: String
    var clientId: String
    var scope: String
    var expires: Date
}

extension MockWebexServer {
    // MARK: Fixtures and switches (thread-safe)

    /// Registers an integration (client id and secret) allowed `scopes`.
    public func addIntegration(clientId: String, clientSecret: String,
                               scopes: [String] = ["spark:all", "spark:kms", "spark:people_read"]) {
        lock.lock(); defer { lock.unlock() }
        oauthState.integrations[clientId] = (clientSecret, Set(scopes))
    }

    /// Changes what the device grant does.
    public func oauth(_ change: (inout OAuthSwitches) -> Void) {
        lock.lock(); defer { lock.unlock() }
        change(&oauthState.switches)
    }

    /// Issues tokens for `email` directly (as a finished sign-in would): (access, refresh).
    public func issueTokens(clientId: String, email: String, accessLifetime: Int = 1_209_600,
                            refreshLifetime: Int = 7_776_000) -> (access: String, refresh: String) {
        lock.lock(); defer { lock.unlock() }
        let pid = peopleByEmail[email.lowercased()] ?? audit.id
        return issue(personId: pid, clientId: clientId, scope: "spark:all", access: accessLifetime,
                     refresh: refreshLifetime)
    }

    /// Every access token issued so far stops working now (401).
    public func expireAccessTokens() {
        lock.lock(); defer { lock.unlock() }
        for key in oauthState.accessTokens.keys { oauthState.accessTokens[key]!.expires = .distantPast }
    }

    /// Every access token issued so far dies after `n` more authenticated requests made with one.
    public func expireAccessTokens(afterUses n: Int) {
        lock.lock(); defer { lock.unlock() }
        oauthState.usesBeforeExpiry = n
    }

    /// Every refresh token issued so far is refused from now on (revoked).
    public func revokeRefreshTokens() {
        lock.lock(); defer { lock.unlock() }
        for key in oauthState.refreshTokens.keys { oauthState.refreshTokens[key]!.expires = .distantPast }
    }

    /// Every access and refresh token and device code issued so far (for tests that scan output for them).
    public var issuedTokens: [String] {
        lock.lock(); defer { lock.unlock() }
        return Array(oauthState.accessTokens.keys) + Array(oauthState.refreshTokens.keys) + Array(oauthState.grants.keys)
    }

    /// How many refresh grants succeeded.
    public var refreshCount: Int {
        lock.lock(); defer { lock.unlock() }
        return oauthState.refreshes
    }

    /// True when `token` may be used: not an access token this mock issued that has expired.
    /// (Called by the router with the lock held.)
    func oauthTokenLive(_ token: String) -> Bool {
        guard let issued = oauthState.accessTokens[token] else { return true }
        if let left = oauthState.usesBeforeExpiry {
            if left <= 0 {
                for key in oauthState.accessTokens.keys { oauthState.accessTokens[key]!.expires = .distantPast }
                oauthState.usesBeforeExpiry = nil
                return false
            }
            oauthState.usesBeforeExpiry = left - 1
        }
        return issued.expires > Date()
    }

    // MARK: Routing (lock held)

    /// The answer for the sign-in endpoints, or nil when `c` is not one of them.
    func routeOAuth(_ c: Ctx) -> Reply? {
        let endpoint: String
        switch c.path {
        case "/device/authorize", "/device/token", "/access_token": endpoint = c.path
        default: return nil
        }
        guard c.method == "POST" else {
            var r = errorReply(405, "Method \(c.method) is not allowed for this resource.", c.trackingId)
            r.headers.append(("Allow", "POST"))
            return r
        }
        let s = oauthState.switches
        if s.throttle > 0, s.throttledEndpoint == nil || s.throttledEndpoint == endpoint {
            oauthState.switches.throttle -= 1
            var r = errorReply(429, "Too Many Requests", c.trackingId)
            r.headers.append(("Retry-After", s.throttleRetryAfter))
            return r
        }
        guard (c.headers["content-type"] ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            return errorReply(415, "Content-Type must be application/x-www-form-urlencoded.", c.trackingId)
        }
        guard c.queryPairs.isEmpty else {
            return oauthError(400, "invalid_request", "Query parameters are not accepted here.", c)
        }
        var form: [String: String] = [:]
        for (k, v) in QueryCoding.parse(Substring(String(decoding: c.body, as: UTF8.self))) {
            guard form[k] == nil else { return oauthError(400, "invalid_request", "Parameter \(k) is repeated.", c) }
            form[k] = v
        }
        switch endpoint {
        case "/device/authorize": return authorize(form, c)
        case "/device/token": return deviceToken(form, c)
        default: return refresh(form, c)
        }
    }

    /// An OAuth error body: RFC 6749's `error` and `error_description`, plus Webex's `message` and `trackingId`.
    private func oauthError(_ status: Int, _ error: String, _ description: String, _ c: Ctx) -> Reply {
        jsonReply(status, [("error", error), ("error_description", description), ("message", description),
                           ("errors", [[("description", description)] as JObj] as [Any]), ("trackingId", c.trackingId)])
    }

    private func authorize(_ form: [String: String], _ c: Ctx) -> Reply {
        guard let clientId = form["client_id"], !clientId.isEmpty else {
            return oauthError(400, "invalid_request", "client_id is required.", c)
        }
        guard let integration = oauthState.integrations[clientId] else {
            return oauthError(400, "invalid_client", "The client_id is not a registered integration.", c)
        }
        guard let scope = form["scope"], !scope.isEmpty else {
            return oauthError(400, "invalid_scope", "scope is required.", c)
        }
        let asked = scope.split(separator: " ").map(String.init)
        if let bad = asked.first(where: { !integration.scopes.contains($0) }) {
            return oauthError(400, "invalid_scope", "The integration does not allow the scope \(bad).", c)
        }
        if let extra = form.keys.first(where: { $0 != "client_id" && $0 != "scope" }) {
            return oauthError(400, "invalid_request", "Unknown parameter \(extra).", c)
        }
        oauthState.counter += 1
        let deviceCode = "DEVICE-\(UUID().uuidString)"
        let userCode = String(format: "%06d", (oauthState.counter * 104_729) % 1_000_000)
        let s = oauthState.switches
        oauthState.grants[deviceCode] = DeviceGrantRec(
            clientId: clientId, scope: asked.joined(separator: " "), userCode: userCode,
            expires: Date().addingTimeInterval(TimeInterval(s.codeLifetime)), interval: s.interval)
        let verify = "https://login.example.com/verify"
        return jsonReply(200, [("device_code", deviceCode), ("expires_in", s.codeLifetime), ("user_code", userCode),
                               ("verification_uri", verify), ("verification_uri_complete", "\(verify)?userCode=\(userCode)"),
                               ("interval", s.interval)])
    }

    /// The client id of a valid `Authorization: Basic` header, or the error to answer.
    private func basicClient(_ c: Ctx) -> (String?, Reply?) {
        let header = c.headers["authorization"] ?? ""
        guard header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        else { return (nil, oauthError(401, "invalid_client", "Client authentication (HTTP Basic) is required.", c)) }
        let id = String(pair[..<colon]), secret = String(pair[pair.index(after: colon)...])
        guard let integration = oauthState.integrations[id], integration.secret == secret else {
            return (nil, oauthError(401, "invalid_client", "Client authentication failed.", c))
        }
        return (id, nil)
    }

    private func deviceToken(_ form: [String: String], _ c: Ctx) -> Reply {
        let (client, failure) = basicClient(c)
        guard let clientId = client else { return failure! }
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code" else {
            return oauthError(400, "unsupported_grant_type", "grant_type must be the device code grant.", c)
        }
        guard form["client_id"] == nil || form["client_id"] == clientId else {
            return oauthError(400, "invalid_request", "client_id does not match the client authentication.", c)
        }
        guard let code = form["device_code"], var grant = oauthState.grants[code], grant.clientId == clientId,
              !grant.done
        else { return oauthError(400, "invalid_grant", "The device_code is not valid.", c) }
        defer { oauthState.grants[code] = grant }
        let now = Date()
        guard now < grant.expires else { return oauthError(400, "expired_token", "The device_code has expired.", c) }
        let tooSoon = grant.lastPoll.map { now.timeIntervalSince($0) < Double(grant.interval) - 0.05 } ?? false
        grant.lastPoll = now
        grant.polls += 1
        let s = oauthState.switches
        if tooSoon || grant.polls <= s.slowDownPolls {
            grant.interval += 5
            return oauthError(400, "slow_down", "Polling too fast; wait \(grant.interval) seconds.", c)
        }
        guard let after = s.approveAfterPolls, grant.polls > after + s.slowDownPolls else {
            return oauthError(428, "authorization_pending", "The user has not yet approved the request.", c)
        }
        if s.deny { grant.done = true; return oauthError(400, "access_denied", "The user denied the request.", c) }
        grant.done = true
        let pid = peopleByEmail[s.approver.lowercased()] ?? audit.id
        let (access, refresh) = issue(personId: pid, clientId: clientId, scope: grant.scope, access: s.accessLifetime,
                                      refresh: s.refreshLifetime)
        return tokenReply(access, refresh)
    }

    private func refresh(_ form: [String: String], _ c: Ctx) -> Reply {
        guard form["grant_type"] == "refresh_token" else {
            return oauthError(400, "unsupported_grant_type", "grant_type must be refresh_token.", c)
        }
        guard let clientId = form["client_id"], let integration = oauthState.integrations[clientId],
              form["client_secret"] == integration.secret
        else { return oauthError(401, "invalid_client", "Client authentication failed.", c) }
        guard let token = form["refresh_token"], let issued = oauthState.refreshTokens[token],
              issued.clientId == clientId, issued.expires > Date()
        else { return oauthError(400, "invalid_grant", "The refresh token is not valid.", c) }
        oauthState.refreshes += 1
        // Webex keeps the refresh token and extends its life (rolling when used).
        oauthState.refreshTokens[token]!.expires = Date().addingTimeInterval(TimeInterval(oauthState.switches.refreshLifetime))
        let access = newAccessToken(personId: issued.personId, clientId: clientId, scope: issued.scope,
                                    lifetime: oauthState.switches.accessLifetime)
        return tokenReply(access, token)
    }

    private func tokenReply(_ access: String, _ refresh: String) -> Reply {
        let a = oauthState.accessTokens[access]!, r = oauthState.refreshTokens[refresh]!
        return jsonReply(200, [("access_token", access), ("expires_in", Int(a.expires.timeIntervalSinceNow.rounded())),
                               ("refresh_token", refresh),
                               ("refresh_token_expires_in", Int(r.expires.timeIntervalSinceNow.rounded())),
                               ("scope", a.scope), ("token_type", "Bearer")])
    }

    private func issue(personId: String, clientId: String, scope: String, access: Int, refresh: Int)
        -> (access: String, refresh: String) {
        let accessToken = newAccessToken(personId: personId, clientId: clientId, scope: scope, lifetime: access)
        oauthState.counter += 1
        let refreshToken = "REFRESH-\(oauthState.counter)-\(UUID().uuidString)"
        oauthState.refreshTokens[refreshToken] = IssuedToken(
            personId: personId, clientId: clientId, scope: scope, expires: Date().addingTimeInterval(TimeInterval(refresh)))
        return (accessToken, refreshToken)
    }

    private func newAccessToken(personId: String, clientId: String, scope: String, lifetime: Int) -> String {
        oauthState.counter += 1
        let token = "ACCESS-\(oauthState.counter)-\(UUID().uuidString)"
        oauthState.accessTokens[token] = IssuedToken(
            personId: personId, clientId: clientId, scope: scope, expires: Date().addingTimeInterval(TimeInterval(lifetime)))
        tokens[token] = personId
        return token
    }
}
