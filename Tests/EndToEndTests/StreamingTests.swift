import Foundation
import MockWebex
import XCTest

/// SPEC "Output": walk-messages streams (output starts before the last page
/// arrives) and a closed stdout (`| head`) ends the command quietly with exit 0.
final class StreamingTests: MockTestCase {
    func testOutputStartsBeforeTheLastPageArrives() throws {
        let room = mock.addRoom(title: "Slow", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 2500, fromEmail: "alice@example.com")
        mock.inject(.delay(1), method: "GET", pathPrefix: "/messages", times: 3)
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = ["walk-messages", room.id, "-o", "ndjson"]
        process.environment = env.merging(["CISCO_SPARK_AUDIT_TOKEN": "audit-token"]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let started = Date()
        try process.run()
        let first = out.fileHandleForReading.availableData  // blocks until the first bytes
        let firstAt = Date().timeIntervalSince(started)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let doneAt = Date().timeIntervalSince(started)
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertFalse(first.isEmpty)
        XCTAssertGreaterThan(doneAt, 2.9, "three delayed pages")
        XCTAssertLessThan(firstAt, doneAt - 1.5, "the first page was printed only at the end")
    }

    func testClosedStdoutEndsQuietlyWithExit0() throws {
        let room = mock.addRoom(title: "Long", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 5000, fromEmail: "alice@example.com")
        let errFile = NSTemporaryDirectory() + "stderr-\(UUID().uuidString)"
        let script = "set -o pipefail; \"$0\" walk-messages \"$1\" -o ndjson 2>\"$2\" | head -n 1 >/dev/null; "
            + "echo \"${PIPESTATUS[0]}\""
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", script, binaryURL.path, room.id, errFile]
        shell.environment = env.merging(["CISCO_SPARK_AUDIT_TOKEN": "audit-token"]) { $1 }
        let out = Pipe()
        shell.standardOutput = out
        try shell.run()
        let status = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        XCTAssertEqual(status.trimmingCharacters(in: .whitespacesAndNewlines), "0")
        XCTAssertEqual(try String(contentsOfFile: errFile, encoding: .utf8), "", "nothing on stderr")
    }
}
