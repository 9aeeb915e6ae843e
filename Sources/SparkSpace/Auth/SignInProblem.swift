/// Why signing in, or a sign-in's tokens, failed (SPEC "Signing in and profiles").
public enum SignInProblem: Equatable, Sendable {
    /// The person denied the request on the approval page (`access_denied`).
    case denied
    /// The code expired before it was approved (`expired_token`, or its `expires_in` passed).
    case codeExpired
    /// Webex refused the integration: wrong client id or secret (`invalid_client`); what it said.
    case clientRefused(String)
    /// The sign-in of `profile` can no longer be refreshed: Webex refused its refresh token.
    case refreshRefused(profile: String)
    /// The credentials file can be read or written by others (its `mode`), as ssh refuses a key.
    case credentialsExposed(path: String, mode: Int)
    /// The credentials file cannot be read or written (`reason`).
    case credentialsUnusable(path: String, reason: String)
    /// `profile` has no stored sign-in.
    case notSignedIn(profile: String)
    /// No integration (client id and secret) to sign in with.
    case noIntegration(missing: String)
    /// The sign-in endpoint answered something else: its status and error.
    case grantFailed(String)
}

extension SignInProblem: CustomStringConvertible {
    /// The problem in one sentence for an error line, with what to do about it; it holds no token or secret.
    public var description: String {
        switch self {
        case .denied: return "the sign-in was denied on the approval page"
        case .codeExpired: return "the code expired before it was approved; run `auth login` again"
        case .clientRefused(let detail):
            return "Webex refused the integration's client id or secret (\(detail)); "
                + "check oauth.client_id and oauth.client_secret"
        case .refreshRefused(let profile):
            return "the sign-in\(Self.of(profile)) can no longer be refreshed (Webex refused its refresh token); "
                + "run `auth login` again"
        case .credentialsExposed(let path, let mode):
            return "\(path) can be read by others (mode \(Self.octal(mode))); refusing to use it: run chmod 600 \(path)"
        case .credentialsUnusable(let path, let reason): return "cannot use the credentials file \(path): \(reason)"
        case .notSignedIn(let profile): return "not signed in\(Self.of(profile)); run `auth login`"
        case .noIntegration(let missing):
            return "no \(missing) to sign in with: create an integration on developer.webex.com and set "
                + "oauth.client_id and oauth.client_secret"
        case .grantFailed(let detail): return "signing in failed: \(detail)"
        }
    }

    /// ` of profile 'work'`, nothing for the default profile.
    static func of(_ profile: String) -> String {
        profile == CredentialsStore.defaultProfile ? "" : " of profile '\(printable(profile))'"
    }

    static func octal(_ mode: Int) -> String {
        let digits = String(mode & 0o777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
