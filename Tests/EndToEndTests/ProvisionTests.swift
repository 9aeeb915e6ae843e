import Foundation
import MockWebex
import XCTest

/// Issue 3: `provision` against the mock.
final class ProvisionTests: MockTestCase {
    func settings(room: String = "CI room", team: String? = "Anchor team",
                  participants: [String] = ["bob@example.com", "carol@example.com"]) throws -> String {
        var text = "network.retry_delays: [0, 0, 0]\nspace:\n  room: \(room)\n"
        if let team { text += "  team: \(team)\n" }
        if !participants.isEmpty {
            text += "  participants:\n" + participants.map { "    - \($0)\n" }.joined()
        }
        return try writeFile("settings.yaml", text)
    }

    var writes: [MockRequest] { mock.requests.filter { ["POST", "PUT", "DELETE"].contains($0.method) } }

    func emails(_ roomId: String) -> Set<String> {
        Set(mock.memberships(roomId: roomId).compactMap { $0["personEmail"] as? String })
    }

    func testProvisionCreatesThenASecondRunWritesNothing() throws {
        let team = mock.addTeam(name: "Anchor team")
        let path = try settings()
        var r = try run(["provision", "-c", path, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let room = try r.json() as! [String: Any]
        let id = room["id"] as! String
        XCTAssertEqual(room["title"] as? String, "CI room")
        XCTAssertEqual(room["teamId"] as? String, team.id)
        XCTAssertEqual(emails(id), ["bot@example.com", "bob@example.com", "carol@example.com"])
        XCTAssertEqual(writes.filter { $0.path == "/rooms" }.count, 1)
        XCTAssertEqual(writes.filter { $0.path == "/memberships" }.count, 2)

        mock.clearRequests()
        r = try run(["provision", "-c", path, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, id)
        XCTAssertTrue(writes.isEmpty, "\(writes.map { "\($0.method) \($0.path)" })")
        XCTAssertFalse(mock.requests.isEmpty)
        XCTAssertTrue(r.stderr.contains("nothing to do"), r.stderr)
        XCTAssertEqual(mock.rooms().filter { $0["title"] as? String == "CI room" }.count, 1)

        mock.clearRequests()
        r = try run(["provision", "-c", path, "--dry-run", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [Any]).count, 0)
        XCTAssertTrue(writes.isEmpty)
    }

    func testDryRunPrintsThePlanAndWritesNothing() throws {
        mock.addTeam(name: "Anchor team")
        let path = try settings()
        var r = try run(["provision", "-c", path, "--dry-run", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let steps = (try r.json() as! [[String: String]]).map { "\($0["action"]!) \($0["target"]!)" }
        XCTAssertEqual(steps, ["create-room CI room",
                               "add-participant bob@example.com", "add-participant carol@example.com"])
        XCTAssertTrue(writes.isEmpty)
        XCTAssertTrue(mock.rooms().isEmpty)

        r = try run(["provision", "-c", path, "--dry-run", "-o", "tsv"])
        XCTAssertEqual(r.stdout.split(separator: "\n").first, "create-room\tCI room\tteam 'Anchor team'")
        XCTAssertTrue(writes.isEmpty)
    }

    func testMissingTeamIsCreatedWithTheRoom() throws {
        let path = try settings(team: "New team", participants: [])
        var r = try run(["provision", "-c", path, "--dry-run", "-o", "tsv"])
        XCTAssertEqual(r.stdout, "create-team\tNew team\t\ncreate-room\tCI room\tteam 'New team'\n")
        XCTAssertTrue(writes.isEmpty)

        r = try run(["provision", "-c", path, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let team = mock.teams().first { $0["name"] as? String == "New team" }
        XCTAssertNotNil(team)
        XCTAssertEqual((try r.json() as! [String: Any])["teamId"] as? String, team?["id"] as? String)
        XCTAssertEqual(writes.map(\.path), ["/teams", "/rooms"])
    }

    func testExistingRoomOnlyGetsTheMissingParticipants() throws {
        let team = mock.addTeam(name: "Anchor team")
        let room = mock.addRoom(title: "CI room", teamId: team.id, members: ["BOB@example.com"])
        let r = try run(["provision", "-c", try settings(participants: ["bob@example.com", "carol@example.com",
                                                                         "bob@example.com"]), "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix(room.id + "\tCI room\tgroup\t" + team.id), r.stdout)
        XCTAssertEqual(writes.count, 1)
        let body = try JSONSerialization.jsonObject(with: writes[0].body) as! [String: Any]
        XCTAssertEqual(body["personEmail"] as? String, "carol@example.com")
        XCTAssertTrue(r.stderr.contains("added 1, unchanged 0, failed 0"), r.stderr)
    }

    func testAnUnownedRoomMovesIntoTheTeamARoomOfAnotherTeamIsAWarning() throws {
        let team = mock.addTeam(name: "Anchor team")
        let room = mock.addRoom(title: "CI room")
        var r = try run(["provision", "-c", try settings(participants: []), "--dry-run", "-o", "tsv"])
        XCTAssertEqual(r.stdout, "move-room-to-team\tCI room\tteam 'Anchor team'\n")
        r = try run(["provision", "-c", try settings(participants: []), "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["teamId"] as? String, team.id)
        XCTAssertEqual(mock.room(id: room.id)?["teamId"] as? String, team.id)

        mock.clearRequests()
        let other = mock.addTeam(name: "Other team")
        let owned = mock.addRoom(title: "Owned room", teamId: other.id)
        r = try run(["provision", "-c", try settings(room: "Owned room", participants: []), "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, owned.id)
        XCTAssertTrue(r.stderr.contains("warning") && r.stderr.contains("Anchor team"), r.stderr)
        XCTAssertTrue(writes.isEmpty)
    }

    func testWithoutSpaceRoomProvisionSaysItUsesTheSeedFallbackTitle() throws {
        let path = try writeFile("settings.yaml", "network.retry_delays: [0, 0, 0]\n")
        let r = try run(["provision", "-c", path, "--dry-run", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "create-room\tCollaboration space\t\n")  // the detail column is empty
        XCTAssertTrue(r.stderr.contains("space.room is not set") && r.stderr.contains("Collaboration space"), r.stderr)
    }

    func testAmbiguousTitleIsExit5AndAFailedParticipantIsNonZero() throws {
        let a = mock.addRoom(title: "CI room")
        let b = mock.addRoom(title: "CI room")
        var r = try run(["provision", "-c", try settings(team: nil)])
        XCTAssertEqual(r.code, 5)
        XCTAssertTrue(r.stderr.contains(a.id) && r.stderr.contains(b.id), r.stderr)
        XCTAssertTrue(writes.isEmpty)

        mock.clearRequests()
        mock.inject(.status(403), method: "POST", pathPrefix: "/memberships")
        r = try run(["provision", "-c", try settings(room: "Other room", team: nil, participants: ["bob@example.com"]),
                     "-o", "json"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["title"] as? String, "Other room")
        // Issue 24: one participant that failed is one error line (no summary, no count).
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.contains("error") }.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("403"), r.stderr)
    }

    func testPruneWithoutAManifestIsAUsageErrorBeforeAnyRequest() throws {
        let r = try run(["provision", "-c", try settings(), "--prune"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--prune needs -f"), r.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testCheckWithTheSettingsIsExit7UntilProvisioned() throws {
        let path = try settings(team: nil)
        var r = try run(["provision", "-c", path, "--check", "-o", "json"])
        XCTAssertEqual(r.code, 7, r.stderr)
        XCTAssertEqual((try r.json() as! [[String: String]]).first?["action"], "create-room")
        XCTAssertTrue(writes.isEmpty)
        XCTAssertEqual(try run(["provision", "-c", path, "-o", "json"]).code, 0)
        r = try run(["provision", "-c", path, "--check", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
    }
}
