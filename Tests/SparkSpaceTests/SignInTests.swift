import Foundation
import MockWebex
import XCTest
@testable import SparkSpace

/// The credentials file and a sign-in's refresh, in process (issue 27).
final class SignInTests: XCTestCase {
    var mock: MockWebexServer!
    var dir: String!

    override func setUpWithError() throws {
        mock = MockWebexServer()
        try mock.start()
        mock.addIntegration(clientId: "unit-client", clientSecret: "unit-secret")
        dir = NSTemporaryDirectory() + "signin-\(UUID().uuidString)"
    }

    override func tearDown() {
        mock.stop()
        mock = nil
    }

    var store: CredentialsStore { CredentialsStore(environment: ["XDG_CONFIG_HOME": dir]) }

    func signIn(accessLifetime: Int) -> StoredSignIn {
        let (access, refresh) = mock.issueTokens(clientId: "unit-client", email: "alice@example.com",
                                                 accessLifetime: accessLifetime)
        let grant = TokenGrant(accessToken: access, expiresIn: accessLifetime, refreshToken: refresh,
                               refreshExpiresIn: 3600, scope: "spark:all")
        return StoredSignIn(grant: grant, integration: OAuthIntegration(clientId: "unit-client", clientSecret: "unit-secret"),
                            now: Int64(Date().timeIntervalSince1970))
    }

    /// The client the sign-in's refreshes go through (no token of its own).
    func oauthClient(_ transport: HTTPTransport, budget: WaitBudget = WaitBudget(seconds: 300),
                     sleeper: Sleeper = SystemSleeper()) -> WebexClient {
        WebexClient(baseURL: mock.baseURL, token: "", transport: transport, budget: budget, sleeper: sleeper)
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    func testProfilesKeptApartPrivateAndRefusedWhenExposed() throws {
        try FileManager.default.createDirectory(atPath: dir + "/spark-space", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let a = signIn(accessLifetime: 3600), b = signIn(accessLifetime: 3600)
        try SignInSession.save(a, store: store, profile: "default")
        try SignInSession.save(b, store: store, profile: "work")
        XCTAssertEqual(try store.read(profile: "default"), a)
        XCTAssertEqual(try store.read(profile: "work"), b)
        XCTAssertNil(try store.read(profile: "other"))
        XCTAssertEqual(try mode(store.path), 0o600)
        XCTAssertEqual(try mode(dir + "/spark-space"), 0o700, "a looser directory is tightened")
        XCTAssertTrue(try SignInSession.remove(store: store, profile: "work"))
        XCTAssertFalse(try SignInSession.remove(store: store, profile: "work"))
        XCTAssertEqual(try store.read(profile: "default"), a)

        XCTAssertEqual(chmod(store.path, 0o640), 0)
        XCTAssertThrowsError(try store.read(profile: "default")) {
            XCTAssertEqual($0 as? SparkError, .signIn(.credentialsExposed(path: store.path, mode: 0o640)))
            XCTAssertTrue("\($0)".contains("run chmod 600 \(store.path)"), "\($0)")
        }
    }

    /// A command killed (SIGKILL) while it wrote the credentials left a copy of the tokens beside
    /// them; the next write removes it, and nothing else in the directory.
    func testACopyOfTheTokensLeftByAKilledWriterIsRemoved() throws {
        try FileManager.default.createDirectory(atPath: dir + "/spark-space", withIntermediateDirectories: true)
        let gone = "\(Int32.max - 1)"
        let left = dir + "/spark-space/.credentials.json.tmp-\(gone)-7"
        let other = dir + "/spark-space/.settings.yaml.tmp-\(gone)-7"
        for path in [left, other] { XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("x".utf8))) }
        XCTAssertEqual(lastPathComponent(store.path), "credentials.json")
        try SignInSession.save(signIn(accessLifetime: 3600), store: store, profile: "default")
        XCTAssertFalse(FileManager.default.fileExists(atPath: left))
        XCTAssertTrue(FileManager.default.fileExists(atPath: other), "only the credentials' own")
    }

    func testHostileCredentialsFileIsAnErrorOrBoundedNeverATrap() throws {
        try FileManager.default.createDirectory(atPath: dir + "/spark-space", withIntermediateDirectories: true)
        for text in ["not json", #"{"profiles": 3}"#, #"{"profiles": {"default": {"access_token": 1}}}"#] {
            _ = FileManager.default.createFile(atPath: store.path, contents: Data(text.utf8),
                                           attributes: [.posixPermissions: 0o600])
            XCTAssertThrowsError(try store.read(profile: "default"), text)
        }
        let huge = #"{"profiles": {"default": {"access_token": "a", "refresh_token": "r", "client_id": "c", "#
            + #""client_secret": "s", "expires_at": -9223372036854775808, "refresh_token_expires_at": 9223372036854775807}}}"#
        _ = FileManager.default.createFile(atPath: store.path, contents: Data(huge.utf8), attributes: [.posixPermissions: 0o600])
        let read = try XCTUnwrap(try store.read(profile: "default"))
        XCTAssertTrue(read.isDue(now: Int64(Date().timeIntervalSince1970)))
        XCTAssertEqual(read.refreshExpires, 1 << 40)
    }

    func testThreadsAndCommandsMeetingADueTokenRefreshOnce() throws {
        try SignInSession.save(signIn(accessLifetime: 60), store: store, profile: "default")
        let transport = CurlTransport(userAgent: "signin-test")
        // Two sessions: two commands sharing the file; four threads each.
        let sessions = try (0..<2).map { _ in
            try XCTUnwrap(try SignInSession.open(store: store, profile: "default", oauth: oauthClient(transport)))
        }
        let tokens = LockedList<String>()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            if let token = try? sessions[i % 2].token() { tokens.add(token) }
        }
        XCTAssertEqual(mock.refreshCount, 1)
        XCTAssertEqual(tokens.all.count, 8)
        XCTAssertEqual(Set(tokens.all).count, 1, "every thread uses the one refreshed token")
        XCTAssertEqual(try store.read(profile: "default")?.accessToken, tokens.all.first)
    }

    func testA401RefreshesOnceAndARefusedRefreshTokenSaysSignInAgain() throws {
        try SignInSession.save(signIn(accessLifetime: 3600), store: store, profile: "work")
        let transport = CurlTransport(userAgent: "signin-test")
        let session = try XCTUnwrap(try SignInSession.open(store: store, profile: "work", oauth: oauthClient(transport)))
        let client = WebexClient(baseURL: mock.baseURL, tokens: session, transport: transport)
        let first = try client.currentToken()
        mock.expireAccessTokens()
        XCTAssertEqual(try client.get("people/me")["displayName"]?.string, "Alice Audit")
        XCTAssertEqual(mock.refreshCount, 1)
        XCTAssertNotEqual(try client.currentToken(), first)
        // The websocket's hook: a token already replaced is not refreshed again.
        XCTAssertEqual(try client.refreshToken(rejecting: first), try client.currentToken())
        XCTAssertEqual(mock.refreshCount, 1)

        mock.revokeRefreshTokens()
        mock.expireAccessTokens()
        XCTAssertThrowsError(try client.get("people/me")) {
            XCTAssertEqual($0 as? SparkError, .signIn(.refreshRefused(profile: "work")))
        }
        // A fixed token has nothing to refresh.
        XCTAssertNil(try WebexClient(baseURL: mock.baseURL, token: "bot-token", transport: transport)
            .refreshToken(rejecting: "bot-token"))
    }
}
