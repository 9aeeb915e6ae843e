import Foundation
import MockWebex
import XCTest

/// Issue 25 item 2: a create whose answer was cut off after the API carried it out is looked up,
/// not sent again, and reported as what is true.
final class AmbiguousCreateTests: MockTestCase {
    func testARoomCreateCutOffIsLookedUpAndDone() throws {
        mock.inject(.truncateBody, method: "POST", pathPrefix: "/rooms", times: 1)
        let r = try run(["rooms", "create", "Cut off", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let rooms = mock.rooms().filter { $0["title"] as? String == "Cut off" }
        XCTAssertEqual(rooms.count, 1, "created twice or not at all")
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/rooms").count, 1)
        XCTAssertTrue(r.stdout.contains(rooms[0]["id"] as! String), r.stdout)
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

    func testACreateThatFailedWith500AndMadeNothingSaysSo() throws {
        mock.inject(.status(500), method: "POST", pathPrefix: "/rooms", times: 1)
        let r = try run(["rooms", "create", "Never made"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("a look-up found no such room: it was not made"), r.stderr)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/rooms").count, 1)
    }
}
