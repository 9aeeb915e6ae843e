import XCTest
@testable import SparkSpace

/// Issue 29: how an export names rooms and teams so that `provision -f` finds each again.
final class ExportNamesTests: XCTestCase {
    private func room(_ id: String, _ title: String, team: String? = nil) throws -> Room {
        var object: [String: JSON] = ["id": .string(id), "title": .string(title), "type": "group"]
        if let team { object["teamId"] = .string(team) }
        return try Room(json: .object(object))
    }

    private func team(_ id: String, _ name: String) throws -> Team {
        try Team(json: .object(["id": .string(id), "name": .string(name)]))
    }

    private func member(_ email: String, person: String, moderator: Bool = false) throws -> Membership {
        try Membership(json: .object(["id": .string("m-" + person), "personId": .string(person),
                                      "personEmail": .string(email), "isModerator": .bool(moderator)]))
    }

    func testASharedTitleIsPinnedEvenWhenTheOtherRoomIsNotExported() throws {
        let standup = try room("r1", "Standup"), other = try room("r2", "Standup"), ops = try room("r3", "Ops")
        let names = ExportNames(rooms: [standup, ops], listed: [standup, other, ops], teams: [], selectedTeam: nil)
        XCTAssertTrue(names.pinned(standup))
        XCTAssertFalse(names.pinned(ops))
        // Titles differing in case or spaces are different titles.
        let spaced = try room("r4", "Ops "), upper = try room("r5", "OPS")
        let exact = ExportNames(rooms: [ops, spaced, upper], listed: [ops, spaced, upper], teams: [], selectedTeam: nil)
        XCTAssertFalse([ops, spaced, upper].contains(where: exact.pinned))
    }

    func testTeamsByNameByIdWhenSharedAndNotAtAllWhenUnseen() throws {
        let platform = try team("t1", "Platform"), twinA = try team("t2", "Twin"), twinB = try team("t3", "Twin")
        let rooms = [try room("r1", "A", team: "t1"), try room("r2", "B", team: "t2"), try room("r3", "C", team: "t3"),
                     try room("r4", "D", team: "t9"), try room("r5", "E")]
        let names = ExportNames(rooms: rooms, listed: rooms, teams: [twinB, platform, twinA], selectedTeam: nil)
        XCTAssertEqual(rooms.map(names.teamReference), ["Platform", "t2", "t3", nil, nil])
        XCTAssertEqual(names.exportedTeams.map(\.name), ["Platform"])
        XCTAssertEqual(names.warnings.count, 2, "one a team name: \(names.warnings)")
        XCTAssertTrue(names.warnings.contains { $0.contains("'D'") && $0.contains("not one of the identity's teams") })
    }

    func testPeopleSortedWithoutTheIdentityModeratorsApart() throws {
        let members = [try member("zed@example.com", person: "p1"), try member("Bob@example.com", person: "p2", moderator: true),
                       try member("bot@example.com", person: "me", moderator: true), try member("alice@example.com", person: "p3")]
        XCTAssertEqual(Space.emails(members, except: "me"), ["alice@example.com", "Bob@example.com", "zed@example.com"])
        XCTAssertEqual(Space.emails(members, except: "me", moderators: true), ["Bob@example.com"])
    }
}
