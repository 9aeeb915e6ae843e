import Foundation
import MockWebex
import XCTest

/// Issue 3: `rooms` and `teams` against the mock.
final class RoomsTests: MockTestCase {
    /// A settings file with fast retries (and more lines when given).
    func config(_ extra: String = "") throws -> String {
        try writeFile("settings.yaml", "network.retry_delays: [0, 0, 0]\n" + extra)
    }

    var writes: [MockRequest] { mock.requests.filter { ["POST", "PUT", "DELETE"].contains($0.method) } }

    func stamp(_ minute: Int) -> String { String(format: "2026-01-01T10:%02d:00.000Z", minute) }

    // MARK: rooms list

    func testListDefaultsToTenGroupRoomsByLastActivity() throws {
        for i in 0..<12 { mock.addRoom(title: "Room \(i)", lastActivity: stamp(i)) }
        mock.addRoom(title: "Alice", type: "direct", members: ["alice@example.com"], lastActivity: stamp(59))
        let r = try run(["rooms", "list", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let items = try r.json() as! [[String: Any]]
        XCTAssertEqual(items.map { $0["title"] as! String }, (2..<12).reversed().map { "Room \($0)" })
        let get = mock.requests(method: "GET", pathPrefix: "/rooms")
        XCTAssertEqual(get.count, 1)
        XCTAssertEqual(get[0].query["type"], "group")
        XCTAssertEqual(get[0].query["sortBy"], "lastactivity")
        XCTAssertEqual(get[0].query["max"], "10")
    }

    func testListAllFollowsPagesAndLimitStopsFetching() throws {
        for i in 0..<1_100 { mock.addRoom(title: "Room \(i)") }
        var r = try run(["rooms", "list", "--limit", "0", "-o", "ndjson"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = try r.lines()
        XCTAssertEqual(lines.count, 1_100)
        XCTAssertEqual(Set(lines.map { $0["id"] as! String }).count, 1_100)
        var get = mock.requests(method: "GET", pathPrefix: "/rooms")
        XCTAssertEqual(get.count, 2)
        XCTAssertEqual(get[0].query["max"], "1000")

        mock.clearRequests()
        r = try run(["rooms", "list", "--limit", "250", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 250)
        get = mock.requests(method: "GET", pathPrefix: "/rooms")
        XCTAssertEqual(get.count, 1)
        XCTAssertEqual(get[0].query["max"], "250")

        mock.clearRequests()
        r = try run(["rooms", "list", "--limit", "1050", "-o", "ndjson"])
        XCTAssertEqual(try r.lines().count, 1_050)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/rooms").count, 2)
    }

    func testListTypesAndTeamFilterAndColumns() throws {
        let team = mock.addTeam(name: "Anchor team")
        let inTeam = mock.addRoom(title: "Team room", teamId: team.id, lastActivity: stamp(3))
        mock.addRoom(title: "Loose room", lastActivity: stamp(2))
        mock.addRoom(title: "Alice", type: "direct", members: ["alice@example.com"], lastActivity: stamp(1))

        var r = try run(["rooms", "list", "--type", "all", "-o", "json"])
        XCTAssertEqual((try r.json() as! [[String: Any]]).map { $0["title"] as! String },
                       ["Team room", "Loose room", "Alice"])
        XCTAssertNil(mock.requests.last?.query["type"])

        r = try run(["rooms", "list", "--type", "direct", "-o", "json"])
        XCTAssertEqual((try r.json() as! [[String: Any]]).map { $0["title"] as! String }, ["Alice"])

        r = try run(["rooms", "list", "--team", "Anchor team", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "\(inTeam.id)\tTeam room\tgroup\t\(team.id)\t\(stamp(3))\n")
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/rooms").last?.query["teamId"], team.id)

        r = try run(["rooms", "list", "--team", team.id, "-o", "table"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("id") && lines[0].contains("lastActivity"), r.stdout)

        mock.clearRequests()
        r = try run(["rooms", "list", "--team", "No such team"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("No such team"), r.stderr)
        XCTAssertTrue(mock.requests(pathPrefix: "/rooms").isEmpty)

        r = try run(["rooms", "list", "--type", "odd"])
        XCTAssertEqual(r.code, 2)
        r = try run(["rooms", "list", "--limit", "-3"])
        XCTAssertEqual(r.code, 2)
    }

    // MARK: rooms get

    func testGetByTitleIdDefaultAndErrors() throws {
        let ops = mock.addRoom(title: "Ops")
        let a = mock.addRoom(title: "Twin")
        let b = mock.addRoom(title: "Twin")

        var r = try run(["rooms", "get", "Ops", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, ops.id)

        r = try run(["rooms", "get", ops.id, "-o", "json"])
        XCTAssertEqual((try r.json() as! [String: Any])["title"] as? String, "Ops")
        XCTAssertEqual(mock.requests.last?.path, "/rooms/\(ops.id)")

        r = try run(["rooms", "get", "-o", "json", "-c", try config("space.room: Ops\n")])
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, ops.id, r.stderr)
        r = try run(["rooms", "get", "-o", "json", "--room", "Ops"])
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, ops.id, r.stderr)

        r = try run(["rooms", "get", "Twin"])
        XCTAssertEqual(r.code, 5)
        XCTAssertTrue(r.stderr.contains(a.id) && r.stderr.contains(b.id), r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr)

        r = try run(["rooms", "get", "Nope"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.contains("Nope"), r.stderr)

        mock.clearRequests()
        r = try run(["rooms", "get"])  // no room given: no silent default title
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("no ROOM") && r.stderr.contains("space.room"), r.stderr)
        XCTAssertTrue(mock.requests.isEmpty)

        r = try run(["rooms", "get", "Y2lzY29zcGFyazovL3VzL1JPT00vbm90LXRoZXJl"])
        XCTAssertEqual(r.code, 4, r.stderr)
    }

    func testGetByPerson() throws {
        let bob = mock.addPerson(email: "bob@example.com", displayName: "Bob Builder", token: "bob-token")
        let withMessages = mock.addRoom(title: "Bob Builder", type: "direct", members: [bob.email])
        mock.addMessage(roomId: withMessages.id, fromEmail: bob.email, text: "hi")
        mock.addPerson(email: "carol@example.com", displayName: "Carol", token: nil)
        mock.addRoom(title: "Carol", type: "group", members: ["carol@example.com"])  // a decoy group room
        let quiet = mock.addRoom(title: "Carol", type: "direct", members: ["carol@example.com"])

        var r = try run(["rooms", "get", "--person", "bob@example.com", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, withMessages.id)

        r = try run(["rooms", "get", "--person", "carol@example.com", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, quiet.id)

        r = try run(["rooms", "get", "--person", "dave@example.com"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.contains("dave@example.com"), r.stderr)

        r = try run(["rooms", "get", "Ops", "--person", "bob@example.com"])
        XCTAssertEqual(r.code, 2)
        r = try run(["rooms", "get", "--person", "bob"])
        XCTAssertEqual(r.code, 2)
    }

    // MARK: rooms create

    func testCreateInTeamWithParticipants() throws {
        let team = mock.addTeam(name: "Anchor team")
        let r = try run(["rooms", "create", "Build status", "--team", "Anchor team", "--participant",
                         "bob@example.com", "--participant", "carol@example.com", "-o", "json", "-c", try config()])
        XCTAssertEqual(r.code, 0, r.stderr)
        let room = try r.json() as! [String: Any]
        let id = room["id"] as! String
        XCTAssertEqual(room["teamId"] as? String, team.id)
        let post = mock.requests(method: "POST", pathPrefix: "/rooms")
        XCTAssertEqual(post.count, 1)
        let body = try JSONSerialization.jsonObject(with: post[0].body) as! [String: Any]
        XCTAssertEqual(body["title"] as? String, "Build status")
        XCTAssertEqual(body["teamId"] as? String, team.id)
        let emails = Set(mock.memberships(roomId: id).compactMap { $0["personEmail"] as? String })
        XCTAssertEqual(emails, ["bot@example.com", "bob@example.com", "carol@example.com"])
        XCTAssertTrue(r.stderr.contains("added 2, unchanged 0, failed 0"), r.stderr)
    }

    func testCreateWithUnknownTeamCreatesNothing() throws {
        mock.addTeam(name: "Anchor team")
        let r = try run(["rooms", "create", "Build status", "--team", "Anchr team"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.contains("Anchr team"), r.stderr)
        XCTAssertTrue(writes.isEmpty, "\(writes.map(\.path))")
        XCTAssertTrue(mock.rooms().isEmpty)
    }

    func testCreateIfMissing() throws {
        let existing = mock.addRoom(title: "Build status")
        var r = try run(["rooms", "create", "Build status", "--if-missing", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, existing.id)
        XCTAssertTrue(writes.isEmpty)

        r = try run(["rooms", "create", "Fresh room", "--if-missing", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["title"] as? String, "Fresh room")
        XCTAssertEqual(writes.count, 1)

        // Without --if-missing a second room of the same title is created (Webex allows it).
        r = try run(["rooms", "create", "Build status", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.rooms().filter { $0["title"] as? String == "Build status" }.count, 2)

        mock.clearRequests()
        r = try run(["rooms", "create", "Build status", "--if-missing"])
        XCTAssertEqual(r.code, 5)
        XCTAssertTrue(writes.isEmpty)

        // With --team, the room of that title in that team: one elsewhere is not it; a team that
        // does not exist is exit 4 whether or not the room does.
        let team = mock.addTeam(name: "Alpha")
        r = try run(["rooms", "create", "Fresh room", "--team", "Alpha", "--if-missing", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let inTeam = try r.json() as! [String: Any]
        XCTAssertEqual(inTeam["teamId"] as? String, team.id)
        r = try run(["rooms", "create", "Fresh room", "--team", "Alpha", "--if-missing", "-o", "json"])
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, inTeam["id"] as? String)
        mock.clearRequests()
        r = try run(["rooms", "create", "Fresh room", "--team", "Nope", "--if-missing"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(writes.isEmpty)

        r = try run(["rooms", "create", "X", "--participant", "not-an-email"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(writes.isEmpty)
    }

    // MARK: rooms rename / delete

    func testRename() throws {
        let room = mock.addRoom(title: "Old")
        let r = try run(["rooms", "rename", "Old", "New title", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["title"] as? String, "New title")
        let put = mock.requests(method: "PUT", pathPrefix: "/rooms")
        XCTAssertEqual(put.map(\.path), ["/rooms/\(room.id)"])
        XCTAssertEqual(mock.room(id: room.id)?["title"] as? String, "New title")

        XCTAssertEqual(try run(["rooms", "rename", "Old", "Newer"]).code, 4)
        XCTAssertEqual(try run(["rooms", "rename", "New title"]).code, 2)
    }

    func testDeleteRefusesWithoutYesWhenNotATerminal() throws {
        let room = mock.addRoom(title: "Doomed")
        var r = try run(["rooms", "delete", "Doomed"], stdin: "y\n")
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("--yes"), r.stderr)
        XCTAssertTrue(writes.isEmpty)
        XCTAssertNotNil(mock.room(id: room.id))

        r = try run(["rooms", "delete", "Doomed", "--yes"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(writes.map { "\($0.method) \($0.path)" }, ["DELETE /rooms/\(room.id)"])
        XCTAssertNil(mock.room(id: room.id))

        r = try run(["rooms", "delete", "Doomed", "--yes"])
        XCTAssertEqual(r.code, 4)
    }

    func testDeleteAsksOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw XCTSkip("util-linux script is needed for a pseudo-terminal")
        }
        let room = mock.addRoom(title: "Doomed")
        var r = try runOnTerminal(["rooms", "delete", "Doomed"], answer: "n")
        // SPEC "Confirmations": an answer other than yes does nothing and exits 1.
        XCTAssertEqual(r.code, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("Delete room 'Doomed'"), r.stdout)
        XCTAssertTrue(writes.isEmpty)
        XCTAssertNotNil(mock.room(id: room.id))

        r = try runOnTerminal(["rooms", "delete", "Doomed"], answer: "y")
        XCTAssertEqual(r.code, 0, r.stdout)
        XCTAssertEqual(writes.map { "\($0.method) \($0.path)" }, ["DELETE /rooms/\(room.id)"])
        XCTAssertNil(mock.room(id: room.id))
    }

    // MARK: teams

    func testTeamsListAndGet() throws {
        let a = mock.addTeam(name: "Anchor team")
        let b = mock.addTeam(name: "Bravo")
        mock.addTeam(name: "Twin")
        mock.addTeam(name: "Twin")

        var r = try run(["teams", "list", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [[String: Any]]).count, 4)
        XCTAssertEqual(mock.requests.last?.query["max"], "1000")

        r = try run(["teams", "list", "--limit", "1", "-o", "tsv"])
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1)
        XCTAssertEqual(r.stdout.split(separator: "\t").first.map(String.init), a.id)

        r = try run(["teams", "get", "Bravo", "-o", "json"])
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, b.id)
        r = try run(["teams", "get", a.id, "-o", "ndjson"])
        XCTAssertEqual(try r.lines().first?["name"] as? String, "Anchor team")

        XCTAssertEqual(try run(["teams", "get", "Nope"]).code, 4)
        r = try run(["teams", "get", "Twin"])
        XCTAssertEqual(r.code, 5)
        XCTAssertEqual(try run(["teams", "get"]).code, 2)
    }
}
