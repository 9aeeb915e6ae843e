import Foundation
import MockWebex
import XCTest

/// Issue 18: `walk-messages --parallel N` reads disjoint time windows at once and prints
/// exactly what the sequential walk prints.
final class ParallelWalkTests: MockTestCase {
    private var audit: [String: String] { ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"] }

    private var listRequests: [MockRequest] { mock.requests(method: "GET", pathPrefix: "/messages") }

    /// The `before=` instants the walk started windows at (ms), from the mock's request log.
    private var windowStarts: Set<Int64> {
        Set(listRequests.compactMap { $0.query["cursor"] == nil ? $0.query["before"].flatMap(millis) : nil })
    }

    private func millis(_ text: String) -> Int64? {
        guard let date = ISO8601DateFormatter.withFractions.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private var fastRetries: String {
        get throws { try writeFile("s.yaml", "network:\n  retry_delays: [0, 0, 0, 0, 0, 0, 0, 0]\n") }
    }

    /// Runs the walk with `--parallel n` and the rest of `arguments`; checks the exit code.
    private func walk(_ room: MockRoom, parallel n: Int, _ arguments: [String] = [],
                      file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let r = try run(["walk-messages", room.id, "--parallel", String(n)] + arguments, env: audit)
        XCTAssertEqual(r.code, 0, r.stderr, file: file, line: line)
        return r
    }

    private func expectedIds(_ room: MockRoom) -> [String?] { mock.messages(roomId: room.id).map { $0["id"] as? String } }

    func testUnderLatencyAndFaultsParallelOutputIsTheSequentialOutput() throws {
        let room = mock.addRoom(title: "Long", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 20_000, fromEmail: "alice@example.com")
        mock.latency = 0.01
        let settings = try fastRetries
        var outputs: [String: String] = [:]
        for format in ["ndjson", "tsv"] {
            for n in [1, 4] {
                mock.clearRequests()
                for fault: MockWebexServer.Fault in [.drop, .status(503), .status(429, retryAfter: "0"), .truncateBody] {
                    mock.inject(fault, method: "GET", pathPrefix: "/messages")
                }
                mock.randomFaults(seed: UInt64(7 + n), rate429: 0.05, rate5xx: 0.05, rateDrop: 0.03,
                                  pathPrefix: "/messages", method: "GET")
                // tsv is the default when piped: no -o.
                let r = try walk(room, parallel: n, ["-c", settings, "-v"] + (format == "ndjson" ? ["-o", "ndjson"] : []))
                mock.clearFaults()
                outputs["\(format) \(n)"] = r.stdout
                XCTAssertTrue(r.stderr.contains(" 429") && r.stderr.contains(" 503"), "faults were met")
                if n == 4 { XCTAssertGreaterThanOrEqual(windowStarts.count, 3, "several windows were read") }
            }
            XCTAssertEqual(outputs["\(format) 4"], outputs["\(format) 1"], "\(format): byte for byte")
        }
        let ids = Array(try XCTUnwrap(outputs["ndjson 4"]).utf8).split(separator: UInt8(ascii: "\n")).map {
            (try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])?["id"] as? String
        }
        XCTAssertEqual(ids.count, 20_000)
        XCTAssertTrue(ids == expectedIds(room), "every message once, newest first")
        XCTAssertEqual(Array(try XCTUnwrap(outputs["tsv 4"]).utf8).split(separator: UInt8(ascii: "\n")).count, 20_000)
    }

    func testMessagesOnAWindowBoundaryArePrintedOnceInTheAPIOrder() throws {
        let room = mock.addRoom(title: "Bursts", members: ["alice@example.com"])
        // 500 messages at each of 20 consecutive milliseconds: every boundary falls on an
        // instant that holds messages.
        let first = ISO8601DateFormatter.withFractions.string(from: Date(timeIntervalSinceNow: -3600))
        for step in 0..<20 {
            let at = Date(timeIntervalSince1970: ISO8601DateFormatter.withFractions.date(from: first)!
                .timeIntervalSince1970 + Double(step) / 1000)
            mock.addMessages(roomId: room.id, count: 500, fromEmail: "alice@example.com",
                             from: ISO8601DateFormatter.withFractions.string(from: at), stepMillis: 0)
        }
        mock.latency = 0.005
        let sequential = try walk(room, parallel: 1, ["-o", "ndjson", "--raw"])
        mock.clearRequests()
        let parallel = try walk(room, parallel: 4, ["-o", "ndjson", "--raw"])
        XCTAssertEqual(parallel.stdout, sequential.stdout)
        XCTAssertEqual(try parallel.lines().map { $0["id"] as? String }, expectedIds(room))
        let instants = Set(mock.messages(roomId: room.id).compactMap { ($0["created"] as? String).flatMap(millis) })
        XCTAssertFalse(windowStarts.isEmpty, "the history was cut into windows")
        XCTAssertTrue(windowStarts.isSubset(of: instants), "boundaries fell on instants holding messages")
    }

    func testUnevenHistoryIsCutWhereTheMessagesAre() throws {
        let room = mock.addRoom(title: "Uneven", members: ["alice@example.com"])
        // A few messages over the last two days, then 20,000 in the last 20 seconds.
        for hours in stride(from: 48, to: 1, by: -4) {
            mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "old \(hours)",
                            created: ISO8601DateFormatter.withFractions.string(from: Date(timeIntervalSinceNow: -Double(hours) * 3600)))
        }
        mock.addMessages(roomId: room.id, count: 20_000, fromEmail: "alice@example.com")
        mock.latency = 0.03
        let sequential = try walk(room, parallel: 1, ["-o", "ndjson"])
        mock.clearRequests()
        let parallel = try walk(room, parallel: 4, ["-o", "ndjson"])
        XCTAssertEqual(parallel.stdout, sequential.stdout)
        XCTAssertEqual(try parallel.lines().count, 20_012)
        let dense = try XCTUnwrap(mock.messages(roomId: room.id)[19_999]["created"] as? String).flatMap(millis)
        let inDense = windowStarts.filter { $0 > dense! }
        XCTAssertGreaterThanOrEqual(inDense.count, 2, "the recent part was read as several windows: \(windowStarts)")
        // --names takes the parsed pages of the same windows: the same events.
        mock.clearRequests()
        let named = try walk(room, parallel: 4, ["-o", "ndjson", "--names"])
        XCTAssertEqual(named.stdout, sequential.stdout)
        XCTAssertGreaterThanOrEqual(windowStarts.count, 3)
    }

