import Foundation
import MockWebex
import XCTest

/// Issue 17: output people read (table geometry, ages, wide, --fields, hints, did-you-mean,
/// help) and feedback on long work (wait notices, progress), on a pseudo-terminal and piped.
final class OutputForPeopleTests: MockTestCase {
    /// What a run on a pseudo-terminal (`script`) wrote: `terminal` is what reached the
    /// terminal (stdout and stderr unless redirected), `redirected` the file one of them went to.
    struct TerminalRun {
        var code: Int32
        var terminal: String
        var redirected: String
    }

    /// Runs the binary under `script` (a pseudo-terminal), with `redirect` ("stdout" or
    /// "stderr") sent to a file instead, so each side can be tested on its own.
    func onTerminal(_ arguments: [String], redirect: String? = nil, columns: Int = 80,
                    env extra: [String: String] = [:]) throws -> TerminalRun {
        let file = NSTemporaryDirectory() + "pty-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: file) }
        var command = ([binaryURL.path] + arguments).map(quoted).joined(separator: " ")
        if redirect == "stdout" { command += " >" + quoted(file) }
        if redirect == "stderr" { command += " 2>" + quoted(file) }
        // The exit code goes to the terminal too: `script` itself does not always return it.
        command += "; echo \"[exit $?]\""
        let environment = env.merging(["TERM": "xterm", "COLUMNS": String(columns)]) { _, new in new }
            .merging(extra) { _, new in new }
        let result = try runTool("script", ["-qec", command, "/dev/null"], env: environment)
        var text = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        var code: Int32 = -1
        if let range = text.range(of: "[exit ", options: .backwards) {
            code = Int32(text[range.upperBound...].prefix { $0.isNumber }) ?? -1
            text = String(text[..<range.lowerBound])
        }
        let redirected = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return TerminalRun(code: code, terminal: text, redirected: redirected)
    }

    func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    var patientRetries: String {
        get throws { try writeFile("s.yaml", "network:\n  retry_delays: [0.2, 0.2, 0.2]\n") }
    }

    // MARK: Wait notices

