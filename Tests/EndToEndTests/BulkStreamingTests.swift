import Foundation
import MockWebex
import XCTest

/// `participants add|remove` print each e-mail's result as soon as it (and the ones before it) is
/// done, not when the whole batch ends.
final class BulkStreamingTests: MockTestCase {
    /// Eight e-mails, four at a time: with every membership request delayed by `delay`, the first four
    /// finish after one delay and the last four after two. The first line must be out while the second
    /// wave is still running.
    private func assertStreams(_ command: String, delayMethod: String, expected: String,
                               setUp: (MockRoom, [String]) -> Void) throws {
        let room = mock.addRoom(title: "Big room")
        let emails = (1...8).map { "person\($0)@example.com" }
        setUp(room, emails)
        let delay = 1.5
        mock.inject(.delay(delay), method: delayMethod, pathPrefix: "/memberships", times: emails.count)
        let input = try writeFile("emails.txt", emails.joined(separator: "\n") + "\n")
        let started = Date()
        let run = try BackgroundRun(["participants", command, "Big room", "-", "-o", "ndjson"], env: env, stdin: input)
        XCTAssertEqual(run.stop(nil, timeout: 60), 0, run.stderr)
        let ended = try XCTUnwrap(run.ended)
        let first = try XCTUnwrap(run.firstLineAt, "no output: \(run.stderr)")
        XCTAssertGreaterThan(ended.timeIntervalSince(started), 2 * delay - 0.1, "two waves of four")
        XCTAssertGreaterThan(ended.timeIntervalSince(first), delay / 2,
                             "the first result came only at the end: \(first.timeIntervalSince(started))s of "
                             + "\(ended.timeIntervalSince(started))s")

        // Same lines, counts and order (input order) as a batch printed at the end.
        let lines = run.stdout.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        XCTAssertEqual(lines.map { $0["email"] as? String }, emails)
        XCTAssertEqual(Set(lines.map { $0["status"] as? String }), [expected])
        XCTAssertTrue(run.stderr.contains("\(expected) 8, unchanged 0, failed 0"), run.stderr)
    }

    func testAddPrintsEachResultWhileTheBatchRuns() throws {
        try assertStreams("add", delayMethod: "POST", expected: "added") { _, _ in }
    }

    func testRemovePrintsEachResultWhileTheBatchRuns() throws {
        try assertStreams("remove", delayMethod: "DELETE", expected: "removed") { room, emails in
            for email in emails { mock.addMembership(roomId: room.id, email: email) }
        }
    }

    /// The other formats still make whole documents; failures and exit codes are unchanged.
    func testFormatsAndFailuresUnchanged() throws {
        let room = mock.addRoom(title: "Ops", members: ["carol@example.com"])
        mock.inject(.status(403), method: "POST", pathPrefix: "/memberships", times: 1)
        let stdin = "dave@example.com\ncarol@example.com\n"
        var r = try run(["participants", "add", "Ops", "-", "-o", "json"], stdin: stdin)
        XCTAssertEqual(r.code, 3, r.stderr)
        let rows = try r.json() as! [[String: Any]]
        XCTAssertEqual(rows.map { $0["email"] as? String }, ["dave@example.com", "carol@example.com"])
        let statuses = rows.map { $0["status"] as? String }
        XCTAssertEqual(statuses.filter { $0 == "failed" }.count, 1, "\(rows)")
        XCTAssertTrue(r.stderr.contains("failed 1"), r.stderr)

        r = try run(["participants", "remove", room.id, "carol@example.com", "erin@example.com", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: " ") },
                       ["carol@example.com removed", "erin@example.com unchanged"])

        r = try run(["participants", "add", "Ops", "frank@example.com", "-o", "table"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").first?.split(separator: " ").first, "email", r.stdout)
    }
}
