import Foundation
import XCTest

/// Issue 25: duplicate keys in settings and manifests (YAML and JSON) are exit 2 naming both
/// lines; the mutation run's survivors: `provision --check` with exactly one pending change, an
/// unknown settings key with an empty value.
final class HostileFilesInputTests: MockTestCase {
    private func assertUsage(_ r: RunResult, _ words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.code, 2, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
        for word in words { XCTAssertTrue(r.stderr.contains(word), "\(word) not in \(r.stderr)", file: file, line: line) }
    }

    func testDuplicateKeysInSettingsAreExit2NamingBothLines() throws {
        var path = try writeFile("settings.yaml", "space:\n  room: Ops\n  team: A\n  room: Other\n")
        assertUsage(try run(["settings", "show", "-c", path]), [path, "duplicate key 'room' (lines 2 and 4)"])
        path = try writeFile("settings.yaml", "space:\n  room: Ops\nspace:\n  team: A\n")
        assertUsage(try run(["settings", "show", "-c", path]), [path, "duplicate key 'space' (lines 1 and 3)"])
        path = try writeFile("settings.json", "{\"space\": {\"room\": \"Ops\",\n \"room\": \"Other\"}}\n")
        assertUsage(try run(["settings", "show", "-c", path]), [path, "duplicate key 'room' (lines 1 and 2)"])
        // The same key in two different mappings is no duplicate.
        path = try writeFile("settings.json", "{\"space\": {\"room\": \"Ops\"}, \"server\": {\"port\": 8081}}\n")
        XCTAssertEqual(try run(["settings", "show", "-c", path]).code, 0)
    }

    func testDuplicateKeysInAManifestAreExit2NamingBothLines() throws {
        let yaml = "rooms:\n  - title: A\n    participants: [a@example.com]\nteams: []\nrooms:\n  - title: B\n"
        var path = try writeFile("spaces.yaml", yaml)
        assertUsage(try run(["provision", "-f", path, "--check"]), [path, "duplicate key 'rooms' (lines 1 and 5)"])
        path = try writeFile("spaces.yaml", "rooms:\n  - title: A\n    title: B\n")
        assertUsage(try run(["provision", "-f", path, "--check"]), ["duplicate key 'title' (lines 2 and 3)"])
        path = try writeFile("spaces.json", "{\"rooms\": [{\"title\": \"A\"}],\n\"rooms\": [{\"title\": \"B\"}]}")
        assertUsage(try run(["provision", "-f", path, "--check"]), [path, "duplicate key 'rooms' (lines 1 and 2)"])
        XCTAssertTrue(mock.requests.isEmpty, "nothing is asked before the file is valid")
    }

    /// Mutation survivor: an exit-7 test with exactly one pending row.
    func testCheckWithExactlyOnePendingChangeExits7() throws {
        mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let path = try writeFile("spaces.yaml", "rooms:\n  - title: Ops\n    participants: [alice@example.com, bob@example.com]\n")
        var r = try run(["provision", "-f", path, "--check", "-o", "tsv"])
        XCTAssertEqual(r.code, 7, r.stderr)
        XCTAssertEqual(r.stdout, "add-participant\tbob@example.com\troom 'Ops'\n")
        let same = try writeFile("spaces.yaml", "rooms:\n  - title: Ops\n    participants: [alice@example.com]\n")
        r = try run(["provision", "-f", same, "--check", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    /// Mutation survivor: an unknown key with an empty value is still an unknown key.
    func testAnUnknownSettingsKeyWithAnEmptyValueIsExit2() throws {
        for contents in ["space:\n  rom:\n", "space:\n  rom: \n", "space:\n  rom: ~\n", "{\"space\": {\"rom\": null}}"] {
            let path = try writeFile(contents.hasPrefix("{") ? "settings.json" : "settings.yaml", contents)
            assertUsage(try run(["settings", "show", "-c", path]), [path, "'space.rom'", "did you mean 'space.room'?"])
        }
    }
}
