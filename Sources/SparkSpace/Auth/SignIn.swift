#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A profile's stored sign-in as the token of a client (SPEC "Signing in"): refreshed when
/// less than 5 minutes are left, or once after a 401. Refreshing takes the credentials lock,
/// then reads the file again: a command that finds the tokens already refreshed (by another
/// command, or another thread of this one) uses those, so two commands at once refresh once.
public final class SignInSession: TokenProvider, @unchecked Sendable {  // its state is guarded by `lock`
    /// Refresh when less than this is left (seconds).
    public static let refreshMargin: Int64 = 300

    /// The credentials file the sign-in is read from and refreshes are written to.
    public let store: CredentialsStore
    /// The profile whose sign-in this is.
    public let profile: String
    /// What refreshes go through: a client of the API base without a token (its transport,
    /// retries, wait budget, sleeper and observer).
    private let oauth: WebexClient
    private let lock = ThreadLock()
    private var current: StoredSignIn
    /// Seconds since 1970 (a test may move time).
    let now: @Sendable () -> Int64

    init(store: CredentialsStore, profile: String, signIn: StoredSignIn, oauth: WebexClient,
         now: @escaping @Sendable () -> Int64) {
        self.store = store
        self.profile = profile
        self.current = signIn
        self.oauth = oauth
        self.now = now
    }

    /// The session of `profile`'s stored sign-in, refreshing through `oauth` (a client of the API
    /// base: its token is never sent, its retries and wait budget are the command's); nil when it has none.
    public static func open(
        store: CredentialsStore, profile: String, oauth: WebexClient,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws -> SignInSession? {
        guard let signIn = try store.read(profile: profile) else { return nil }
        return SignInSession(store: store, profile: profile, signIn: signIn, oauth: oauth, now: now)
    }

    /// The sign-in as last read or refreshed.
    public var stored: StoredSignIn { lock.withLock { current } }

    /// The access token, refreshed first when less than 5 minutes are left.
    public func token() throws -> String {
        try lock.withLock {
            if current.isDue(now: now()) { try refresh(.due) }
            return current.accessToken
        }
    }

    /// After a 401 with `rejected`: the token refreshed since (by another thread or command),
    /// else a refresh now.
    public func refreshed(rejecting rejected: String) throws -> String? {
        try lock.withLock {
            if current.accessToken != rejected { return current.accessToken }
            try refresh(.rejected(rejected))
            return current.accessToken
        }
    }

    /// `auth refresh`: a refresh now, whatever time is left.
    @discardableResult
    public func refreshNow() throws -> StoredSignIn {
        try lock.withLock {
            try refresh(.asked)
            return current
        }
    }

    private enum Reason { case due, rejected(String), asked }

    /// Under the credentials lock: adopt what another command stored meanwhile when it serves,
    /// else ask Webex and store the answer. (Called with `lock` held.)
    private func refresh(_ reason: Reason) throws {
        try store.withLock {
            guard let onDisk = try store.read(profile: profile) else {
                throw SparkError.signIn(.notSignedIn(profile: profile))
            }
            let time = now()
            switch reason {
            case .due where !onDisk.isDue(now: time):
                current = onDisk
                return
            case .rejected(let token) where onDisk.accessToken != token && !onDisk.isDue(now: time):
                current = onDisk
                return
            default: break
            }
            let integration = OAuthIntegration(clientId: onDisk.clientId, clientSecret: onDisk.clientSecret)
            let client = OAuthClient(client: oauth, integration: integration)
            let grant = try client.refresh(onDisk.refreshToken, profile: profile)
            var next = onDisk
            next.apply(grant, now: time)
            try store.write(next, profile: profile)
            current = next
        }
    }

    /// Stores a finished sign-in as `profile`'s (under the lock), replacing any before.
    public static func save(_ signIn: StoredSignIn, store: CredentialsStore, profile: String) throws {
        try store.withLock { try store.write(signIn, profile: profile) }
    }

    /// Deletes `profile`'s stored sign-in; false when there was none.
    public static func remove(store: CredentialsStore, profile: String) throws -> Bool {
        try store.withLock {
            guard try store.read(profile: profile) != nil else { return false }
            try store.write(nil, profile: profile)
            return true
        }
    }
}
