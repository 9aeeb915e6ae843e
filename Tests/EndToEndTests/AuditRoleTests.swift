import Foundation
import MockWebex
import XCTest

/// `--as audit` on rooms, teams and participants: every request goes with the audit token
/// (the mock answers per token: alice sees her rooms and teams, the bot its own), and without an
/// audit token `--as audit` is exit 3 naming where a token comes from, before any request.
final class AuditRoleTests: MockTestCase {
    /// The flag form; the environment form is `auditEnv`.
    let auditFlag = ["--as", "audit", "--audit-token", "audit-token"]
    let auditEnv = ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"]

    /// The tokens the mock saw, in order (nil: none sent).
    private var tokensSeen: [String?] { mock.requests.map(\.token) }

    private func assertOnlyAudit(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(mock.requests.isEmpty, "\(what): no request", file: file, line: line)
        XCTAssertEqual(Set(tokensSeen.map { $0 ?? "none" }), ["audit-token"],
                       "\(what): \(requestLines)", file: file, line: line)
    }

    /// Runs `args` (which ask for `-o json`) with the audit token: exit 0, only the audit token
    /// sent, after the requests seen so far are forgotten. The parsed output.
    private func jsonAsAudit(_ args: [String], env: [String: String] = [:], file: StaticString = #filePath,
                             line: UInt = #line) throws -> Any {
        mock.clearRequests()
        let r = try run(args, env: env)
        XCTAssertEqual(r.code, 0, r.stderr, file: file, line: line)
        assertOnlyAudit(args.prefix(2).joined(separator: " "), file: file, line: line)
        return try r.json()
    }

    // MARK: rooms

