import Foundation
import MockWebex
import XCTest

/// Issue 15: `rooms update` (PUT /rooms/{id}) against the mock.
final class RoomsUpdateTests: MockTestCase {
    var writes: [MockRequest] { mock.requests.filter { $0.method != "GET" } }

    func body(_ request: MockRequest) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: request.body) as! [String: Any]
    }

    func testChangesSettingsAndKeepsTheTitle() throws {
        let room = mock.addRoom(title: "Ops")
        var r = try run(["rooms", "update", "Ops", "--description", "Deploys", "--lock", "--announcement-only",
                         "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let put = try body(writes[0])
        XCTAssertEqual(put["title"] as? String, "Ops", "Webex needs the title: the current one is sent")
        XCTAssertEqual(put["isLocked"] as? Bool, true)
        XCTAssertEqual(put["isAnnouncementOnly"] as? Bool, true)
        XCTAssertEqual(put["description"] as? String, "Deploys")
        let stored = mock.room(id: room.id)!
        XCTAssertEqual(stored["isLocked"] as? Bool, true)
        XCTAssertEqual(stored["isAnnouncementOnly"] as? Bool, true)
        XCTAssertEqual((try r.json() as! [String: Any])["description"] as? String, "Deploys")

        mock.clearRequests()
        r = try run(["rooms", "update", room.id, "--title", "Ops 2", "--unlock", "--no-announcement-only"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try body(writes[0])["title"] as? String, "Ops 2")
        XCTAssertEqual(mock.room(id: room.id)?["isLocked"] as? Bool, false)
        XCTAssertEqual(mock.room(id: room.id)?["isAnnouncementOnly"] as? Bool, false)
    }

    func testMovesARoomWithoutATeamAndRefusesOneInAnotherTeam() throws {
        let platform = mock.addTeam(name: "Platform")
        let other = mock.addTeam(name: "Other")
        let loose = mock.addRoom(title: "Loose")
        mock.addRoom(title: "Owned", teamId: other.id)
        var r = try run(["rooms", "update", "Loose", "--team", "Platform"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.room(id: loose.id)?["teamId"] as? String, platform.id)

        mock.clearRequests()
        r = try run(["rooms", "update", "Owned", "--team", "Platform"])
        XCTAssertEqual(r.code, 5)
        XCTAssertTrue(r.stderr.contains("Webex moves only a room without a team"), r.stderr)
        XCTAssertTrue(writes.isEmpty, "refused before any write")

        // The mock refuses it as Webex does when asked anyway.
        let owned = mock.rooms().first { $0["title"] as? String == "Owned" }!["id"] as! String
        r = try run(["api", "rooms/\(owned)", "-X", "PUT", "-f", "title=Owned", "-f", "teamId=\(platform.id)"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("Only unowned spaces"), r.stderr)
        XCTAssertEqual(try run(["rooms", "update", "Loose", "--team", "Nope"]).code, 4)
    }

    func testBadInputIsExit2WithNoRequest() throws {
        mock.addRoom(title: "Ops")
        for args in [["rooms", "update", "Ops"], ["rooms", "update", "Ops", "--lock", "--unlock"],
                     ["rooms", "update", "Ops", "--title", " "],
                     ["rooms", "update", "Ops", "--announcement-only", "--no-announcement-only"], ["rooms", "update"]] {
            mock.clearRequests()
            let r = try run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(mock.requests.isEmpty, "\(args)")
        }
    }

    /// Webex puts only a locked room in announcement mode (OpenAPI): refused before the PUT unless
    /// the room is locked or is locked in the same change; the mock refuses it as Webex does.
    func testAnnouncementModeNeedsALockedRoom() throws {
        let room = mock.addRoom(title: "News", members: ["bob@example.com"])
        var r = try run(["rooms", "update", "News", "--announcement-only"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("is not locked: Webex puts only a locked room in announcement mode"), r.stderr)
        XCTAssertTrue(mock.requests(method: "PUT", pathPrefix: "/rooms").isEmpty)
        r = try run(["api", "rooms/\(room.id)", "-X", "PUT", "-f", "title=News", "-F", "isAnnouncementOnly=true"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("only be put into announcement mode when it is locked"), r.stderr)
        r = try run(["rooms", "update", "News", "--lock", "--announcement-only", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.room(id: room.id)?["isAnnouncementOnly"] as? Bool, true)
        let manifest = try writeFile("m.yaml", "rooms:\n  - title: News\n    announcement_only: true\n")
        r = try run(["provision", "-f", manifest, "--check"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("announcement_only: true needs locked: true"), r.stderr)
    }

    func testNotFoundSuggestsAndALockedRoomNeedsAModerator() throws {
        let room = mock.addRoom(title: "Release 3.1", members: ["bob@example.com"])
        var r = try run(["rooms", "update", "Release 3.2", "--lock"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.contains("did you mean 'Release 3.1'?"), r.stderr)
        mock.setRoom(id: room.id, isLocked: true)
        r = try run(["rooms", "update", "Release 3.1", "--unlock"])
        XCTAssertEqual(r.code, 3, "only a moderator changes a locked room: " + r.stderr)
        mock.setModerator(roomId: room.id, email: "bot@example.com", true)
        r = try run(["rooms", "update", "Release 3.1", "--unlock"])
        XCTAssertEqual(r.code, 0, r.stderr)
    }
}

extension RoomsUpdateTests {
    func testSuggestionsFromTheAPICannotDriveTheTerminal() throws {
        // Two edits from what was typed: close enough to be suggested (Suggestions.swift).
        mock.addRoom(title: "Op\u{1B}s\u{07}")
        let r = try run(["rooms", "update", "Ops", "--lock"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.contains("did you mean 'Op\\x1bs\\x07'?"), r.stderr)
        XCTAssertFalse(r.stderr.contains("\u{1B}") || r.stderr.contains("\u{07}"))
    }
}
