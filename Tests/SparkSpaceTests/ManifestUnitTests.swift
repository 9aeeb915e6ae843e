import XCTest
@testable import SparkSpace

/// Parsing and validation of the spaces manifest, and the people diff of the plan.
final class ManifestUnitTests: XCTestCase {
    private func file(_ text: String, ext: String = "yaml") throws -> String {
        let path = NSTemporaryDirectory() + "spaces-\(UUID().uuidString).\(ext)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func message(_ text: String, ext: String = "yaml") throws -> String {
        let path = try file(text, ext: ext)
        XCTAssertThrowsError(try SpacesManifest.load(path: path)) { error in
            guard case SparkError.invalidInput = error else { return XCTFail("\(error)") }
        }
        do {
            _ = try SpacesManifest.load(path: path)
            return ""
        } catch {
            return "\(error)".replacingOccurrences(of: path, with: "FILE")
        }
    }

    func testJSONAndYAMLReadAlike() throws {
        let yaml = try SpacesManifest.load(path: try file("""
            teams:
              - name: Platform
                moderators: alice@example.com
            rooms:
              - title: 2027
                team: Platform
                locked: true
                participants: [Bob@example.com, bob@example.com]
            """))
        let json = try SpacesManifest.load(path: try file("""
            {"teams": [{"name": "Platform", "moderators": ["alice@example.com"]}],
             "rooms": [{"title": "2027", "team": "Platform", "locked": true,
                        "participants": ["Bob@example.com"]}]}
            """, ext: "json"))
        XCTAssertEqual(yaml, json)
        XCTAssertEqual(yaml.teams[0].moderators, ["alice@example.com"], "one e-mail reads as a list of one")
        XCTAssertNil(yaml.teams[0].members, "left out: the team's people are left alone")
        XCTAssertEqual(yaml.rooms[0].participants, ["Bob@example.com"], "duplicates ignoring case are dropped")
        XCTAssertEqual(yaml.rooms[0].title, "2027")
        XCTAssertEqual(try SpacesManifest.load(path: try file("")), SpacesManifest())
    }

    func testErrorsNameTheLineAndWhatIsWrong() throws {
        XCTAssertEqual(try message("{\n  \"rooms\": [\n    {\"title\": \"A\",\n     \"particpants\": []}]}", ext: "json"),
                       "FILE:4: unknown key 'particpants' in a room; did you mean 'participants'?")
        XCTAssertEqual(try message("teem:\n  - name: A\n"), "FILE:1: unknown key 'teem' in the manifest; did you mean 'teams'?")
        XCTAssertEqual(try message("rooms:\n  - title: J\n    colour: 1\n"),
                       "FILE:3: unknown key 'colour' in a room; did you mean 'locked'?", "however far: the closest")
        XCTAssertEqual(try message("rooms:\n  - title: [A]\n"), "FILE:2: title must be text")
        XCTAssertEqual(try message("rooms:\n  - team: A\n"), "FILE:1: rooms item 1 has neither title nor id")
        XCTAssertEqual(try message("rooms:\n  - id: not-an-id\n"), "FILE:2: 'not-an-id' is not a Webex room id")
        XCTAssertEqual(try message("teams: Platform\n"), "FILE:1: teams must be a list")
        XCTAssertEqual(try message("teams:\n  - name: T\n    members: [{a: b}]\n"), "FILE:3: members must be a list of e-mails")
        XCTAssertEqual(try message("- a\n- b\n"), "FILE: the manifest must be a mapping with teams and rooms")
    }

    func testPeopleDiffAddsFlagsAndPrunesButNeverTheBot() throws {
        func member(_ email: String, _ personId: String, moderator: Bool) throws -> Membership {
            try Membership(json: ["id": .string("M-" + personId), "personEmail": .string(email),
                                  "personId": .string(personId), "isModerator": .bool(moderator)])
        }
        let current = Space.byEmail(try [member("bot@example.com", "BOT", moderator: true),
                                          member("bob@example.com", "BOB", moderator: true),
                                          member("carol@example.com", "CAROL", moderator: false),
                                          member("zed@example.com", "ZED", moderator: false)])
        let kept = PeopleDiff(members: ["bob@example.com", "dave@example.com"], moderators: ["Carol@example.com"],
                              current: current, botId: "BOT", prune: false)
        XCTAssertEqual(kept.add, ["dave@example.com"])
        XCTAssertEqual(kept.flags.map { "\($0.0.personId!) \($0.1)" }, ["CAROL true"])
        XCTAssertTrue(kept.remove.isEmpty)
        let pruned = PeopleDiff(members: ["bob@example.com", "dave@example.com"], moderators: ["Carol@example.com"],
                                current: current, botId: "BOT", prune: true)
        XCTAssertEqual(pruned.flags.map { "\($0.0.personId!) \($0.1)" }, ["CAROL true", "BOB false"])
        XCTAssertEqual(pruned.remove.compactMap(\.personId), ["ZED"])
    }
}
