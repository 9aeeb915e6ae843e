import Foundation
import MockWebex
import SparkSpace
import XCTest

/// SPEC statements the other suites did not check, found by the conformance audit.
final class ConformanceAuditTests: MockTestCase {
    /// SPEC "Invocation": global options (`--version` among them) may appear after the command.
    func testVersionAfterACommandPrintsTheVersion() throws {
        for arguments in [["rooms", "list", "--version"], ["whoami", "--version"]] {
            let r = try run(arguments)
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertEqual(r.stdout, "spark-space \(sparkSpaceVersion)\n", "\(arguments)")
        }
        XCTAssertTrue(mock.requests.isEmpty, "\(mock.requests.map(\.path))")
    }

    /// SPEC "Invocation": `--room ROOM` is the ROOM of commands that take one, same as the positional form.
    func testRoomOptionStandsForARequiredRoomArgument() throws {
        let room = mock.addRoom(title: "Old title")
        var r = try run(["rooms", "rename", "--room", "Old title", "New title", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as? [String: Any])?["title"] as? String, "New title")
        XCTAssertEqual(mock.requests(method: "PUT", pathPrefix: "/rooms").map(\.path), ["/rooms/\(room.id)"])

        r = try run(["rooms", "delete", "--room=New title", "--yes"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests(method: "DELETE", pathPrefix: "/rooms").map(\.path), ["/rooms/\(room.id)"])
        XCTAssertFalse(mock.rooms().contains { $0["id"] as? String == room.id })

        mock.clearRequests()
        r = try run(["rooms", "delete", "Some room", "--room", "Other room", "--yes"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }
}

/// SPEC "Exit codes": errors print one line `spark-space: error: ...`, usage errors and hinted ones too.
final class OneLineErrorTests: MockTestCase {
    func testUsageAndHintedErrorsAreOneLine() throws {
        let room = mock.addRoom(title: "History")
        mock.addMessages(roomId: room.id, count: 3, fromEmail: "alice@example.com")
        for (arguments, code) in [(["rooms", "rename", "History"], Int32(2)), (["whoami", "--bogus"], 2),
                                  (["bogus"], 2),
                                  // A bot alone asks for its mentions itself; with an audit token set,
                                  // --as bot is taken literally and Webex's 403 comes with a hint.
                                  (["walk-messages", room.id, "--as", "bot", "--audit-token", "audit-token"], 3)] {
            let r = try run(arguments)
            XCTAssertEqual(r.code, code, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(arguments): \(r.stderr)")
        }
    }
}