    func testRoomsReadAndWriteAsAudit() throws {
        // Alice's room without the bot, and the bot's room without alice.
        let alices = mock.addRoom(title: "Alice only", members: ["alice@example.com"], includeBot: false)
        mock.addRoom(title: "Bot only")

        let listed = try jsonAsAudit(["rooms", "list", "-o", "json"] + auditFlag) as! [[String: Any]]
        XCTAssertEqual(listed.map { $0["title"] as? String }, ["Alice only"])

        // The environment form, and a room found by title: only alice can see it.
        let got = try jsonAsAudit(["rooms", "get", "Alice only", "--as", "audit", "-o", "json"], env: auditEnv)
        XCTAssertEqual((got as! [String: Any])["id"] as? String, alices.id)
        // The same with the bot token is not found: the token really decides.
        var r = try run(["rooms", "get", "Alice only"], env: auditEnv)
        XCTAssertEqual(r.code, 4, r.stderr)

        mock.clearRequests()
        r = try run(["rooms", "create", "Alice's new room", "--participant", "carol@example.com", "-o", "json"]
                    + auditFlag)
        XCTAssertEqual(r.code, 0, r.stderr)
        let created = try r.json() as! [String: Any]
        assertOnlyAudit("rooms create")
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/rooms").count, 1)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/memberships").count, 1)
        let members = mock.memberships(roomId: created["id"] as! String).compactMap { $0["personEmail"] as? String }
        XCTAssertEqual(Set(members), ["alice@example.com", "carol@example.com"], "created by alice, not the bot")

        mock.clearRequests()
        r = try run(["rooms", "rename", "Alice only", "Renamed by alice", "-o", "json"] + auditFlag)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["title"] as? String, "Renamed by alice")
        XCTAssertEqual(mock.requests(method: "PUT", pathPrefix: "/rooms/").map(\.path), ["/rooms/\(alices.id)"])
        assertOnlyAudit("rooms rename")
    }

    // MARK: teams (read-only commands)

    func testTeamsAsAudit() throws {
        let alices = mock.addTeam(name: "Alice team", creatorToken: "audit-token")
        mock.addTeam(name: "Bot team")

        let listed = try jsonAsAudit(["teams", "list", "-o", "json"] + auditFlag) as! [[String: Any]]
        XCTAssertEqual(listed.map { $0["name"] as? String }, ["Alice team"])

        let got = try jsonAsAudit(["teams", "get", "Alice team", "--as", "audit", "-o", "json"], env: auditEnv)
        XCTAssertEqual((got as! [String: Any])["id"] as? String, alices.id)

        // rooms create --team as audit looks the team up with the audit token too.
        let made = try jsonAsAudit(["rooms", "create", "In alice's team", "--team", "Alice team", "-o", "json"] + auditFlag)
        XCTAssertEqual((made as! [String: Any])["teamId"] as? String, alices.id)
    }

    // MARK: participants

    func testParticipantsListAddRemoveAsAudit() throws {
        let room = mock.addRoom(title: "Alice only", members: ["alice@example.com", "carol@example.com"],
                                includeBot: false)

        var r = try run(["participants", "list", "Alice only", "-o", "json"] + auditFlag)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(Set((try r.json() as! [[String: Any]]).compactMap { $0["personEmail"] as? String }),
                       ["alice@example.com", "carol@example.com"])
        // The room and its memberships are read with the audit token; the bot token only says who the
        // bot is (GET people/me), so that it can be left out of the list.
        for request in mock.requests where !(request.method == "GET" && request.path == "/people/me") {
            XCTAssertEqual(request.token, "audit-token", "\(request.method) \(request.path)")
        }
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/memberships").count, 1)

        mock.clearRequests()
        r = try run(["participants", "add", "Alice only", "dave@example.com", "erin@example.com", "-o", "ndjson"]
                    + auditFlag)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.lines().map { $0["status"] as? String }, ["added", "added"])
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/memberships").count, 2)
        assertOnlyAudit("participants add")

        mock.clearRequests()
        r = try run(["participants", "remove", "--room", room.id, "carol@example.com", "-o", "ndjson"], env: auditEnv)
        XCTAssertEqual(r.code, 4, "the bot is not in the room: \(r.stderr)")
        mock.clearRequests()
        r = try run(["participants", "remove", "--room", room.id, "carol@example.com", "--as", "audit",
                     "-o", "ndjson"], env: auditEnv)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.lines().map { $0["status"] as? String }, ["removed"])
        XCTAssertEqual(mock.requests(method: "DELETE", pathPrefix: "/memberships/").count, 1)
        assertOnlyAudit("participants remove")
        XCTAssertEqual(Set(mock.memberships(roomId: room.id).compactMap { $0["personEmail"] as? String }),
                       ["alice@example.com", "dave@example.com", "erin@example.com"])
    }

    // MARK: no audit token

    func testAsAuditWithoutAuditTokenIsExit3BeforeAnyRequest() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let commands: [[String]] = [
            ["rooms", "list"], ["rooms", "get", "Ops"], ["rooms", "create", "New"], ["rooms", "rename", room.id, "X"],
            ["teams", "list"], ["teams", "get", "Some team"],
            ["participants", "list", "Ops"], ["participants", "add", "Ops", "dave@example.com"],
            ["participants", "remove", room.id, "alice@example.com"],
        ]
        for command in commands {
            mock.clearRequests()
            let r = try run(command + ["--as", "audit"])
            XCTAssertEqual(r.code, 3, "\(command): \(r.stderr)")
            XCTAssertEqual(r.stderr, "spark-space: error: no audit token: use --audit-token-file FILE, "
                           + "space.audit_token in the settings file, or CISCO_SPARK_AUDIT_TOKEN, "
                           + "or sign in with `spark-space auth login`\n", "\(command)")
            XCTAssertEqual(r.stdout, "", "\(command)")
            XCTAssertEqual(requestLines, [], "\(command): nothing is sent, least of all with the bot token")
        }
        XCTAssertEqual(mock.rooms().map { $0["title"] as? String }, ["Ops"])
        XCTAssertEqual(Set(mock.memberships(roomId: room.id).compactMap { $0["personEmail"] as? String }),
                       ["bot@example.com", "alice@example.com"])

        // An empty audit token is no token either; a bad --as is a usage error.
        var r = try run(["rooms", "list", "--as", "audit"], env: ["CISCO_SPARK_AUDIT_TOKEN": ""])
        XCTAssertEqual(r.code, 3, r.stderr)
        r = try run(["rooms", "list", "--as", "admin"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: --as must be one of bot, audit"), r.stderr)
    }
}
