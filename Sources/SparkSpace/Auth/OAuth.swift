#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The integration a person signs in with (developer.webex.com → My Webex Apps).
public struct OAuthIntegration: Sendable, Equatable {
    /// The integration's client id; sent in every OAuth request.
    public var clientId: String
    /// The integration's client secret: sent only to the token endpoints, never logged or shown.
    public var clientSecret: String

    /// The integration with this client id and secret.
    public init(clientId: String, clientSecret: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }
}

/// What `POST /device/authorize` answered: the code to show and how to poll.
public struct DeviceAuthorization: Sendable, Equatable {
    /// The code polled with (`device_code`): secret between this program and Webex, never shown.
    public var deviceCode: String
    /// The code the person types on the approval page (`user_code`).
    public var userCode: String
    /// The approval page to open (`verification_uri`).
    public var verificationURI: String
    /// The approval page with the code filled in (`verification_uri_complete`); nil when Webex sent none.
    public var verificationURIComplete: String?
    /// Seconds the code stays valid (`expires_in`), kept within 1...86400; 300 when Webex sent none.
    public var expiresIn: Int
    /// Seconds to wait between polls (`interval`), kept within 0...600; 5 when Webex sent none.
    public var interval: Int
}

/// Tokens from the device grant or a refresh.
public struct TokenGrant: Sendable, Equatable {
    /// The access token (never empty); sent as the bearer token of API requests.
    public var accessToken: String
    /// Seconds the access token stays valid from now (`expires_in`), kept within 0...315360000 (10 years).
    public var expiresIn: Int
    /// The refresh token (never empty), which gets a new access token (`OAuthClient.refresh`).
    public var refreshToken: String
    /// Seconds the refresh token stays valid (`refresh_token_expires_in`), kept within 0...315360000;
    /// nil when Webex did not say.
    public var refreshExpiresIn: Int?
    /// The granted scopes, separated by spaces; empty when Webex did not say.
    public var scope: String
}

/// OAuth at Webex (SPEC "Signing in"): the device grant (RFC 8628 as Webex implements it:
/// 428 while the person has not approved) and the refresh grant. Its requests carry the
/// client secret, a device code or a refresh token: none of them is ever logged (`-v` shows
/// the method, path and status), planned (`--dry-run` does not apply: a sign-in writes
/// nothing to Webex), or put into an error.
public final class OAuthClient {
    /// The scope asked for when none is given.
    public static let defaultScope = "spark:all"
    /// What `slow_down` adds to the interval (RFC 8628 3.5).
    public static let slowDownStep = 5
    /// The shortest wait between two polls (seconds).
    public static let minimumInterval = 1
    static let deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

    /// What sends the requests: the API's client, whose retries, waits (`--max-wait`), sleeper
    /// and events every OAuth request goes through (`WebexClient.exchange`).
    let client: WebexClient
    let integration: OAuthIntegration

    /// OAuth for `integration` at `client`'s API base; polls wait through `client.sleeper`.
    public init(client: WebexClient, integration: OAuthIntegration) {
        self.client = client
        self.integration = integration
    }

    /// `POST /device/authorize`: the code the person enters and where.
    public func authorize(scopes: [String]) throws -> DeviceAuthorization {
        let scope = scopes.isEmpty ? Self.defaultScope : scopes.joined(separator: " ")
        let (status, json) = try post("device/authorize", [("client_id", integration.clientId), ("scope", scope)])
        guard status == 200, let json else { throw failure(status, json) }
        guard let deviceCode = json["device_code"]?.string, let userCode = json["user_code"]?.string,
              let uri = json["verification_uri"]?.string
        else { throw SparkError.signIn(.grantFailed("the answer of POST /device/authorize lacks the code")) }
        return DeviceAuthorization(
            deviceCode: deviceCode, userCode: userCode, verificationURI: uri,
            verificationURIComplete: json["verification_uri_complete"]?.string,
            expiresIn: Self.bounded(json["expires_in"]?.int, 1...86_400, default: 300),
            interval: Self.bounded(json["interval"]?.int, 0...600, default: 5))
    }

    /// How a wait for approval goes, after each poll: seconds left and the interval now.
    public typealias PollReport = (_ secondsLeft: Int, _ interval: Int) -> Void

