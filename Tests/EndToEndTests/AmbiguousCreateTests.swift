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

    func testACreateThatFailedWith500AndMadeNothingSaysSo() throws {
        try runFailedCreate(["rooms", "create", "Never made"], path: "/rooms", noun: "room")
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/rooms").count, 1)
    }
}
