import Foundation
import XCTest

/// Settings files that are wrong or hostile (issues #11, #12), and `settings show --sources`.
final class SettingsFileTests: MockTestCase {
    /// Runs `settings show` with `contents` as the settings file; returns the result and the file's path.
    private func show(_ contents: String, name: String = "settings.yaml", _ extra: [String] = []) throws -> (RunResult, String) {
        let path = try writeFile(name, contents)
        return (try run(["settings", "show", "-c", path] + extra), path)
    }

    private func assertOneLineError(_ r: RunResult, naming path: String, _ words: [String],
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.code, 2, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(path), r.stderr, file: file, line: line)
        for word in words { XCTAssertTrue(r.stderr.contains(word), "\(word) not in \(r.stderr)", file: file, line: line) }
    }

    func testUnknownKeyIsExit2WithTheClosestKnownKey() throws {
        var (r, path) = try show("space:\n  title: Ops\n")
        assertOneLineError(r, naming: path, ["'space.title'", "did you mean 'space.room'?", "line 2"])
        (r, path) = try show("participant: bob@example.com\n")
        assertOneLineError(r, naming: path, ["'participant'", "did you mean 'space.participants'?"])
        (r, path) = try show("spac:\n  room: Ops\n")
        assertOneLineError(r, naming: path, ["'spac'", "did you mean 'space'?"])
        (r, path) = try show(#"{"space": {"rooom": "Ops"}}"#, name: "settings.json")
        assertOneLineError(r, naming: path, ["'space.rooom'", "did you mean 'space.room'?"])
    }

    func testSpaceAndSparkTogetherIsExit2() throws {
        let (r, path) = try show("spark:\n  room: Old\nspace:\n  room: New\n")
        assertOneLineError(r, naming: path, ["space:", "spark:"])
    }

    func testWrongShapesAndOutOfRangeValuesAreExit2() throws {
        for text in ["space:\n  participants: {a: b}\n", "space:\n  room: [1, 2]\n", "network:\n  retry_delays: \"x\"\n",
                     "network:\n  retry_delays: [99999]\n", "server:\n  port: 70000\n"] {
            let (r, _) = try show(text)
            XCTAssertEqual(r.code, 2, text + r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr)
        }
    }

    func testHostileFilesAreExit2NotACrash() throws {
        var laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for (name, previous) in zip("bcdefghi", "abcdefgh") {
            laughs += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        let cases: [(String, String)] = [
            ("? [a, b]\n: c\n", "key must be plain text"),
            ("space:\n  room: " + String(repeating: "[", count: 10_000) + "\n", "nesting deeper"),
            (laughs, "aliases"),
            ("# " + String(repeating: "x", count: 1_100_000) + "\n", "larger than 1 MB"),
        ]
        for (text, words) in cases {
            let (r, path) = try show(text)
            assertOneLineError(r, naming: path, [words])
        }
    }

    func testSettingsShowSources() throws {
        let path = try writeFile("settings.yaml", "space:\n  room: From file\n")
        var r = try run(["settings", "show", "--sources", "-c", path, "-o", "tsv", "--api-url", mock.baseURL])
        XCTAssertEqual(r.code, 0, r.stderr)
        let rows = Dictionary(r.stdout.split(separator: "\n").map { line -> (String, [String]) in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return (cells[0], cells)
        }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(rows["space.room"]?.last, "file", r.stdout)
        XCTAssertEqual(rows["space.token"]?.last, "env", r.stdout)
        XCTAssertEqual(rows["api_url"]?.last, "flag", r.stdout)
        XCTAssertEqual(rows["server.port"]?.last, "default", r.stdout)
        r = try run(["settings", "show", "--sources", "-c", path, "--json"])
        let sources = (try r.json() as! [String: Any])["sources"] as? [String: String]
        XCTAssertEqual(sources?["space.room"], "file", r.stdout)
        r = try run(["settings", "show", "-c", path, "--json"])
        XCTAssertNil((try r.json() as! [String: Any])["sources"], "sources only when asked")
    }

    func testTokenWithALineBreakIsExit2AndNeverShown() throws {
        let r = try run(["whoami"], env: ["CISCO_SPARK_BOT_TOKEN": "bot-token\r\nX-Injected: yes"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("control character"), r.stderr)
        XCTAssertFalse(r.stderr.contains("bot-token") || r.stderr.contains("Injected"), r.stderr)
        XCTAssertTrue(mock.requests.isEmpty, "nothing may be sent")
    }

    func testTokenFileWithAByteOrderMarkWorks() throws {
        let path = try writeFile("token", "\u{FEFF}bot-token\r\n")
        let r = try run(["whoami", "--token-file", path], env: ["CISCO_SPARK_BOT_TOKEN": ""])
        XCTAssertEqual(r.code, 0, r.stderr)
    }

    func testProvisionWithoutARoomUsesTheFallbackTitle() throws {
        let r = try run(["provision", "--dry-run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue((r.stdout + r.stderr).contains("Collaboration space"), r.stdout + r.stderr)
    }
}