    func testSinceAndBeforeKeepTheirMeaningWithParallel() throws {
        let room = mock.addRoom(title: "Range", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 12_000, fromEmail: "alice@example.com")
        mock.latency = 0.005
        let all = mock.messages(roomId: room.id)
        let before = try XCTUnwrap(all[1_500]["created"] as? String)   // newest first: skips 1,500
        let since = try XCTUnwrap(all[10_500]["created"] as? String)   // keeps down to index 10,500
        for extra in [["--before", before], ["--since", since], ["--before", before, "--since", since],
                      ["--before", try XCTUnwrap(all[700]["id"] as? String), "--since", since]] {
            let sequential = try walk(room, parallel: 1, ["-o", "ndjson"] + extra)
            mock.clearRequests()
            let parallel = try walk(room, parallel: 4, ["-o", "ndjson"] + extra)
            XCTAssertEqual(parallel.stdout, sequential.stdout, "\(extra)")
            XCTAssertGreaterThanOrEqual(windowStarts.count, 2, "\(extra): read as windows")
            let ids = try parallel.lines().map { $0["id"] as? String }
            // Strictly before the time (each message has its own millisecond here) or the message.
            let from = extra[0] == "--before" ? (extra[1] == before ? 1_501 : 701) : 0
            let to = extra.contains("--since") ? 10_501 : 12_000
            XCTAssertTrue(ids == all[from..<to].map { $0["id"] as? String }, "\(extra): \(ids.count) messages")
            if extra.contains("--since") {
                XCTAssertFalse(listRequests.contains { $0.query["before"].flatMap(millis).map { $0 <= millis(since)! } ?? false },
                               "no window starts at or below --since")
            }
        }
    }

    func testLimitWalksPageAfterPageAndAsksForNoMore() throws {
        let room = mock.addRoom(title: "Limited", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 5000, fromEmail: "alice@example.com")
        let r = try walk(room, parallel: 8, ["-o", "ndjson", "--limit", "2500"])
        XCTAssertEqual(try r.lines().map { $0["id"] as? String }, Array(expectedIds(room).prefix(2500)))
        // The last page asks only for what --limit still needs (SPEC Network behaviour).
        XCTAssertEqual(listRequests.map { $0.query["max"] }, ["1000", "1000", "500"])
        XCTAssertTrue(listRequests.allSatisfy { $0.query["before"] == nil }, "no windows")
        XCTAssertTrue(mock.requests(method: "GET", pathPrefix: "/rooms").isEmpty)
    }

    func testAOnePageHistoryCostsOneRequest() throws {
        let room = mock.addRoom(title: "Short", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 700, fromEmail: "alice@example.com")
        let r = try walk(room, parallel: 4, ["-o", "ndjson"])
        XCTAssertEqual(try r.lines().count, 700)
        XCTAssertEqual(requestLines, ["GET /messages"])
    }

