import Foundation
import MockWebex
import XCTest

/// Issue 29: `provision export` against the mock — what it writes, `provision -f --check` of it exits 0,
/// and an applied manifest comes back out.
final class ProvisionExportTests: MockTestCase {
    /// Written as JSON (the manifest reader takes both) so that the test compares without a YAML reader.
    let manifest: [String: Any] = [
        "teams": [["name": "Platform", "description": "Platform engineering",
                   "members": ["alice@example.com", "bob@example.com", "erin@example.com"],
                   "moderators": ["alice@example.com"]]],
        "rooms": [
            ["title": "Ops room", "team": "Platform", "description": "Where deploys are announced: #ops",
             "locked": true, "participants": ["bob@example.com"], "moderators": ["alice@example.com"]],
            ["title": "Announcements", "team": "Platform", "locked": true, "announcement_only": true,
             "participants": ["erin@example.com"]],
            ["title": "Plain room", "participants": ["carol@example.com", "dave@example.com"],
             "moderators": ["carol@example.com"]],
        ],
    ]

    var manifestText: String {
        String(decoding: try! JSONSerialization.data(withJSONObject: manifest), as: UTF8.self)
    }

    /// Titles a naive YAML writer breaks (see also ManifestWriterTests, which adds controls).
    static let hostileTitles = [
        "Ops: deploys #1", "'quoted'", "\"double\"", "  leading", "trailing  ", "- dash", "[flow], {map}", "*star",
        "yes", "No", "null", "~", "1e3", "0x1F", "2026-12-07", "12:30", "+.inf", "Café ☕ 日本 🚀", "RTL \u{202E}exe",
        "line\nbreak", "tab\there", String(repeating: "long: title # ", count: 72).prefix(1000).description,
    ]

    func config() throws -> String { try writeFile("settings.yaml", "network.retry_delays: [0, 0, 0]\n") }

    func provision(_ manifest: String, name: String = "spaces.yaml", _ extra: [String] = []) throws -> RunResult {
        try run(["provision", "-c", try config(), "-f", try writeFile(name, manifest), "-o", "json"] + extra)
    }

    func export(_ arguments: [String]) throws -> RunResult {
        try run(["provision", "export", "-c", try config()] + arguments)
    }

    var writes: [MockRequest] { mock.requests.filter { ["POST", "PUT", "DELETE"].contains($0.method) } }

    /// Exports with `arguments`, then checks the YAML and the JSON export with `provision -f --check`:
    /// exit 0, no rows, and no write. Returns the JSON export.
    @discardableResult
    func exportChecksClean(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let yaml = try export(arguments)
        XCTAssertEqual(yaml.code, 0, yaml.stderr, file: file, line: line)
        let json = try export(arguments + ["-o", "json"])
        XCTAssertEqual(json.code, 0, json.stderr, file: file, line: line)
        XCTAssertTrue(writes.isEmpty, "export wrote: \(writes.map(\.path))", file: file, line: line)
        for (name, text) in [("export.yaml", yaml.stdout), ("export.json", json.stdout)] {
            let check = try provision(text, name: name, ["--check"])
            XCTAssertEqual(check.code, 0, "\(name): \(check.stdout)\(check.stderr)\n\(text)", file: file, line: line)
            XCTAssertEqual(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]", file: file, line: line)
        }
        XCTAssertTrue(writes.isEmpty, "check wrote: \(writes.map(\.path))", file: file, line: line)
        return try json.json(file: file, line: line) as! [String: Any]
    }

    func rooms(_ export: [String: Any]) -> [[String: Any]] { export["rooms"] as? [[String: Any]] ?? [] }
    func teams(_ export: [String: Any]) -> [[String: Any]] { export["teams"] as? [[String: Any]] ?? [] }

    // MARK: Round trips