    /// Polls `POST /device/token` every `interval` seconds until the person approves (tokens),
    /// denies (`.denied`), or the code expires (`.codeExpired`). 428 and 400
    /// `authorization_pending` mean not yet; `slow_down` adds 5 s to the interval.
    public func waitForApproval(_ device: DeviceAuthorization, report: PollReport? = nil) throws -> TokenGrant {
        let deadline = Date().addingTimeInterval(Double(device.expiresIn))
        // Never more than a poll a second, whatever the server announced.
        var interval = max(device.interval, Self.minimumInterval)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > Double(interval) else { throw SparkError.signIn(.codeExpired) }
            report?(Int(left.rounded()), interval)
            client.sleeper.sleep(seconds: Double(interval))
            let (status, json) = try post(
                "device/token",
                [("grant_type", Self.deviceGrantType), ("device_code", device.deviceCode),
                 ("client_id", integration.clientId)],
                credentials: .basic(clientId: integration.clientId, clientSecret: integration.clientSecret))
            if status == 200, let json { return try grant(json) }
            switch (status, json?["error"]?.string) {
            case (428, _), (400, "authorization_pending"): continue
            case (400, "slow_down"): interval += Self.slowDownStep
            case (400, "access_denied"): throw SparkError.signIn(.denied)
            case (400, "expired_token"): throw SparkError.signIn(.codeExpired)
            default: throw failure(status, json)
            }
        }
    }

    /// `POST /access_token` with `grant_type=refresh_token`. A refused refresh token is
    /// `.refreshRefused(profile)`: the person must sign in again.
    public func refresh(_ refreshToken: String, profile: String) throws -> TokenGrant {
        let (status, json) = try post("access_token", [
            ("grant_type", "refresh_token"), ("client_id", integration.clientId),
            ("client_secret", integration.clientSecret), ("refresh_token", refreshToken),
        ])
        if status == 200, let json { return try grant(json) }
        if status == 400 || (status == 401 && json?["error"]?.string != "invalid_client") {
            throw SparkError.signIn(.refreshRefused(profile: profile))
        }
        throw failure(status, json)
    }

    private func grant(_ json: JSON) throws -> TokenGrant {
        guard let access = json["access_token"]?.string, !access.isEmpty, let refresh = json["refresh_token"]?.string,
              !refresh.isEmpty, let expires = json["expires_in"]?.int
        else { throw SparkError.signIn(.grantFailed("the tokens Webex sent are incomplete")) }
        let refreshLeft = json["refresh_token_expires_in"]?.int
        return TokenGrant(accessToken: access, expiresIn: Self.bounded(expires, 0...315_360_000, default: 0),
                          refreshToken: refresh,
                          refreshExpiresIn: refreshLeft.map { Self.bounded($0, 0...315_360_000, default: 0) },
                          scope: json["scope"]?.string ?? "")
    }

    /// The error of an answer that is not a grant, worded from the OAuth error (never from the request).
    private func failure(_ status: Int, _ json: JSON?) -> SparkError {
        let error = json?["error"]?.string.map { printable($0, limit: 40) }
        let detail = (json?["error_description"]?.string ?? json?["message"]?.string).map { printable($0, limit: 200) }
        let said = [error, detail].compactMap { $0 }.joined(separator: ": ")
        let text = "HTTP \(status)" + (said.isEmpty ? "" : " \(said)")
        if status == 401 || error == "invalid_client" { return .signIn(.clientRefused(text)) }
        return .signIn(.grantFailed(text))
    }

    static func bounded(_ value: Int?, _ range: ClosedRange<Int>, default fallback: Int) -> Int {
        guard let value else { return fallback }
        return min(max(value, range.lowerBound), range.upperBound)
    }

    // MARK: Sending

    /// Sends a form through the API client (its retries and waits, never a token) and returns the
    /// status and the JSON body, if any: every status but a 2xx is OAuth's answer to read.
    private func post(_ path: String, _ fields: [(String, String)], credentials: RequestCredentials = .inForm) throws
        -> (Int, JSON?)
    {
        let response = try client.exchange(path, form: fields, credentials: credentials)
        return (response.status, try? JSON.parse(response.body))
    }
}
