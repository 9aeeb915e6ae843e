import XCTest
@testable import SparkSpace

/// Issue 29: a manifest written by `provision export` (YAML through libyaml, JSON) reads back the same.
final class ManifestWriterTests: XCTestCase {
    /// Titles that break naive YAML: indicators, quotes, comments, spaces at the ends, line breaks,
    /// YAML 1.1 nulls, booleans and numbers, controls, unicode, 1,000 characters.
    static let hostileTitles = [
        "Ops: deploys", "a #comment", "#start", "- dash", "? what", "[flow]", "{map}", "*alias", "&anchor", "!tag",
        "|block", ">folded", "%directive", "@at", "`tick`", "'single'", "\"double\"", "it's \"both\"", "back\\slash",
        "  leading", "trailing  ", " both ", "tab\there", "line\nbreak", "crlf\r\nend", "trailing newline\n",
        "yes", "No", "ON", "off", "y", "N", "true", "False", "null", "Null", "~", "", "1e3", "0x1F", "0o17", "1_000",
        "+.inf", ".NaN", "-1", "12:30", "2026-12-07", "2026-12-07T10:00:00Z", "<<", "=", "1.0", "0",
        "Café ☕", "日本語の部屋", "emoji 🚀 room", "RTL \u{202E}gnp.exe", "nul\u{0}byte", "bell\u{7}", "esc \u{1B}[31m",
        "C1 \u{85}next", "sep\u{2028}line", "bom\u{FEFF}", String(repeating: "long title: ", count: 84).prefix(1000).description,
    ]

    private func roundTrip(_ manifest: SpacesManifest, ext: String) throws -> SpacesManifest {
        let text = ext == "json" ? manifest.json.prettyText : try manifest.yamlText()
        let path = NSTemporaryDirectory() + "export-\(UUID().uuidString).\(ext)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try SpacesManifest.load(path: path)
    }

    private func sample(titles: [String]) -> SpacesManifest {
        var rooms: [SpacesManifest.Room] = []
        for (index, title) in titles.enumerated() {
            var room = SpacesManifest.Room(title: title, team: index % 3 == 0 ? title : nil,
                                           participants: index % 2 == 0 ? [] : ["a@example.com", "b@example.com"])
            room.description = title.isEmpty ? nil : "about " + title
            room.locked = index % 2 == 0
            room.announcementOnly = index % 3 == 1 && room.locked == true  // Webex: only a locked room
            room.moderators = index % 2 == 0 ? nil : ["a@example.com"]
            rooms.append(room)
        }
        // An empty title cannot be a room (the reader refuses it): it is a description above.
        rooms.removeAll { $0.title == "" }
        let teams = [SpacesManifest.Team(name: " Platform: core ", description: "yes", members: ["a@example.com"],
                                         moderators: ["a@example.com"])]
        return SpacesManifest(teams: teams, rooms: rooms)
    }

    func testEveryHostileTitleRoundTripsThroughYAML() throws {
        let manifest = sample(titles: Self.hostileTitles)
        XCTAssertEqual(try roundTrip(manifest, ext: "yaml"), manifest)
    }

    func testEveryHostileTitleRoundTripsThroughJSON() throws {
        let manifest = sample(titles: Self.hostileTitles)
        XCTAssertEqual(try roundTrip(manifest, ext: "json"), manifest)
    }

    /// A YAML 1.1 reader (PyYAML, yq) resolves these plain scalars to null, booleans or numbers.
    func testWordsOtherReadersResolveAreQuoted() throws {
        for title in ["yes", "No", "on", "null", "~", "1e3", "0x1F", "2026-12-07", ".inf", "12:30", "<<"] {
            let text = try SpacesManifest(rooms: [SpacesManifest.Room(title: title)]).yamlText()
            XCTAssertTrue(text.contains("title: \"\(title)\""), "\(title): \(text)")
        }
        let plain = try SpacesManifest(rooms: [SpacesManifest.Room(title: "Ops room")]).yamlText()
        XCTAssertEqual(plain, "rooms:\n- title: Ops room\n")
    }

    func testKeysInTheManifestsOrderAndBooleansPlain() throws {
        var room = SpacesManifest.Room(id: "Y2lzY29zcGFyazovL3VzL1JPT00vMQ", title: "Ops", team: "Platform",
                                       participants: ["b@example.com"])
        room.description = "d"
        room.locked = true
        room.announcementOnly = false
        room.moderators = ["a@example.com"]
        let text = try SpacesManifest(teams: [SpacesManifest.Team(name: "Platform", members: [])], rooms: [room]).yamlText()
        XCTAssertEqual(text, """
            teams:
            - name: Platform
              members: []
            rooms:
            - id: Y2lzY29zcGFyazovL3VzL1JPT00vMQ
              title: Ops
              team: Platform
              description: d
              locked: true
              announcement_only: false
              participants:
              - b@example.com
              moderators:
              - a@example.com

            """)
    }

    func testALongTitleStaysOnOneLine() throws {
        let title = String(repeating: "word ", count: 200).trimmingCharacters(in: .whitespaces)
        let text = try SpacesManifest(rooms: [SpacesManifest.Room(title: title)]).yamlText()
        XCTAssertEqual(text, "rooms:\n- title: \(title)\n")
    }

    /// Bidi and C1 controls are written as escapes: the document never drives a terminal.
    func testTerminalControlsAreEscaped() throws {
        let text = try SpacesManifest(rooms: [SpacesManifest.Room(title: "RTL \u{202E}gnp.exe Café")]).yamlText()
        XCTAssertFalse(text.unicodeScalars.contains { $0.value == 0x202E || $0.value > 0x7F }, text)
        XCTAssertTrue(text.contains("\\u202E"), text)
    }

    /// Rooms pinned by id may share a title (export pins every room whose title is not unique);
    /// an unpinned one among them is still a duplicate.
    func testPinnedRoomsMayShareATitle() throws {
        let pinned = SpacesManifest(rooms: [
            SpacesManifest.Room(id: "Y2lzY29zcGFyazovL3VzL1JPT00vMQ", title: "Standup"),
            SpacesManifest.Room(id: "Y2lzY29zcGFyazovL3VzL1JPT00vMg", title: "Standup"),
        ])
        XCTAssertEqual(try roundTrip(pinned, ext: "yaml"), pinned)
        var mixed = pinned
        mixed.rooms[1].id = nil
        XCTAssertThrowsError(try roundTrip(mixed, ext: "yaml")) { error in
            XCTAssertTrue("\(error)".contains("duplicate room title 'Standup'"), "\(error)")
        }
    }
}
