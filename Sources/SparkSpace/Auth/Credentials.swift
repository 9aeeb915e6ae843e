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

/// One profile's sign-in, as stored: the tokens, when they expire (seconds since 1970), and
/// the integration that refreshes them (so a job refreshes with no settings of its own).
public struct StoredSignIn: Sendable, Equatable {
    /// The access token that authenticates API requests.
    public var accessToken: String
    /// When the access token expires (seconds since 1970); `isDue` compares it with now.
    public var accessExpires: Int64
    /// The refresh token that gets a new access token; Webex may send a new one with each refresh.
    public var refreshToken: String
    /// nil: Webex did not say.
    public var refreshExpires: Int64?
    /// The granted scopes, separated by spaces; empty when Webex did not say.
    public var scope: String
    /// The client id of the integration that signed in, used for refreshes.
    public var clientId: String
    /// The client secret of that integration, used for refreshes; never shown.
    public var clientSecret: String
    /// Who signed in (`people/me` at sign-in), for `auth status` without a request.
    public var email: String?
    /// The person's display name (`people/me` at sign-in); nil when not known.
    public var displayName: String?

    /// The sign-in of a new `grant` from `integration`, its expiry times counted from `now` (seconds since 1970).
    /// `email` and `displayName` start nil: the caller sets them.
    public init(grant: TokenGrant, integration: OAuthIntegration, now: Int64) {
        accessToken = grant.accessToken
        accessExpires = now + Int64(grant.expiresIn)
        refreshToken = grant.refreshToken
        refreshExpires = grant.refreshExpiresIn.map { now + Int64($0) }
        scope = grant.scope
        clientId = integration.clientId
        clientSecret = integration.clientSecret
    }

    /// Seconds since 1970 between 0 and 2^40 (year 36812).
    static func bounded(_ seconds: Int) -> Int64 { Int64(min(max(seconds, 0), 1 << 40)) }

    /// The tokens of a refresh laid over these (Webex may send the same refresh token again).
    public mutating func apply(_ grant: TokenGrant, now: Int64) {
        accessToken = grant.accessToken
        accessExpires = now + Int64(grant.expiresIn)
        refreshToken = grant.refreshToken
        if let left = grant.refreshExpiresIn { refreshExpires = now + Int64(left) }
        if !grant.scope.isEmpty { scope = grant.scope }
    }

    /// True when the access token has less than `margin` seconds left.
    public func isDue(now: Int64, margin: Int64 = SignInSession.refreshMargin) -> Bool {
        accessExpires - now < margin
    }

    var json: JSON {
        var members: [String: JSON] = [
            "access_token": .string(accessToken), "expires_at": .int(accessExpires),
            "refresh_token": .string(refreshToken), "scope": .string(scope),
            "client_id": .string(clientId), "client_secret": .string(clientSecret),
        ]
        if let refreshExpires { members["refresh_token_expires_at"] = .int(refreshExpires) }
        if let email { members["email"] = .string(email) }
        if let displayName { members["display_name"] = .string(displayName) }
        return .object(members)
    }

    init?(json: JSON) {
        guard let access = json["access_token"]?.string, let expires = json["expires_at"]?.int,
              let refresh = json["refresh_token"]?.string, let clientId = json["client_id"]?.string,
              let secret = json["client_secret"]?.string
        else { return nil }
        accessToken = access
        // A hand-edited file may hold any number: kept in range, the arithmetic on it cannot overflow.
        accessExpires = Self.bounded(expires)
        refreshToken = refresh
        refreshExpires = json["refresh_token_expires_at"]?.int.map(Self.bounded)
        scope = json["scope"]?.string ?? ""
        self.clientId = clientId
        clientSecret = secret
        email = json["email"]?.string
        displayName = json["display_name"]?.string
    }
}

/// The credentials file (SPEC "Signing in"): `$XDG_CONFIG_HOME/spark-space/credentials.json`,
/// one sign-in per profile. 0600 in a 0700 directory, written whole to a temporary file,
/// fsynced and renamed (never half-written), changed only under a lock; a file that others
/// can read or write is refused, as ssh refuses such a key.
public struct CredentialsStore: Sendable {
    /// The profile of a run without `--profile`.
    public static let defaultProfile = "default"
    /// The largest credentials file read (a handful of profiles is a few KB).
    static let maxBytes = 1 << 20

    /// The credentials file's path.
    public let path: String

    /// The credentials file at `path` (it need not exist yet).
    public init(path: String) { self.path = path }

    /// The file of `environment`: `$XDG_CONFIG_HOME/spark-space/credentials.json`, else `~/.config/...`.
    public init(environment: [String: String]) {
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        self.init(path: base + "/spark-space/credentials.json")
    }

    var directory: String { String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }

    /// The sign-in of `profile`; nil when there is none (or no file).
    public func read(profile: String) throws -> StoredSignIn? {
        guard let entry = try readAll()[profile] else { return nil }
        guard let signIn = StoredSignIn(json: entry) else {
            throw SparkError.signIn(.credentialsUnusable(path: path, reason: "profile '\(printable(profile))' is incomplete"))
        }
        return signIn
    }

    /// Stores `signIn` as `profile`'s (nil deletes it), keeping the other profiles'. Call it
    /// inside `withLock`, having read the file there.
    public func write(_ signIn: StoredSignIn?, profile: String) throws {
        var all = try readAll()
        all[profile] = signIn?.json
        try makeDirectory()
        var bytes: [UInt8] = []
        JSON.object(["profiles": .object(all)]).writePretty(into: &bytes)
        bytes.append(10)
        do {
            try DurableFiles.replace(path, with: bytes, mode: 0o600)
        } catch {
            throw SparkError.signIn(.credentialsUnusable(path: path, reason: "\(error)"))
        }
        // A command killed while it wrote left a copy of the tokens beside the file: remove it.
        DurableFiles.removeLeftovers(of: path)
    }

    /// Runs `body` holding an exclusive lock on the credentials (`credentials.json.lock`), so two
    /// commands refreshing at once refresh once: the second reads what the first wrote.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try makeDirectory()
        let lock: FileLock
        do { lock = try FileLock.wait(for: path + ".lock") } catch SparkError.io(let reason) { throw unusable(reason) }
        defer { lock.release() }
        return try body()
    }

    /// Every profile's entry; empty when there is no file.
    private func readAll() throws -> [String: JSON] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return [:] }
            throw unusable(String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw unusable(String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw unusable("not a regular file") }
        let mode = Int(info.st_mode & 0o777)
        guard mode & 0o077 == 0 else { throw SparkError.signIn(.credentialsExposed(path: path, mode: mode)) }
        guard info.st_size <= off_t(Self.maxBytes) else { throw unusable("over \(Self.maxBytes) bytes") }
        let bytes = try readToEnd(fd: fd)
        guard let root = try? JSON.parse(bytes), let profiles = root["profiles"]?.object else {
            throw unusable("not a credentials file (JSON with \"profiles\")")
        }
        return profiles
    }

    /// The directory, 0700 (created when missing; tightened when it was looser).
    private func makeDirectory() throws {
        var info = stat()
        if stat(directory, &info) != 0 {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw unusable("cannot create \(directory): \(error)")
            }
        } else if info.st_mode & 0o077 != 0 {
            guard chmod(directory, 0o700) == 0 else {
                throw unusable("cannot make \(directory) private (chmod 700): \(String(cString: strerror(errno)))")
            }
        }
    }

    private func unusable(_ reason: String) -> SparkError {
        .signIn(.credentialsUnusable(path: path, reason: reason))
    }
}
