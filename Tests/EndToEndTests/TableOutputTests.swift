import Foundation
import XCTest

/// `whoami` as a table on a real pseudo-terminal (`script`), and piped.
final class TableOutputTests: MockTestCase {
    let longName = "Shelly the Extraordinarily Verbose Build and Release Bot of the Platform Team"
    var botId = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        botId = mock.addPerson(email: "bot@example.com", displayName: longName, token: "bot-token", isBot: true).id
    }

    /// Runs the binary with stdout on a terminal; lines without the terminal's `\r`.
    func onTerminal(_ arguments: [String], env extra: [String: String] = [:]) throws -> [String] {
        let command = ([binaryURL.path] + arguments).map(shellQuoted).joined(separator: " ")
        let result = try runTool("script", ["-qec", command, "/dev/null"],
                                 env: env.merging(["TERM": "xterm"].merging(extra) { _, new in new }) { _, new in new })
        XCTAssertEqual(result.code, 0, result.stdout + result.stderr)
        return result.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
    }

    func testTerminalTableFitsTheWidthWithABoldHeader() throws {
        let lines = try onTerminal(["whoami"], env: ["COLUMNS": "70"])
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines[0].hasPrefix("\u{1B}[1mtoken"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("bot  "), lines[1])
        XCTAssertTrue(lines[1].contains("…"), lines[1])
        XCTAssertTrue(lines[1].hasSuffix("bot"), "the type column stays: \(lines[1])")
        XCTAssertTrue(lines[1].contains("  …" + botId.suffix(13) + "  bot@example.com  "),
                      "the id is cut first and keeps its end; the e-mail is never cut: \(lines[1])")
        XCTAssertTrue(lines[1].contains(String(longName.prefix(15))), "the name keeps the room left: \(lines[1])")
        XCTAssertLessThanOrEqual(lines[1].count, 70, lines[1])
        XCTAssertFalse(lines[1].contains(longName))
    }

    func testNoColourWithNoColorOrADumbTerminal() throws {
        for env in [["NO_COLOR": "1"], ["TERM": "dumb"]] {
            let lines = try onTerminal(["whoami"], env: env.merging(["COLUMNS": "70"]) { a, _ in a })
            XCTAssertTrue(lines[0].hasPrefix("token"), "\(env): \(lines[0])")
            XCTAssertFalse(lines.joined().contains("\u{1B}"), "\(env)")
        }
    }

    func testJsonOnATerminalIsNeverCut() throws {
        let lines = try onTerminal(["whoami", "-o", "json"], env: ["COLUMNS": "40"])
        XCTAssertTrue(lines.joined().contains(longName))
        XCTAssertFalse(lines.joined().contains("\u{1B}"))
    }

    func testPipedOutputIsTsvUncutAndPlain() throws {
        let result = try run(["whoami"], env: ["COLUMNS": "40"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\t\(longName)\t"), result.stdout)
        XCTAssertFalse(result.stdout.contains("\u{1B}") || result.stdout.contains("…"))
    }

    func testPipedTableIsCutOnlyWhenColumnsIsSet() throws {
        let whole = try run(["whoami", "-o", "table"])
        XCTAssertTrue(whole.stdout.contains(longName), whole.stdout)
        XCTAssertFalse(whole.stdout.contains("\u{1B}"))
        let cut = try run(["whoami", "-o", "table"], env: ["COLUMNS": "70"])
        XCTAssertTrue(cut.stdout.contains("…"), cut.stdout)
    }
}

/// `'text'` for sh.
private func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}