    func testMentionsMeWithParallelIsTheSequentialWalk() throws {
        let room = mock.addRoom(title: "Bot room", members: ["alice@example.com", "bot@example.com"])
        for index in 0..<3000 {
            mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "m\(index)",
                            mentionedEmails: index % 3 == 0 ? ["bot@example.com"] : [])
        }
        mock.latency = 0.005
        let sequential = try run(["walk-messages", room.id, "--mentions-me", "--parallel", "1", "-o", "ndjson"])
        XCTAssertEqual(sequential.code, 0, sequential.stderr)
        mock.clearRequests()
        let parallel = try run(["walk-messages", room.id, "--mentions-me", "--parallel", "4", "-o", "ndjson"])
        XCTAssertEqual(parallel.code, 0, parallel.stderr)
        XCTAssertEqual(parallel.stdout, sequential.stdout)
        XCTAssertEqual(try parallel.lines().count, 1000)
        XCTAssertTrue(listRequests.allSatisfy { $0.query["mentionedPeople"] == "me" && $0.query["max"] == "100" })
        XCTAssertGreaterThanOrEqual(windowStarts.count, 2)
    }

    func testAFailingWindowIsReportedAfterEverythingBeforeIt() throws {
        let room = mock.addRoom(title: "Broken", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 8000, fromEmail: "alice@example.com")
        mock.latency = 0.01
        // The fourth page request, whichever window asks for it, is refused for good (404).
        mock.inject(.delay(0), method: "GET", pathPrefix: "/messages", times: 3)
        mock.inject(.status(404), method: "GET", pathPrefix: "/messages")
        let r = try run(["walk-messages", room.id, "--parallel", "4", "-o", "ndjson"], env: audit)
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error:"), r.stderr)
        let ids = try r.lines().map { $0["id"] as? String }
        XCTAssertLessThan(ids.count, 8000)
        XCTAssertTrue(Array(expectedIds(room).prefix(ids.count)) == ids, "what comes before the failure, in order, once")
    }

    func testBadParallelValuesAreUsageErrors() throws {
        let room = mock.addRoom(title: "Any", members: ["alice@example.com"])
        for value in ["0", "17", "-1", "four", "1.5", "99999999999999999999999", ""] {
            let r = try run(["walk-messages", room.id, "--parallel", value], env: audit)
            XCTAssertEqual(r.code, 2, "\(value): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: --parallel takes a whole number from 1 to 16"), r.stderr)
        }
        XCTAssertTrue(listRequests.isEmpty)
        for value in ["1", "16"] {
            XCTAssertEqual(try run(["walk-messages", room.id, "--parallel", value], env: audit).code, 0, value)
        }
    }

    /// A room of alice's `count` messages behind a round trip of `latency` seconds, and a new
    /// directory for the walk's spool files.
    private func spoolingRoom(_ title: String, messages count: Int, latency: TimeInterval) throws
        -> (room: MockRoom, tmp: String) {
        let room = mock.addRoom(title: title, members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: count, fromEmail: "alice@example.com")
        mock.latency = latency
        let tmp = NSTemporaryDirectory() + "spool-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        return (room, tmp)
    }

    func testTemporaryFilesAreGoneAfterTheWalk() throws {
        let (room, tmp) = try spoolingRoom("Spool", messages: 10_000, latency: 0.01)
        // TMPDIR is the process's own environment: the binary.
        let r = try runBinary(["walk-messages", room.id, "--parallel", "4", "-o", "ndjson"],
                              env: audit.merging(["TMPDIR": tmp]) { $1 })
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.lines().count, 10_000)
        XCTAssertGreaterThanOrEqual(windowStarts.count, 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [])
        // A spool that cannot be created is an I/O error, not a crash or lost messages.
        let missing = tmp + "/missing"
        let bad = try runBinary(["walk-messages", room.id, "--parallel", "4", "-o", "ndjson"],
                                env: audit.merging(["TMPDIR": missing]) { $1 })
        XCTAssertEqual(bad.code, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("cannot create a temporary file"), bad.stderr)
    }

    func testCtrlCMidWalkLeavesNoTemporaryFile() throws {
        let (room, tmp) = try spoolingRoom("Interrupted", messages: 20_000, latency: 0.05)
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = ["walk-messages", room.id, "--parallel", "4", "-o", "ndjson"]
        process.environment = env.merging(audit) { $1 }.merging(["TMPDIR": tmp]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = out.fileHandleForReading.availableData  // the walk has started
        // Windows are being spooled once the other windows' first pages are in.
        let deadline = Date().addingTimeInterval(10)
        while mock.requests(method: "GET", pathPrefix: "/messages").filter({ $0.query["before"] != nil }).count < 3,
              Date() < deadline {
            usleep(20_000)
        }
        usleep(100_000)
        kill(process.processIdentifier, SIGINT)
        DispatchQueue.global().async { _ = out.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp), [])
    }
}

extension ISO8601DateFormatter {
    /// `2026-11-25T10:00:00.123Z`, as Webex writes `created`.
    nonisolated(unsafe) static let withFractions: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
