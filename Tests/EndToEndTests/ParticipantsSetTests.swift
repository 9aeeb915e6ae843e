import Foundation
import MockWebex
import XCTest

/// Issue 15: `participants set` (PUT /memberships/{id}) against the mock.
final class ParticipantsSetTests: MockTestCase {
    func moderators(_ roomId: String) -> Set<String> {
        Set(mock.memberships(roomId: roomId).filter { $0["isModerator"] as? Bool == true }
            .compactMap { $0["personEmail"] as? String })
    }

    func testSetsAndClearsTheFlagWithOneListing() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com", "carol@example.com"])
        mock.addMembership(roomId: room.id, email: "dave@example.com", isModerator: true)
        var r = try run(["participants", "set", "Ops", "bob@example.com", "dave@example.com", "-", "--moderator",
                         "-o", "json"], stdin: "carol@example.com\n")
        XCTAssertEqual(r.code, 0, r.stderr)
        let rows = try r.json() as! [[String: Any]]
        XCTAssertEqual(rows.map { $0["status"] as! String }, ["updated", "unchanged", "updated"])
        XCTAssertTrue(r.stderr.contains("updated 2, unchanged 1, failed 0"), r.stderr)
        XCTAssertEqual(moderators(room.id), ["bob@example.com", "carol@example.com", "dave@example.com"])
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/memberships").count, 1, "one listing for all")
        let puts = mock.requests(method: "PUT", pathPrefix: "/memberships")
        XCTAssertEqual(puts.count, 2)
        let body = try JSONSerialization.jsonObject(with: puts[0].body) as! [String: Any]
        XCTAssertEqual(body["isModerator"] as? Bool, true)
        XCTAssertEqual(body["isRoomHidden"] as? Bool, false, "the OpenAPI requires it: the member's own is kept")

        r = try run(["participants", "set", "bob@example.com", "--room", "Ops", "--no-moderator", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(moderators(room.id), ["carol@example.com", "dave@example.com"])
    }

    func testNotAMemberFailsTheRowOthersStillDone() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com"])
        let r = try run(["participants", "set", "Ops", "erin@example.com", "bob@example.com", "--moderator", "-o", "tsv"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stdout.contains("erin@example.com\tfailed"), r.stdout)
        XCTAssertTrue(r.stderr.contains("erin@example.com is not a member of the room"), r.stderr)
        XCTAssertEqual(moderators(room.id), ["bob@example.com"])
    }

    func testBadInputIsExit2WithNoRequest() throws {
        mock.addRoom(title: "Ops", members: ["bob@example.com"])
        for args in [["participants", "set", "Ops", "bob@example.com"],
                     ["participants", "set", "Ops", "bob@example.com", "--moderator", "--no-moderator"],
                     ["participants", "set", "Ops", "--moderator"], ["participants", "set", "Ops", "bob", "--moderator"]] {
            mock.clearRequests()
            let r = try run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(mock.requests.isEmpty, "\(args)")
        }
        XCTAssertEqual(try run(["participants", "set", "Nope", "bob@example.com", "--moderator"]).code, 4)
    }
}
