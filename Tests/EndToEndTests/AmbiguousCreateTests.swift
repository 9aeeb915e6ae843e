import Foundation
import MockWebex
import XCTest

/// Issue 25 item 2: a create whose answer was cut off after the API carried it out is looked up,
/// not sent again, and reported as what is true.
final class AmbiguousCreateTests: MockTestCase {
    func testARoomCreateCutOffIsLookedUpAndDone() throws {
        try runCutOffCreate(["rooms", "create", "Cut off", "-o", "json"], path: "/rooms") {
            mock.rooms().filter { $0["title"] as? String == "Cut off" }
        }
    }

    func testAMembershipAddCutOffIsLookedUpAndAdded() throws {
        let room = mock.addRoom(title: "Ops", members: [])
        mock.inject(.truncateBody, method: "POST", pathPrefix: "/memberships", times: 1)
        let r = try run(["participants", "add", room.id, "carol@example.com", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("added"), r.stdout)
        XCTAssertEqual(mock.memberships(roomId: room.id).filter { $0["personEmail"] as? String == "carol@example.com" }.count, 1)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/memberships").count, 1)
    }

    /// A post cut off after Webex made it is looked up, never sent again: in a group room a bot may
    /// not list its own post (Webex lists it only messages that mention it), so the audit token
    /// looks; without one, whether it was made is unknown, never "not made".
    func testAPostCutOffInAGroupRoomIsLookedUpWithTheAuditTokenOrSaidUnknown() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        mock.inject(.truncateBody, method: "POST", pathPrefix: "/messages", times: 1)
        var r = try run(["post", room.id, "--text", "cut off once", "-o", "json"], env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let made = mock.messages(roomId: room.id).filter { $0["text"] as? String == "cut off once" }
        XCTAssertEqual(made.count, 1)
        XCTAssertTrue(r.stdout.contains(made.first?["id"] as? String ?? "?"), r.stdout)

        mock.inject(.truncateBody, method: "POST", pathPrefix: "/messages", times: 1)
        r = try run(["post", room.id, "--text", "cut off twice"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("whether the message was made is unknown"), r.stderr)
        XCTAssertFalse(r.stderr.contains("it was not made"), r.stderr)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/messages").count, 2, "never a second POST")
    }

    /// A direct post (`--person`) is looked up in the direct conversation: found when made, and
    /// "not made" only after that look-up.
    func testADirectPostCutOffIsLookedUpInTheDirectConversation() throws {
        mock.inject(.truncateBody, method: "POST", pathPrefix: "/messages", times: 1)
        var r = try run(["post", "--person", "alice@example.com", "--text", "direct, cut off", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/messages").count, 1)
        XCTAssertTrue(mock.requests(method: "GET", pathPrefix: "/messages/direct").contains {
            $0.query["personEmail"] == "alice@example.com"
        })
        mock.inject(.status(500), method: "POST", pathPrefix: "/messages", times: 1)
        r = try run(["post", "--person", "alice@example.com", "--text", "never made"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("a look-up found no such message: it was not made"), r.stderr)
    }

    func testACreateThatFailedWith500AndMadeNothingSaysSo() throws {
        try runFailedCreate(["rooms", "create", "Never made"], path: "/rooms", noun: "room")
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/rooms").count, 1)
    }
}