    func testA429WaitIsSaidWithTheBudgetLeftPipedOrNot() throws {
        mock.inject(.status(429, retryAfter: "1"), method: "GET", pathPrefix: "/people/me")
        let r = try run(["whoami", "--max-wait", "30"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("spark-space: waiting 1 s (429 Retry-After), 29 s of --max-wait left"),
                      r.stderr)
        mock.inject(.status(429, retryAfter: "1"), method: "GET", pathPrefix: "/people/me")
        let quiet = try run(["whoami", "-q"])
        XCTAssertEqual(quiet.code, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "", "-q says no wait")
    }

    func testRetriesAfter503AndADroppedConnectionAreSaid() throws {
        _ = mock.addRoom(title: "Ops")
        // The drop first: on a fresh connection (curl silently retries one that was reused).
        mock.inject(.drop, method: "GET", pathPrefix: "/rooms")
        mock.inject(.status(503), method: "GET", pathPrefix: "/rooms")
        let r = try run(["rooms", "list", "-c", try patientRetries])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        guard lines.count == 2 else { return XCTFail("two notices expected: \(r.stderr)") }
        XCTAssertTrue(lines[0].hasPrefix("spark-space: retrying GET /rooms in 0.2 s ("), r.stderr)
        XCTAssertFalse(lines[0].contains("(503)"), "the network error is named: \(r.stderr)")
        XCTAssertEqual(lines[1], "spark-space: retrying GET /rooms in 0.2 s (503)", r.stderr)
    }

    func testA423WaitIsSaidAndVerboseStillLogsEachCall() throws {
        let url = mock.addContent(filename: "scan.bin", data: Data(repeating: 1, count: 64), scanningRetries: 1)
        let dir = NSTemporaryDirectory() + "dl-\(UUID().uuidString)"
        let r = try run(["attachments", "download", url, "-d", dir, "-v"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertNotNil(r.stderr.range(of: #"spark-space: waiting [0-9.]+ s \(423 Locked: file being scanned\)"#,
                                       options: .regularExpression), r.stderr)
        XCTAssertTrue(r.stderr.contains(" 423 "), "-v logs the call: \(r.stderr)")
        XCTAssertTrue(r.stderr.contains(" 200 "), "-v logs the call: \(r.stderr)")
    }

    // MARK: --fields

    func testFieldsPickColumnsAndKeysInEveryFormat() throws {
        let room = mock.addRoom(title: "Ops")
        let tsv = try run(["rooms", "list", "--fields", "title,type,id"])
        XCTAssertEqual(tsv.code, 0, tsv.stderr)
        XCTAssertEqual(tsv.stdout, "Ops\tgroup\t\(room.id)\n")
        let wide = try run(["rooms", "list", "-o", "wide", "--fields", "title,creatorId"])
        XCTAssertEqual(wide.code, 0, wide.stderr)
        let lines = wide.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("title  creatorId"), wide.stdout)
        XCTAssertTrue(lines[1].hasPrefix("Ops  "), wide.stdout)
        let table = try run(["rooms", "list", "-o", "table", "--fields", "type"])
        XCTAssertEqual(table.stdout, "type\ngroup\n")
        let json = try run(["rooms", "list", "-o", "json", "--fields", "title,id"])
        XCTAssertEqual(json.code, 0, json.stderr)
        let items = try XCTUnwrap(try json.json() as? [[String: Any]])
        XCTAssertEqual(items.map { Set($0.keys) }, [["title", "id"]])
        let ndjson = try run(["rooms", "get", room.id, "-o", "ndjson", "--fields", "title"])
        XCTAssertEqual(ndjson.stdout, "{\"title\":\"Ops\"}\n")
        let one = try run(["rooms", "get", room.id, "--json", "--fields", "id"])
        XCTAssertEqual(try one.json() as? [String: String], ["id": room.id])
    }

    func testFieldsKeepNestedValuesWholeAndWorkOnAWalk() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hello\nsecond line")
        let me = try run(["whoami", "-o", "ndjson", "--fields", "emails,displayName"])
        XCTAssertEqual(me.code, 0, me.stderr)
        let person = try XCTUnwrap(try me.lines().first)
        XCTAssertFalse((person["emails"] as? [String] ?? []).isEmpty, "\(person)")
        XCTAssertEqual(Set(person.keys), ["emails", "displayName"])
        let walk = try run(["walk-messages", room.id, "-o", "ndjson", "--raw", "--fields", "text,roomId"],
                           env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(walk.code, 0, walk.stderr)
        XCTAssertEqual(try walk.lines().map { $0 as NSDictionary },
                       [["text": "hello\nsecond line", "roomId": room.id] as NSDictionary])
        let events = try run(["walk-messages", room.id, "-o", "tsv", "--fields", "personEmail,text"],
                             env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(events.stdout, "alice@example.com\thello\n", "text is the first line, as its column")
    }

    func testAnUnknownFieldIsExit2ListingTheFields() throws {
        _ = mock.addRoom(title: "Ops")
        for format in ["tsv", "table", "wide", "json", "ndjson"] {
            let r = try run(["rooms", "list", "-o", format, "--fields", "title,titel"])
            XCTAssertEqual(r.code, 2, "\(format): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("unknown field 'titel'"), r.stderr)
            XCTAssertTrue(r.stderr.contains("id, title, type, teamId, lastActivity"), "defaults first: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("creatorId"), "and every key of the items: \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(format): nothing printed")
        }
        let empty = try run(["rooms", "list", "--fields", "title,,id"])
        XCTAssertEqual(empty.code, 2, empty.stderr)
        XCTAssertTrue(mock.requests(pathPrefix: "/rooms").count == 5, "a bad list sends nothing")
    }

    // MARK: Table layout on a terminal

    func testTableOnATerminalKeepsIdEndsGivesTextTheRoomAndShowsAges() throws {
        let team = mock.addTeam(name: "Platform")
        let title = "Release train for the platform services of the northern region"
        let room = mock.addRoom(title: title, teamId: team.id,
                                lastActivity: rfc3339(Date().addingTimeInterval(-3 * 3600 - 60)))
        let run = try onTerminal(["rooms", "list", "-o", "table"], redirect: "stderr", columns: 80)
        XCTAssertEqual(run.code, 0, run.redirected)
        let lines = run.terminal.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, run.terminal)
        let row = lines[1]
        XCTAssertLessThanOrEqual(row.count, 80, row)
        XCTAssertTrue(row.hasPrefix("…" + room.id.suffix(13)), "a cut id keeps its end: \(row)")
        XCTAssertTrue(row.contains("  Platform  "), "the team by name: \(row)")
        XCTAssertFalse(row.contains(team.id.suffix(8)), row)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/teams").count, 1, "one listing of the teams")
        XCTAssertTrue(row.hasSuffix("3h ago"), "times as ages: \(row)")
        XCTAssertTrue(row.contains(String(title.prefix(24))), "the title gets the room the ids leave: \(row)")
        // Piped: RFC 3339 and whole ids.
        let piped = try self.run(["rooms", "list"])
        XCTAssertTrue(piped.stdout.contains(room.id) && piped.stdout.contains("Z\n"), piped.stdout)
        XCTAssertTrue(piped.stdout.contains("\t\(team.id)\t"), "tsv keeps the teamId: \(piped.stdout)")
        XCTAssertFalse(piped.stdout.contains("ago"), piped.stdout)
    }

    func testMessageTextGetsTheSpaceAt80Columns() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let text = "The deploy of the billing service to production finished without errors at last"
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: text)
        let run = try onTerminal(["walk-messages", room.id], redirect: "stderr", columns: 80,
                                 env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(run.code, 0, run.redirected)
        let row = try XCTUnwrap(run.terminal.split(separator: "\n").last.map(String.init))
        XCTAssertLessThanOrEqual(row.count, 80, row)
        XCTAssertTrue(row.contains(String(text.prefix(30))), "text keeps at least 30 columns: \(row)")
        XCTAssertNotNil(row.range(of: "^[0-9]+s ago ", options: .regularExpression), row)
    }

    func testWideNeverCuts() throws {
        let title = String(repeating: "long title ", count: 12)
        let room = mock.addRoom(title: title)
        let run = try onTerminal(["rooms", "list", "-o", "wide"], redirect: "stderr", columns: 60)
        XCTAssertEqual(run.code, 0, run.redirected)
        XCTAssertTrue(run.terminal.contains(room.id), run.terminal)
        XCTAssertTrue(run.terminal.contains(title.trimmingCharacters(in: .whitespaces)), run.terminal)
        XCTAssertFalse(run.terminal.contains("…"), run.terminal)
        XCTAssertTrue(run.terminal.contains(" ago"), "wide shows ages too: \(run.terminal)")
    }

    // MARK: Hints on a terminal

    func testEmptyAndCutListsSaySoOnATerminalOnly() throws {
        var run = try onTerminal(["rooms", "list"], redirect: "stdout")
        XCTAssertEqual(run.code, 0, run.terminal)
        XCTAssertEqual(run.terminal, "spark-space: no rooms\n")
        for n in 1...3 { _ = mock.addRoom(title: "Room \(n)") }
        run = try onTerminal(["rooms", "list", "--limit", "2"], redirect: "stdout")
        XCTAssertEqual(run.terminal, "spark-space: showing 2 rooms; --limit 0 for all\n")
        XCTAssertEqual(run.redirected.split(separator: "\n").count, 2)
        run = try onTerminal(["rooms", "list", "--limit", "5"], redirect: "stdout")
        XCTAssertEqual(run.terminal, "", "not cut: no hint")
        run = try onTerminal(["rooms", "list", "--limit", "2", "-q"], redirect: "stdout")
        XCTAssertEqual(run.terminal, "", "-q: no hint")
        let piped = try self.run(["rooms", "list", "--limit", "2"])
        XCTAssertEqual(piped.stderr, "", "stderr piped: no hint")
        let none = try self.run(["teams", "list"])
        XCTAssertEqual(none.stderr, "")
    }

    // MARK: Progress

    func testAWalkShowsProgressOnTheTerminalAndClearsIt() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 2500, fromEmail: "alice@example.com")
        let run = try onTerminal(["walk-messages", room.id, "-o", "ndjson"], redirect: "stdout",
                                 env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(run.code, 0, run.terminal)
        XCTAssertEqual(run.redirected.split(separator: "\n").count, 2500, "stdout holds only the messages")
        XCTAssertFalse(run.redirected.contains("\u{1B}"))
        XCTAssertTrue(run.terminal.contains("\r\u{1B}[K1000 messages"), run.terminal.debugDescription)
        XCTAssertTrue(run.terminal.hasSuffix("\r\u{1B}[K"), "cleared at the end: \(run.terminal.debugDescription)")
        let piped = try self.run(["walk-messages", room.id, "-o", "ndjson"],
                                 env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(piped.stderr, "", "no progress when stderr is piped")
        let quiet = try onTerminal(["walk-messages", room.id, "-o", "ndjson", "-q"], redirect: "stdout",
                                   env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(quiet.terminal, "", "none with -q")
    }

    func testDownloadUploadAndBulkShowProgress() throws {
        let room = mock.addRoom(title: "Ops")
        let url = mock.addContent(filename: "big.bin", data: Data(repeating: 7, count: 4 << 20))
        let dir = NSTemporaryDirectory() + "dl-\(UUID().uuidString)"
        var run = try onTerminal(["attachments", "download", url, "-d", dir], redirect: "stdout")
        XCTAssertEqual(run.code, 0, run.terminal)
        XCTAssertTrue(run.terminal.contains("\r\u{1B}[Kbig.bin  "), run.terminal.debugDescription)
        XCTAssertTrue(run.terminal.contains(" / 4.0 MB ("), run.terminal.debugDescription)
        XCTAssertTrue(run.terminal.hasSuffix("\r\u{1B}[K"), run.terminal.debugDescription)

        let file = try writeFile("report.bin", String(repeating: "x", count: 2 << 20))
        run = try onTerminal(["post", room.id, "--text", "the report", "--file", file], redirect: "stdout")
        XCTAssertEqual(run.code, 0, run.terminal)
        XCTAssertTrue(run.terminal.contains("\r\u{1B}[Kreport.bin  "), run.terminal.debugDescription)
        XCTAssertTrue(run.terminal.contains("%)"), run.terminal.debugDescription)

        run = try onTerminal(["participants", "add", room.id, "a@example.com", "b@example.com", "c@example.com"],
                             redirect: "stdout")
        XCTAssertEqual(run.code, 0, run.terminal)
        XCTAssertTrue(run.terminal.contains("\r\u{1B}[K1/3 people done"), run.terminal.debugDescription)
        XCTAssertTrue(run.terminal.hasSuffix("spark-space: added 3, unchanged 0, failed 0\n"),
                      run.terminal.debugDescription)
        let piped = try self.run(["participants", "add", room.id, "d@example.com"])
        XCTAssertFalse(piped.stderr.contains("\u{1B}"), piped.stderr)
    }

    // MARK: Did you mean

    func testARoomOrTeamNotFoundSuggestsTheClosestTitles() throws {
        _ = mock.addRoom(title: "Lobby")
        _ = mock.addRoom(title: "Release 3.1")
        _ = mock.addTeam(name: "Anchor team")
        var r = try run(["rooms", "get", "lobby"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("no group room titled 'lobby'; did you mean 'Lobby'?"), r.stderr)
        r = try run(["rooms", "get", "Release 3.2"])
        XCTAssertTrue(r.stderr.contains("did you mean 'Release 3.1'?"), r.stderr)
        r = try run(["rooms", "get", "Something else entirely"])
        XCTAssertEqual(r.code, 4)
        XCTAssertFalse(r.stderr.contains("did you mean"), r.stderr)
        r = try run(["teams", "get", "anchor Team"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.contains("did you mean 'Anchor team'?"), r.stderr)
    }

    // MARK: Help

    func testCommandHelpComesFirstAndGlobalsHaveTheirTopic() throws {
        let r = try run(["rooms", "list", "--help"])
        XCTAssertEqual(r.code, 0)
        let text = r.stdout
        let usage = try XCTUnwrap(text.range(of: "Usage: spark-space rooms list"))
        let options = try XCTUnwrap(text.range(of: "Options:"))
        let examples = try XCTUnwrap(text.range(of: "Examples:"))
        XCTAssertTrue(usage.lowerBound < options.lowerBound && options.lowerBound < examples.lowerBound)
        XCTAssertFalse(text.contains("--audit-token-file"), "global options are not repeated: \(text)")
        XCTAssertTrue(text.contains("'spark-space help globals'"), text)
        let globals = try run(["help", "globals"])
        XCTAssertEqual(globals.code, 0)
        for option in ["--audit-token-file FILE", "--fields LIST", "-o, --output FORMAT", "--max-wait SECONDS"] {
            XCTAssertTrue(globals.stdout.contains(option), option)
        }
        XCTAssertTrue(globals.stdout.contains("wide"), globals.stdout)
    }

    // MARK: README

    func testReadmeTellsHowToTryItAndGetAToken() throws {
        let readme = try repoFile("README.md")
        for heading in ["## Try it without a Webex account", "## Get a token"] {
            XCTAssertTrue(readme.contains(heading), heading)
        }
        XCTAssertTrue(readme.contains("mock-webex"))
        let guide = try repoFile("docs/guide.md")
        XCTAssertTrue(guide.contains("--fields"))
        XCTAssertTrue(guide.contains("-o wide"))
    }
}

/// `'text'` for sh.
private func quoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}
