import Foundation
import MockWebex
import SparkSpace
import XCTest

/// Issue 2: the binary against the mock API — identity, settings, errors, retries, paging.
final class FoundationTests: MockTestCase {
    func testWhoamiJSON() throws {
        let r = try run(["whoami", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let json = try r.json() as! [String: Any]
        XCTAssertEqual((json["bot"] as? [String: Any])?["id"] as? String, mock.botId)
        XCTAssertNil(json["audit"])
        XCTAssertEqual(mock.requests.last?.headers["user-agent"], "spark-space/\(sparkSpaceVersion)")
    }

    func testWhoamiWithAuditTokenShowsBothAsTable() throws {
        let r = try run(["whoami", "-o", "table", "--audit-token", "audit-token"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("token"))
        XCTAssertTrue(lines[1].hasPrefix("bot") && lines[1].contains("bot@example.com"), r.stdout)
        XCTAssertTrue(lines[2].hasPrefix("audit") && lines[2].contains("alice@example.com"), r.stdout)
    }

    func testTokenFromFileAndStdin() throws {
        let path = try writeFile("token", "bot-token\n")
        var r = try spark(["whoami", "--json", "--token-file", path], env: ["SPARK_API_URL": mock.baseURL])
        XCTAssertEqual(r.code, 0, r.stderr)
        r = try spark(["whoami", "--json", "--token-file", "-"], env: ["SPARK_API_URL": mock.baseURL],
                      stdin: "bot-token\n")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests.compactMap(\.token), ["bot-token", "bot-token"])
    }

    func testMissingTokenIsExit3AndSaysWhere() throws {
        let r = try spark(["whoami"], env: ["SPARK_API_URL": mock.baseURL])
        XCTAssertEqual(r.code, 3)
        XCTAssertTrue(r.stderr.contains("CISCO_SPARK_BOT_TOKEN") && r.stderr.contains("--token-file"), r.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testWrongTokenIsExit3WithTrackingId() throws {
        let r = try run(["whoami"], env: ["CISCO_SPARK_BOT_TOKEN": "wrong-token-abcdef"])
        XCTAssertEqual(r.code, 3)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr)
        XCTAssertTrue(r.stderr.contains("trackingId"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertFalse(r.stderr.contains("wrong-token-abcdef"))
    }

    func testSettingsShowRedactsTokensAndSecret() throws {
        let path = try writeFile("settings.yaml", """
            space:
              room: Ops room
              participants: bob@example.com
              token: $MY_TOKEN
            server.secret: supersecretvalue42
            """)
        let r = try run(["settings", "show", "-c", path, "-o", "json"], env: ["MY_TOKEN": "token-from-env-9876"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let json = try r.json() as! [String: Any]
        let space = json["space"] as! [String: Any]
        XCTAssertEqual(space["room"] as? String, "Ops room")
        XCTAssertEqual(space["participants"] as? [String], ["bob@example.com"])
        XCTAssertEqual(space["token"] as? String, "***9876")
        XCTAssertEqual((json["server"] as! [String: Any])["secret"] as? String, "***ue42")
        XCTAssertFalse(r.stdout.contains("token-from-env") || r.stdout.contains("supersecret"))
    }

    func testUnsetVariableInSettingsIsExit2NamingIt() throws {
        let path = try writeFile("settings.yaml", "space:\n  token: $NOT_SET_ANYWHERE\n")
        let r = try run(["whoami", "-c", path])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("$NOT_SET_ANYWHERE"), r.stderr)
    }

    func testUnknownCommandAndFlagAreExit2WithHint() throws {
        var r = try run(["whoam"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("did you mean 'whoami'"), r.stderr)
        r = try run(["whoami", "--jsn"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("did you mean '--json'"), r.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testHelpAndVersion() throws {
        var r = try run(["--version"])
        XCTAssertEqual(r.stdout, "spark-space \(sparkSpaceVersion)\n")
        r = try run(["help", "settings", "show"])
        XCTAssertEqual(r.code, 0)
        XCTAssertTrue(r.stdout.contains("Usage: spark-space settings show"), r.stdout)
        XCTAssertEqual(try run(["settings", "show", "--help"]).stdout, r.stdout)
        r = try run(["settings"])
        XCTAssertEqual(r.code, 2, "a group without its subcommand is a usage error")
    }

    func test429ThenSuccess() throws {
        mock.inject(.status(429, retryAfter: "1"), pathPrefix: "/people/me")
        let started = Date()
        // The binary: its waits are on the clock (an in-process run's take no time).
        let r = try runBinary(["whoami", "--json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.0, "Retry-After must be honoured")
        XCTAssertEqual(mock.requests(pathPrefix: "/people/me").count, 2)
    }

    func test429PastMaxWaitIsExit6() throws {
        mock.inject(.status(429, retryAfter: "30"), pathPrefix: "/people/me")
        let r = try run(["whoami", "--max-wait", "5"])
        XCTAssertEqual(r.code, 6, r.stderr)
        XCTAssertEqual(mock.requests.count, 1)
    }

    func test503RetriedThenSuccess() throws {
        mock.inject(.status(503), pathPrefix: "/people/me", times: 2)
        let r = try run(["whoami", "--json", "-v"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests.count, 3)
        XCTAssertEqual(r.stderr.components(separatedBy: "GET /people/me 503").count - 1, 2, r.stderr)
    }

    func testDroppedConnectionRetried() throws {
        mock.inject(.drop, pathPrefix: "/people/me")
        let r = try run(["whoami", "--json"])
        XCTAssertEqual(r.code, 0, r.stderr)
    }

    func testServerErrorsPastTheScheduleAreExit6() throws {
        let path = try writeFile("s.yaml", "network:\n  retry_delays: [0, 0]\n")
        mock.inject(.status(500), pathPrefix: "/people/me", times: 10)
        let r = try run(["whoami", "-c", path])
        XCTAssertEqual(r.code, 6, r.stderr)
        XCTAssertEqual(mock.requests.count, 3)
    }

    func test404NotRetried() throws {
        mock.inject(.status(404), pathPrefix: "/people/me")
        let r = try run(["whoami"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertEqual(mock.requests.count, 1)
    }

    func testStallTimeoutIsRetriedThenGivesUp() throws {
        let path = try writeFile("s.yaml", "network:\n  retry_delays: [0]\n")
        mock.inject(.delay(3), pathPrefix: "/people/me", times: 2)
        let r = try run(["whoami", "-c", path, "--timeout", "1"])
        XCTAssertEqual(r.code, 6, r.stderr)
        XCTAssertEqual(mock.requests.count, 2)
    }

    func testVerboseLogsCallsButNeverTheToken() throws {
        let token = "bot-token"
        let r = try run(["whoami", "-v", "--audit-token", "audit-token"])
        XCTAssertEqual(r.code, 0)
        XCTAssertTrue(r.stderr.contains("GET /people/me 200"), r.stderr)
        XCTAssertFalse(r.stderr.contains(token) || r.stdout.contains(token) || r.stderr.contains("audit-token"))
    }

    func testInterruptIsExit130() throws {
        mock.inject(.delay(10), pathPrefix: "/people/me")
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = ["whoami"]
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when the request is in (the handlers are installed before anything is sent).
        let deadline = Date().addingTimeInterval(10)
        while mock.requests(pathPrefix: "/people/me").isEmpty && Date() < deadline { usleep(5_000) }
        XCTAssertFalse(mock.requests(pathPrefix: "/people/me").isEmpty, "the request never came")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
    }
}

/// The library's pager, with real libcurl against the mock.
final class PagingTests: MockTestCase {
    func testListFollowsLinkAcrossThreePages() throws {
        for i in 0..<5 { mock.addRoom(title: "Room \(i)") }
        var settings = Settings()
        settings.apiURL = mock.baseURL
        settings.token = "bot-token"
        let space = Space(settings: settings, transport: CurlTransport(userAgent: "test"))
        var pages = try space.client().list("rooms", query: [("max", "2")])
        let rooms = try pages.collect()
        XCTAssertEqual(rooms.count, 5)
        XCTAssertEqual(pages.pages, 3)
        XCTAssertEqual(Set(rooms.compactMap { $0["title"]?.string }), Set((0..<5).map { "Room \($0)" }))
        XCTAssertEqual(mock.requests.map(\.path), ["/rooms", "/rooms", "/rooms"])
        XCTAssertEqual(mock.requests.map { $0.query["max"] }, ["2", "2", "2"])
    }

    func testMultipartUploadStreamsAFile() throws {
        let room = mock.addRoom(title: "Upload")
        let path = NSTemporaryDirectory() + "upload-\(UUID().uuidString).bin"
        let data = Data((0..<300_000).map { UInt8($0 % 251) })
        try data.write(to: URL(fileURLWithPath: path))
        var settings = Settings()
        settings.apiURL = mock.baseURL
        settings.token = "bot-token"
        let client = try Space(settings: settings, transport: CurlTransport(userAgent: "test")).client()
        try client.send(.post, "messages", body: .multipart([
            .field(name: "roomId", value: room.id),
            .file(name: "files", path: path, fileName: "data.bin", contentType: "application/octet-stream"),
        ]))
        XCTAssertEqual(mock.uploads.last?.fileData, data)
        XCTAssertEqual(mock.uploads.last?.fileName, "data.bin")
    }
}

/// libcurl's proxy variables are honoured (SPEC "Network behaviour").
final class ProxyTests: MockTestCase {
    func testHTTPProxyVariableRoutesRequestsThroughTheProxy() throws {
        // The mock plays the proxy: a proxied request arrives with an absolute target.
        let proxy = "http://127.0.0.1:\(mock.port)"
        let r = try spark(["whoami", "--api-url", "http://api.example.invalid/v1", "-c",
                           try writeFile("s.yaml", "network:\n  retry_delays: []\n")],
                          env: ["CISCO_SPARK_BOT_TOKEN": "bot-token", "http_proxy": proxy])
        XCTAssertNotEqual(r.code, 0)  // the mock is no real proxy; what matters is that it was asked
        XCTAssertTrue(mock.requests.contains { $0.target.hasPrefix("http://api.example.invalid/v1/people/me") },
                      "\(mock.requests.map(\.target))")
    }

    func testNoProxyBypassesTheProxy() throws {
        let r = try run(["whoami", "--json"], env: ["http_proxy": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"])
        XCTAssertEqual(r.code, 0, r.stderr)
    }
}

/// `-q` silences notes on stderr, not data or errors.
final class QuietTests: MockTestCase {
    func testQuietDropsNotesButKeepsData() throws {
        var r = try run(["rooms", "create", "Quiet room", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("created room"), r.stderr)
        r = try run(["rooms", "create", "Quiet room 2", "-o", "tsv", "-q"])
        XCTAssertEqual(r.code, 0)
        XCTAssertEqual(r.stderr, "")
        XCTAssertTrue(r.stdout.contains("Quiet room 2"))
        r = try run(["rooms", "get", "No such room", "-q"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error:"), "errors still print with -q")
    }
}
