import Foundation
import MockWebex
import XCTest

/// The websocket's close 4401 with a signed-in audit identity (issue 27): the listener
/// refreshes once, reconnects with the new token, goes on printing events, and the new
/// tokens are saved; with a fixed token (nothing to refresh) 4401 still ends it with exit 3.
final class WebsocketSignInTests: MockTestCase {
    let clientId = "socket-sign-in-client"
    let clientSecret = "SOCKETTEST-client-secret-0123456789"
    var config: String!
    private var spawned: [Spawned] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        mock.addIntegration(clientId: clientId, clientSecret: clientSecret)
        mock.oauth { $0.approveAfterPolls = 0 }
        config = NSTemporaryDirectory() + "socket-xdg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
    }

    override func tearDown() {
        // No secret in any output of any run.
        let secrets = [clientSecret] + mock.issuedTokens
        for run in spawned {
            for secret in secrets {
                XCTAssertFalse(run.stdout.contains(secret) || run.stderr.contains(secret), "a secret was printed")
            }
        }
        super.tearDown()
    }

    override var env: [String: String] {
        super.env.merging(["SPARK_U2C_URL": mock.u2cURL, "XDG_CONFIG_HOME": config]) { $1 }
    }

    private var credentialsPath: String { config + "/spark-space/credentials.json" }

    private func storedAccessToken() throws -> String? {
        guard let data = FileManager.default.contents(atPath: credentialsPath) else { return nil }
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let profile = (root["profiles"] as! [String: Any])["default"] as? [String: Any]
        return profile?["access_token"] as? String
    }

    private func signIn() throws {
        let secretFile = try writeFile("secret", clientSecret + "\n")
        let r = try spark(["auth", "login", "--client-id", clientId, "--client-secret-file", secretFile, "-o", "json"],
                          env: env)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains(clientSecret))
    }

    private func listener(_ extra: [String], env more: [String: String] = [:]) throws -> Spawned {
        let listener = try Spawned(["listen", "--websocket"] + extra, env: env.merging(more) { $1 })
        spawned.append(listener)
        addTeardownBlock { listener.kill() }
        XCTAssertTrue(listener.waitForStderr("websocket ready"), listener.stderr)
        return listener
    }

    private func post(_ room: MockRoom, _ text: String) throws {
        let reply = try TestSocket.http(port: mock.port, "POST", "/v1/messages", token: "bot-token",
                                        json: #"{"roomId":"\#(room.id)","text":"\#(text)"}"#)
        XCTAssertEqual(reply.status, 200, reply.body)
    }

    func testClose4401RefreshesASignedInIdentityOnceAndTheListenerGoesOn() throws {
        try signIn()
        let first = try XCTUnwrap(try storedAccessToken())
        let room = mock.addRoom(title: "Signed-in socket", members: ["alice@example.com"])
        let listener = try listener(["--as", "audit"])
        try post(room, "before")
        XCTAssertEqual(listener.waitForLines(1).first?["text"] as? String, "before", listener.stderr)

        // The access token expires and Webex closes the socket 4401.
        mock.expireAccessTokens()
        XCTAssertEqual(mock.closeSocket(code: 4401, reason: "token expired"), 1)
        XCTAssertTrue(listener.waitForStderr("websocket back after"), listener.stderr)
        XCTAssertTrue(mock.waitForSocket())
        XCTAssertEqual(mock.refreshCount, 1, listener.stderr)
        let second = try XCTUnwrap(try storedAccessToken())
        XCTAssertNotEqual(first, second, "the new tokens are saved")

        try post(room, "after")
        XCTAssertEqual(listener.waitForLines(2).last?["text"] as? String, "after", listener.stderr)
        XCTAssertTrue(listener.isRunning)
        // The device (registered with the old token) is still the listener's, deleted with the new one.
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0, listener.stderr)
        XCTAssertEqual(mock.devices().filter(\.live).count, 0, "the device is deleted on the way out")
        XCTAssertEqual(mock.refreshCount, 1, "refreshed once")
    }

    /// A long listener meets every expiry of its access token: after a socket that was ready with
    /// the refreshed token, a later 4401 refreshes again.
    func testEach4401AfterTheSocketWasReadyAgainRefreshesAgain() throws {
        try signIn()
        let room = mock.addRoom(title: "Weeks", members: ["alice@example.com"])
        let listener = try listener(["--as", "audit"])
        for round in 1...2 {
            mock.expireAccessTokens()
            XCTAssertEqual(mock.closeSocket(code: 4401), 1)
            XCTAssertTrue(listener.waitForStderr("websocket back after", count: round), listener.stderr)
            XCTAssertTrue(mock.waitForSocket())
            XCTAssertEqual(mock.refreshCount, round, listener.stderr)
            try post(room, "round \(round)")
            XCTAssertEqual(listener.waitForLines(round).last?["text"] as? String, "round \(round)", listener.stderr)
        }
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0, listener.stderr)
    }

    /// Close 4401 whose refresh fails on the way (the token endpoint drops the connection, or answers
    /// 5xx): not a refusal, so the listener waits the reconnect backoff, connects again (4401 again with
    /// the old token) and refreshes again; the second refresh works and events flow.
    private func assertA4401RefreshFailingOnTheWayIsRetried(_ fault: MockWebexServer.Fault, times: Int,
                                                             file: StaticString = #filePath, line: UInt = #line) throws {
        try signIn()
        let room = mock.addRoom(title: "Flaky token endpoint", members: ["alice@example.com"])
        let listener = try listener(["--as", "audit"], env: ["SPARK_SPACE_TEST_BACKOFF": "0.1"])
        mock.expireAccessTokens()
        mock.inject(fault, method: "POST", pathPrefix: "/access_token", times: times)
        XCTAssertEqual(mock.closeSocket(code: 4401, reason: "token expired"), 1, file: file, line: line)
        XCTAssertTrue(listener.waitForStderr("websocket back after"), listener.stderr, file: file, line: line)
        XCTAssertTrue(listener.stderr.contains("reconnecting in"), "no backoff said: \(listener.stderr)", file: file, line: line)
        XCTAssertTrue(mock.waitForSocket(), file: file, line: line)
        XCTAssertEqual(mock.refreshCount, 1, listener.stderr, file: file, line: line)
        try post(room, "after a flaky refresh")
        XCTAssertEqual(listener.waitForLines(1).last?["text"] as? String, "after a flaky refresh", listener.stderr,
                       file: file, line: line)
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0, listener.stderr, file: file, line: line)
    }

    func testA4401RefreshWhoseConnectionDropsIsRetriedAtTheNextConnection() throws {
        try assertA4401RefreshFailingOnTheWayIsRetried(.drop, times: 1)
    }

    func testA4401RefreshAnswered500IsRetriedAtTheNextConnection() throws {
        // A POST is not retried after a 500 (SPEC): the session's reconnect must try again, twice here.
        try assertA4401RefreshFailingOnTheWayIsRetried(.status(500), times: 2)
    }

    /// The refreshed token refused too, before the socket was ready: no second refresh, exit 3.
    func testTheRefreshedTokenRefusedAgainEndsTheListenerWithExit3() throws {
        try signIn()
        let listener = try listener(["--as", "audit"])
        mock.expireAccessTokens(afterUses: 0)
        XCTAssertEqual(mock.closeSocket(code: 4401), 1)
        XCTAssertEqual(listener.waitForExit(), 3, listener.stderr)
        XCTAssertTrue(listener.stderr.contains("token was not accepted"), listener.stderr)
        XCTAssertEqual(mock.refreshCount, 1, "once: a refreshed token refused again is not refreshed again")
    }

    /// A refresh token Webex refuses: nothing to connect with, exit 3 saying to sign in again.
    func testClose4401WithARevokedRefreshTokenIsExit3() throws {
        try signIn()
        let listener = try listener(["--as", "audit"])
        mock.expireAccessTokens()
        mock.revokeRefreshTokens()
        XCTAssertEqual(mock.closeSocket(code: 4401), 1)
        XCTAssertEqual(listener.waitForExit(), 3, listener.stderr)
        XCTAssertTrue(listener.stderr.contains("auth login"), listener.stderr)
        XCTAssertEqual(mock.refreshCount, 0)
    }

    func testClose4401WithAFixedTokenIsExit3WithoutARefresh() throws {
        try signIn()
        // A bot token, and an audit token from the environment: neither is a sign-in.
        for (args, extra) in [([String](), [String: String]()), (["--as", "audit"], ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])] {
            let listener = try listener(args, env: extra)
            XCTAssertEqual(mock.closeSocket(code: 4401), 1)
            XCTAssertEqual(listener.waitForExit(), 3, "\(args): \(listener.stderr)")
            XCTAssertTrue(listener.stderr.contains("token was not accepted"), listener.stderr)
        }
        XCTAssertEqual(mock.refreshCount, 0)
    }
}
