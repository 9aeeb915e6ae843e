import Foundation
import MockWebex
import XCTest

/// Issue 3: `participants list|add|remove` against the mock.
final class ParticipantsTests: MockTestCase {
    func config(_ extra: String = "") throws -> String {
        try writeFile("settings.yaml", "network.retry_delays: [0, 0, 0]\n" + extra)
    }

    func emails(_ roomId: String) -> [String] {
        mock.memberships(roomId: roomId).compactMap { $0["personEmail"] as? String }
    }

    // MARK: list

    func testListLeavesOutTheBotUnlessAsked() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com"])
        mock.addMembership(roomId: room.id, email: "carol@example.com", isModerator: true)

        var r = try run(["participants", "list", "Ops", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let items = try r.json() as! [[String: Any]]
        XCTAssertEqual(items.map { $0["personEmail"] as! String }, ["bob@example.com", "carol@example.com"])
        XCTAssertEqual(items[1]["isModerator"] as? Bool, true)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/memberships").first?.query["max"], "1000")

        r = try run(["participants", "list", "--room", "Ops", "--include-bot", "-o", "ndjson"])
        XCTAssertEqual(try r.lines().map { $0["personEmail"] as! String },
                       ["bot@example.com", "bob@example.com", "carol@example.com"])

        r = try run(["participants", "list", room.id, "-o", "tsv"])
        let fields = r.stdout.split(separator: "\n")[1].split(separator: "\t", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.count, 4)
        XCTAssertEqual(fields[0], "carol@example.com")
        XCTAssertEqual(fields[2], "true")

        r = try run(["participants", "list", "-o", "table", "-c", try config("space.room: Ops\n")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("personEmail"), r.stdout)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 3)

        XCTAssertEqual(try run(["participants", "list", "Nope"]).code, 4)
    }

    func testListPagesThroughManyMembers() throws {
        let room = mock.addRoom(title: "Crowd")
        for i in 0..<1_200 { mock.addMembership(roomId: room.id, email: "p\(i)@example.com") }
        let r = try run(["participants", "list", "Crowd", "-o", "ndjson"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = try r.lines()
        XCTAssertEqual(lines.count, 1_200)
        XCTAssertEqual(Set(lines.map { $0["personEmail"] as! String }).count, 1_200)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/memberships").count, 2)
    }

    // MARK: add

    func testAddReportsAddedAndUnchanged() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com"])
        let r = try run(["participants", "add", "Ops", "bob@example.com", "carol@example.com", "dave@example.com",
                         "--moderator", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let items = try r.json() as! [[String: Any]]
        XCTAssertEqual(items.map { $0["email"] as! String }, ["bob@example.com", "carol@example.com", "dave@example.com"])
        XCTAssertEqual(items.map { $0["status"] as! String }, ["unchanged", "added", "added"])
        XCTAssertTrue(r.stderr.contains("added 2, unchanged 1, failed 0"), r.stderr)
        XCTAssertEqual(Set(emails(room.id)), ["bot@example.com", "bob@example.com", "carol@example.com", "dave@example.com"])
        let moderators = mock.memberships(roomId: room.id).filter { $0["isModerator"] as? Bool == true }
        XCTAssertEqual(Set(moderators.compactMap { $0["personEmail"] as? String }), ["carol@example.com", "dave@example.com"])
        let posts = mock.requests(method: "POST", pathPrefix: "/memberships")
        XCTAssertEqual(posts.count, 3)
        let body = try JSONSerialization.jsonObject(with: posts[0].body) as! [String: Any]
        XCTAssertEqual(body["roomId"] as? String, room.id)
        XCTAssertEqual(body["isModerator"] as? Bool, true)
    }

    func testFirstEmailMeansDefaultRoomAndDashReadsStdin() throws {
        let room = mock.addRoom(title: "Ops")
        var r = try run(["participants", "add", "bob@example.com", "--room", "Ops", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "bob@example.com\tadded\t\n")

        r = try run(["participants", "add", "-", "-o", "tsv", "-c", try config("space.room: Ops\n")],
                    stdin: "carol@example.com\n\n# a comment\n  dave@example.com  \nCAROL@example.com\n")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "carol@example.com\tadded\t\ndave@example.com\tadded\t\n")
        XCTAssertEqual(Set(emails(room.id)), ["bot@example.com", "bob@example.com", "carol@example.com", "dave@example.com"])

        r = try run(["participants", "add", "Ops", "-"], stdin: "\n")
        XCTAssertEqual(r.code, 2)
    }

    func testAddFailureGivesNonZeroWhileTheOthersGoThrough() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com"])
        mock.inject(.status(403), method: "POST", pathPrefix: "/memberships")
        let r = try run(["participants", "add", "Ops", "bob@example.com", "carol@example.com", "dave@example.com",
                         "erin@example.com", "-o", "json", "-c", try config()])
        XCTAssertEqual(r.code, 3, r.stderr)
        let items = try r.json() as! [[String: Any]]
        let statuses = items.map { $0["status"] as! String }
        XCTAssertEqual(statuses.filter { $0 == "failed" }.count, 1, "\(items)")
        let failed = items.first { $0["status"] as? String == "failed" }!
        XCTAssertNotNil(failed["error"] as? String)
        // Whoever failed is not in the room; everyone else is.
        let failedEmail = failed["email"] as! String
        let expected = Set(["bot@example.com", "bob@example.com", "carol@example.com", "dave@example.com",
                            "erin@example.com"]).subtracting(failedEmail == "bob@example.com" ? [] : [failedEmail])
        XCTAssertEqual(Set(emails(room.id)), expected)
        XCTAssertTrue(r.stderr.contains("failed 1"), r.stderr)
        XCTAssertTrue(r.stderr.contains("spark-space: error:"), r.stderr)
    }

    func testAddUsageErrorsSendNothing() throws {
        mock.addRoom(title: "Ops")
        var r = try run(["participants", "add", "Ops"])
        XCTAssertEqual(r.code, 2)
        r = try run(["participants", "add", "Ops", "bob@example.com", "not-an-email"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("not-an-email"), r.stderr)
        r = try run(["participants", "add"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(mock.requests.isEmpty)
        r = try run(["participants", "add", "Nope", "bob@example.com"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(mock.requests(method: "POST", pathPrefix: "/").isEmpty)
    }

    func testBulkAddOf300WithInjected429sAddsEachExactlyOnce() throws {
        let room = mock.addRoom(title: "Crowd")
        mock.throttle(pathPrefix: "/memberships", method: "POST", every: 5, retryAfter: "0")
        mock.inject(.status(429, retryAfter: "0"), method: "POST", pathPrefix: "/memberships", times: 10)
        let all = (0..<300).map { "user\($0)@example.com" }
        // Retry-After: 0 waits double per request (1 s, 2 s, ...); which request meets the every-5th
        // throttle again depends on how the 4 workers interleave, so the budget is made large: the
        // point is that each is added exactly once (in process the waits cost no wall time).
        let r = try run(["participants", "add", "Crowd", "-", "-o", "ndjson", "-v", "-c", try config(), "--max-wait", "86400"],
                        stdin: all.joined(separator: "\n") + "\n")
        XCTAssertEqual(r.code, 0, r.stderr.suffix(2000).description)
        let lines = try r.lines()
        XCTAssertEqual(lines.map { $0["email"] as! String }, all)
        XCTAssertTrue(lines.allSatisfy { $0["status"] as? String == "added" })
        XCTAssertTrue(r.stderr.contains("added 300, unchanged 0, failed 0"), r.stderr.suffix(500).description)
        var counts: [String: Int] = [:]
        for email in emails(room.id) { counts[email, default: 0] += 1 }
        XCTAssertEqual(counts.count, 301)
        XCTAssertTrue(counts.values.allSatisfy { $0 == 1 })
        let posts = mock.requests(method: "POST", pathPrefix: "/memberships")
        XCTAssertGreaterThan(posts.count, 300 + 10, "429s were injected and retried")
        // -v lines stay whole while four threads log at once.
        let logLines = r.stderr.split(separator: "\n").filter { $0.contains("POST /memberships") }
        XCTAssertEqual(logLines.count, posts.count)
        XCTAssertTrue(logLines.allSatisfy { $0.hasPrefix("spark-space: POST /memberships ") && $0.hasSuffix("ms") })
        XCTAssertFalse(r.stderr.contains("bot-token"))
    }

    // MARK: remove

    func testRemoveLooksUpByRoomAndEmailThenDeletesById() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com", "carol@example.com"])
        let bob = mock.memberships(roomId: room.id).first { $0["personEmail"] as? String == "bob@example.com" }!
        let r = try run(["participants", "remove", "Ops", "bob@example.com", "zed@example.com", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let items = try r.json() as! [[String: Any]]
        XCTAssertEqual(items.map { $0["status"] as! String }, ["removed", "unchanged"])
        XCTAssertTrue(r.stderr.contains("removed 1, unchanged 1, failed 0"), r.stderr)
        XCTAssertEqual(Set(emails(room.id)), ["bot@example.com", "carol@example.com"])
        // Several people: one listing of the room's memberships, not one look-up each.
        let lookups = mock.requests(method: "GET", pathPrefix: "/memberships")
        XCTAssertEqual(lookups.count, 1)
        XCTAssertEqual(lookups[0].query["roomId"], room.id)
        XCTAssertNil(lookups[0].query["personEmail"])
        let deletes = mock.requests(method: "DELETE", pathPrefix: "/memberships")
        XCTAssertEqual(deletes.map(\.path), ["/memberships/\(bob["id"] as! String)"])
    }

    func testRemoveOnePersonLooksUpByRoomAndEmail() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com", "carol@example.com"])
        let r = try run(["participants", "remove", "Ops", "bob@example.com"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lookups = mock.requests(method: "GET", pathPrefix: "/memberships")
        XCTAssertEqual(lookups.map { $0.query["personEmail"] }, ["bob@example.com"])
        XCTAssertEqual(Set(emails(room.id)), ["bot@example.com", "carol@example.com"])
    }

    func testRemoveFromStdinWithDefaultRoom() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com", "carol@example.com", "dave@example.com"])
        let r = try run(["participants", "remove", "-", "-o", "tsv", "--room", room.id],
                        stdin: "bob@example.com\ncarol@example.com\n")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 2)
        XCTAssertEqual(Set(emails(room.id)), ["bot@example.com", "dave@example.com"])
    }
}