    func testExportOfEverySortOfRoomChecksClean() throws {
        XCTAssertEqual(try provision(manifestText, name: "spaces.json").code, 0)
        // Duplicate titles, with other people; a room with nobody but the bot.
        let first = mock.addRoom(title: "Standup", members: ["frank@example.com"])
        let second = mock.addRoom(title: "Standup", members: ["grace@example.com"])
        mock.addMembership(roomId: second.id, email: "grace@example.com", isModerator: true)
        mock.addRoom(title: "Empty")
        for title in Self.hostileTitles { mock.addRoom(title: title, members: ["hostile@example.com"]) }
        mock.clearRequests()

        let exported = try exportChecksClean(["--all"])
        let titles = rooms(exported).compactMap { $0["title"] as? String }
        XCTAssertEqual(Set(titles), Set(mock.rooms().compactMap { $0["title"] as? String }))
        XCTAssertEqual(titles, titles.sorted(), "rooms by title")
        XCTAssertEqual(teams(exported).map { $0["name"] as? String }, ["Platform"])
        // Only the shared title is pinned, and each Standup keeps its own people.
        let pinned = rooms(exported).filter { $0["id"] != nil }
        XCTAssertEqual(Set(pinned.compactMap { $0["id"] as? String }), [first.id, second.id])
        let standup2 = pinned.first { $0["id"] as? String == second.id }!
        XCTAssertEqual(standup2["participants"] as? [String], ["grace@example.com"])
        XCTAssertEqual(standup2["moderators"] as? [String], ["grace@example.com"])
        let empty = rooms(exported).first { $0["title"] as? String == "Empty" }!
        XCTAssertEqual(empty["participants"] as? [String], [])
        // The identity in use is never listed.
        XCTAssertFalse(try export(["--all"]).stdout.contains("bot@example.com"))
    }

    func testApplyThenExportGivesTheManifestBack() throws {
        XCTAssertEqual(try provision(manifestText, name: "spaces.json").code, 0)
        mock.clearRequests()
        let exported = try exportChecksClean(["Ops room", "Announcements", "Plain room"])
        let expected = manifest
        XCTAssertEqual(normalized(teams(exported), key: "name"), normalized(teams(expected), key: "name"))
        XCTAssertEqual(normalized(rooms(exported), key: "title"), normalized(rooms(expected), key: "title"))
        mock.clearRequests()
        XCTAssertEqual(try export(["Ops room", "Announcements", "Plain room"]).code, 0)
        // One listing of the rooms and of the teams, memberships once per room and team: reads only.
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/rooms").count, 1, requestLines.description)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/teams").count, 1, requestLines.description)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/memberships").count, 3, requestLines.description)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/team/memberships").count, 1, requestLines.description)
    }

    func testExportOfATeamHasItsRoomsAndTheTeam() throws {
        XCTAssertEqual(try provision(manifestText, name: "spaces.json").code, 0)
        mock.clearRequests()
        let exported = try exportChecksClean(["--team", "Platform"])
        // Webex made the team's general room, titled like the team: it is one of its rooms.
        XCTAssertEqual(rooms(exported).compactMap { $0["title"] as? String }, ["Announcements", "Ops room", "Platform"])
        XCTAssertEqual(teams(exported).compactMap { $0["name"] as? String }, ["Platform"])
    }

    /// Two teams of one name cannot be told apart by name: their rooms name them by id, and they
    /// are not among the manifest's teams (a team cannot be pinned); a warning says so.
    func testRoomsOfTeamsSharingANameNameThemById() throws {
        let one = mock.addTeam(name: "Twin")
        let two = mock.addTeam(name: "Twin")
        mock.addRoom(title: "Twin one", teamId: one.id, members: ["a@example.com"])
        mock.addRoom(title: "Twin two", teamId: two.id, members: ["b@example.com"])
        let exported = try exportChecksClean(["--all"])
        XCTAssertEqual(teams(exported).count, 0)
        XCTAssertEqual(Set(rooms(exported).compactMap { $0["team"] as? String }), [one.id, two.id])
        XCTAssertTrue(try export(["--all"]).stderr.contains("several teams are named 'Twin'"))
    }

    func testYAMLReadsAsTheSameStringsInAYAML11Reader() throws {
        for title in Self.hostileTitles { mock.addRoom(title: title) }
        let yaml = try export(["--all"])
        XCTAssertEqual(yaml.code, 0, yaml.stderr)
        XCTAssertTrue(yaml.stdout.contains("title: \"yes\"") && yaml.stdout.contains("title: \"1e3\""), yaml.stdout)
        // A bidi control among the titles: every character beyond ASCII is escaped, none reaches a terminal.
        XCTAssertTrue(yaml.stdout.contains("\\u202E") && yaml.stdout.unicodeScalars.allSatisfy(\.isASCII), yaml.stdout)
        let plain = try export(["Café ☕ 日本 🚀"])
        XCTAssertTrue(plain.stdout.contains("- title: \"Café ☕ 日本 \\U0001F680\""), plain.stdout)
        // A title of 1,000 characters is one line.
        let long = Self.hostileTitles.last!
        XCTAssertTrue(yaml.stdout.split(separator: "\n").contains { $0.contains(long) }, yaml.stdout)
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python),
              try spark(["-c", "import yaml"], env: [:], executable: python).code == 0 else {
            throw XCTSkip("no PyYAML here")
        }
        let script = "import sys, json, yaml; print(json.dumps([r['title'] for r in yaml.safe_load(sys.stdin)['rooms']]))"
        let read = try spark(["-c", script], env: [:], stdin: yaml.stdout, executable: python)
        XCTAssertEqual(read.code, 0, read.stderr)
        let titles = try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String]
        XCTAssertEqual(titles.map(Set.init), Set(Self.hostileTitles))
    }

    // MARK: Refusals

    func testUsageErrorsBeforeAnyRequest() throws {
        let cases: [([String], String)] = [
            (["provision", "export"], "say which rooms to export"),
            (["provision", "export", "--all", "Ops"], "--all exports every group room"),
            (["provision", "export", "--all", "-o", "table"], "-o yaml (the default) or -o json, not 'table'"),
            (["provision", "export", "--all", "--fields", "title"], "--fields does not apply"),
            (["rooms", "list", "-o", "yaml"], "-o yaml is the manifest of 'provision export' only"),
        ]
        for (arguments, message) in cases {
            let r = try run(arguments)
            XCTAssertEqual(r.code, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
        XCTAssertTrue(mock.requests.isEmpty, requestLines.description)
    }

    func testUnknownAndAmbiguousRoomsAreNotFoundAndConflict() throws {
        mock.addRoom(title: "Standup")
        mock.addRoom(title: "Standup")
        mock.addRoom(title: "Ops room")
        let missing = try export(["Ops rom"])
        XCTAssertEqual(missing.code, 4, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("Ops room"), missing.stderr)
        let ambiguous = try export(["Standup"])
        XCTAssertEqual(ambiguous.code, 5, ambiguous.stderr)
        XCTAssertEqual(try export(["--team", "Nope"]).code, 4)
        XCTAssertTrue(writes.isEmpty)
    }

    /// A 429 on a membership listing is waited out, as everywhere (the client waits at least 1 s).
    func testThrottledListingsAreWaitedOut() throws {
        XCTAssertEqual(try provision(manifestText, name: "spaces.json").code, 0)
        mock.throttle(pathPrefix: "/memberships", method: "GET", every: 3, retryAfter: "0")
        let exported = try export(["--all"])
        XCTAssertEqual(exported.code, 0, exported.stderr)
        XCTAssertTrue(exported.stderr.contains("waiting 1 s"), exported.stderr)
        // Four rooms, one listing each, one of them answered 429 and asked again.
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/memberships").count, 5, requestLines.description)
        mock.clearFaults()
        let check = try provision(exported.stdout, name: "export.yaml", ["--check"])
        XCTAssertEqual(check.code, 0, check.stdout + check.stderr)
    }

    /// A terminal sees how many rooms and teams are read; a pipe does not.
    func testProgressOnATerminalOnly() throws {
        XCTAssertEqual(try provision(manifestText, name: "spaces.json").code, 0)
        mock.latency = 0.15
        let terminal = try runOnTerminal(["provision", "export", "--all", "-c", try config()], answer: "")
        XCTAssertEqual(terminal.code, 0, terminal.stdout)
        XCTAssertTrue(terminal.stdout.contains("/5 rooms and teams read"), terminal.stdout + terminal.stderr)
        let piped = try export(["--all"])
        XCTAssertFalse(piped.stderr.contains("rooms and teams read"), piped.stderr)
        XCTAssertTrue(piped.stderr.contains("exported 4 rooms and 1 team"), piped.stderr)
    }

    // MARK: Comparing

    /// Entries by `key`, with the defaults filled in (no description, unlocked, open) and the people as
    /// sets: moderators are participants (members) too.
    func normalized(_ entries: [[String: Any]], key: String) -> [String: String] {
        var out: [String: String] = [:]
        for entry in entries {
            let people = Set((entry["participants"] as? [String] ?? []) + (entry["members"] as? [String] ?? [])
                + (entry["moderators"] as? [String] ?? []))
            let fields = [
                "team=\(entry["team"] as? String ?? "")", "description=\(entry["description"] as? String ?? "")",
                "locked=\(entry["locked"] as? Bool ?? false)",
                "announcement_only=\(entry["announcement_only"] as? Bool ?? false)",
                "people=\(people.sorted())", "moderators=\((entry["moderators"] as? [String] ?? []).sorted())",
            ]
            out[entry[key] as? String ?? ""] = fields.joined(separator: " ")
        }
        return out
    }
}
