import Foundation
import MockWebex
import XCTest

/// Issue 24 ("A newcomer's first hour") and issue 25's planted bug on webhook sets: which
/// identity, safe listeners, fail fast, the same thing said everywhere.
final class NewcomerTests: MockTestCase {
    let audit = ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"]

    func names(_ token: String) -> Set<String> {
        Set(mock.webhooks(token: token).map { $0["name"] as! String })
    }

    /// Runs `command` (a shell line) on a pseudo-terminal; stdout and stderr come back mixed.
    func onTerminal(_ command: String, env extra: [String: String] = [:]) throws -> RunResult {
        try spark(["-qec", command, "/dev/null"], env: env.merging(extra) { $1 }, stdin: "",
                  executable: "/usr/bin/script")
    }

    var binary: String { "'" + binaryURL.path + "'" }

    // MARK: Which identity

    func testEvery401And403NamesTheIdentityWhereItsTokenCameFromAndItsLast4() throws {
        // whoami: the bot works, the audit token is refused: a bot row, an error naming audit.
        var r = try run(["whoami"], env: ["CISCO_SPARK_AUDIT_TOKEN": "expired-token-abcd"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("bot\t"), r.stdout)
        XCTAssertTrue(r.stderr.contains("identity: audit (token from $CISCO_SPARK_AUDIT_TOKEN, ***abcd)"), r.stderr)
        XCTAssertFalse(r.stderr.contains("expired-token-abcd"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)

        // Both refused: a line for each, exit 3; the token file is named.
        let file = try writeFile("bot.token", "wrong-bot-token-wxyz\n")
        r = try run(["whoami", "--token-file", file], env: ["CISCO_SPARK_AUDIT_TOKEN": "expired-token-abcd"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.contains("identity: bot (token from --token-file \(file), ***wxyz)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("identity: audit"), r.stderr)

        // A 403 of any command names the identity too (here the audit one, from a settings file).
        let settings = try writeFile("s.yaml", "space:\n  audit_token: audit-token\n")
        mock.inject(.status(403), method: "GET", pathPrefix: "/rooms")
        r = try run(["rooms", "list", "--as", "audit", "-c", settings])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("identity: audit (token from settings file \(settings) (space.audit_token), ***oken)"),
                      r.stderr)
    }

    func testWalkMessagesSaysWhomItReadsAsAndNamesTheOtherIdentity() throws {
        // A room the bot made, the audit person is not in.
        let files = mock.addRoom(title: "Files")
        mock.addMessage(roomId: files.id, fromEmail: "bot@example.com", text: "hello")
        var r = try run(["walk-messages", "Files"], env: audit)
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("the audit person cannot see that room, but the bot can: use --as bot"), r.stderr)
        r = try run(["walk-messages", "Files", "--as", "bot", "--mentions-me"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)

        // On a terminal it says once whom it reads as.
        let shared = mock.addRoom(title: "Shared", members: ["alice@example.com"])
        mock.addMessage(roomId: shared.id, fromEmail: "alice@example.com", text: "one")
        r = try onTerminal("\(binary) walk-messages Shared", env: audit)
        XCTAssertEqual(r.code, 0, r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "reading as audit (token from $CISCO_SPARK_AUDIT_TOKEN)").count,
                       2, r.stdout)
        XCTAssertTrue(r.stdout.contains("--as bot reads as the bot"), r.stdout)
        // `1 message`, not `1 messages`, on the progress line.
        XCTAssertFalse(r.stdout.contains("1 messages"), r.stdout)
    }

    // MARK: Safe by default: webhook sets are exact names

    func testRegisterReplacesExactlyTheSetAndNamesTheOldURL() throws {
        let old = mock.addWebhook(token: "bot-token", name: "shellbot-messages", targetUrl: "https://old.example.com/x")
        for neighbour in ["shellbot-dev-messages", "shellbot2-messages", "shellbot-", "shellbot-messages-2"] {
            mock.addWebhook(token: "bot-token", name: neighbour)
        }
        let r = try run(["webhooks", "register", "https://bot.example.com/hook"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(names("bot-token"), ["shellbot-dev-messages", "shellbot2-messages", "shellbot-",
                                            "shellbot-messages-2", "shellbot-memberships", "shellbot-messages"])
        XCTAssertFalse(mock.webhooks(token: "bot-token").contains { $0["id"] as? String == old })
        XCTAssertTrue(r.stderr.contains("deleted webhook 'shellbot-messages' (\(old)) of the bot token; it pointed at "
            + "another URL: https://old.example.com/x → https://bot.example.com/hook"), r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "deleted webhook").count, 2, r.stderr)
    }

    func testDeregisterDeletesExactlyTheSetAndItsRowsSayDeleted() throws {
        for name in ["shellbot-memberships", "shellbot-messages", "shellbot-cards", "shellbot-dev-messages",
                     "shellbot2-messages", "shellbotmessages"] {
            mock.addWebhook(token: "bot-token", name: name)
        }
        mock.addWebhook(token: "audit-token", name: "shellbot-audit")
        mock.addWebhook(token: "audit-token", name: "shellbot-audit-old")
        var r = try run(["webhooks", "deregister", "-o", "json"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(names("bot-token"), ["shellbot-dev-messages", "shellbot2-messages", "shellbotmessages"])
        XCTAssertEqual(names("audit-token"), ["shellbot-audit-old"])
        let rows = try r.json() as! [[String: Any]]
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(Set(rows.map { $0["status"] as? String }), ["deleted"])

        r = try run(["webhooks", "deregister", "--all", "--yes", "-o", "tsv"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let statuses = r.stdout.split(separator: "\n").map { $0.split(separator: "\t").last.map(String.init) }
        XCTAssertEqual(statuses.count, 4, r.stdout)
        XCTAssertEqual(Set(statuses), ["deleted"])
    }

    func testDeletePromptNamesTheWebhook() throws {
        let id = mock.addWebhook(token: "bot-token", name: "ops-rooms")
        let r = try runOnTerminal(["webhooks", "delete", id], answer: "n")
        XCTAssertEqual(r.code, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("Delete webhook 'ops-rooms' (\(id))?"), r.stdout)
        XCTAssertEqual(names("bot-token"), ["ops-rooms"])
    }

    func testUpdateRefusesStatusInactiveAndFilterSayingWhy() throws {
        let id = mock.addWebhook(token: "bot-token", name: "ops-rooms")
        var r = try run(["webhooks", "update", id, "--status", "inactive"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("Webex cannot deactivate a webhook"), r.stderr)
        r = try run(["webhooks", "update", id, "--filter", "roomId=X"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot change a webhook's filter"), r.stderr)
        XCTAssertEqual(requestLines, [])
        r = try run(["webhooks", "update", id, "--status", "active", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
    }

    // MARK: Fail fast: the API URL

    func testAPIURLWithoutSchemeIsExit2BeforeAnyRequest() throws {
        let bare = mock.baseURL.replacingOccurrences(of: "http://", with: "")
        var r = try run(["whoami", "--api-url", bare])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--api-url '\(bare)' has no scheme"), r.stderr)
        r = try run(["whoami"], env: ["SPARK_API_URL": bare])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("SPARK_API_URL"), r.stderr)
        let settings = try writeFile("s.yaml", "api_url: \(bare)\n")
        r = try run(["rooms", "list", "-c", settings], env: ["SPARK_API_URL": ""])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertEqual(mock.requests.count, 0)
    }

    func testAnAPIURLThatAnswers404FirstHintsAtAMissingV1() throws {
        let wrong = mock.baseURL.replacingOccurrences(of: "/v1", with: "/api")
        var r = try run(["rooms", "list"], env: ["SPARK_API_URL": wrong])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("does it lack /v1?"), r.stderr)
        // A 404 with the right base is no such hint.
        r = try run(["rooms", "get", "Y2lzY29zcGFyazovL3VzL1JPT00vbm9uZQ"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertFalse(r.stderr.contains("/v1?"), r.stderr)
    }

    // MARK: Say the same thing everywhere

    func testPullHonoursOutputLineByLine() throws {
        let room = mock.addRoom(title: "Ops", members: ["bob@example.com"])
        for n in 1...2 {
            mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "m \(n)\nsecond line",
                            mentionedEmails: ["bot@example.com"])
        }
        var r = try run(["pull", "Ops", "--once", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(lines.map(\.count), [4, 4], r.stdout)
        XCTAssertEqual(lines.map { $0.count > 2 ? String($0[2]) : "" }, ["m 1", "m 2"])

        r = try run(["pull", "Ops", "--once", "-o", "table"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("created"), r.stdout)
        XCTAssertTrue(r.stdout.contains("m 2"), r.stdout)

        r = try run(["pull", "Ops", "--once", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("{\n"), r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "\n}\n").count, 3, r.stdout)

        r = try run(["pull", "Ops", "--once", "-o", "tsv", "--fields", "from_label,content"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("bob@example.com\tm 1"), r.stdout)
    }

    func testOneTeamColumnRuleForEveryCommandThatPrintsRooms() throws {
        let team = mock.addTeam(name: "Anchor team")
        mock.addRoom(title: "Ops", teamId: team.id)
        // Each command prints the table's `team` column with the team's name...
        let tables: [[String]] = [
            ["rooms", "list"], ["rooms", "get", "Ops"], ["rooms", "create", "New", "--team", "Anchor team"],
            ["rooms", "rename", "New", "Newer"], ["rooms", "update", "Newer", "--description", "d"],
        ]
        for command in tables {
            let r = try run(command + ["-o", "table"])
            XCTAssertEqual(r.code, 0, "\(command): \(r.stderr)")
            let header = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertTrue(header.contains("team") && !header.contains("teamId"), "\(command): \(r.stdout)")
            XCTAssertTrue(r.stdout.contains("Anchor team"), "\(command): \(r.stdout)")
        }
        // ...and accepts `--fields team` (json: a `team` key with the name).
        let fielded: [[String]] = [
            ["rooms", "list"], ["rooms", "get", "Ops"], ["rooms", "create", "Other", "--team", "Anchor team"],
            ["rooms", "rename", "Newer", "Newest"], ["rooms", "update", "Newest", "--description", "e"],
        ]
        for command in fielded {
            let r = try run(command + ["--fields", "title,team", "-o", "json"])
            XCTAssertEqual(r.code, 0, "\(command): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("\"team\": \"Anchor team\""), "\(command): \(r.stdout)")
        }
        // provision (without -f) prints its room by the same rule.
        let r = try run(["provision", "-o", "table"], env: ["CHAT_ROOM_TITLE": "Ops"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.split(separator: "\n").first?.contains("team") ?? false, r.stdout)
        XCTAssertTrue(r.stdout.contains("Anchor team"), r.stdout)
    }

    // MARK: Waits: --max-wait on the wall clock

    func testConcurrentWaitsSpendTheBudgetOnceAndNoticesCountDownInOrder() throws {
        let room = mock.addRoom(title: "Ops")
        // The four workers' first POSTs are all told to wait 2 s, at the same moment: that costs
        // about 2 s of --max-wait, not 8 (summed, the third wait would pass 5 s: exit 6).
        mock.inject(.status(429, retryAfter: "2"), method: "POST", pathPrefix: "/memberships", times: 4)
        let emails = (1...6).map { "p\($0)@example.com" }
        let r = try run(["participants", "add", room.id] + emails + ["--max-wait", "5"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lefts = r.stderr.split(separator: "\n").filter { $0.contains("of --max-wait left") }.compactMap { line in
            Double(line.components(separatedBy: "), ").last!.split(separator: " ").first!)
        }
        XCTAssertEqual(lefts.count, 4, r.stderr)
        XCTAssertEqual(lefts, lefts.sorted(by: >), r.stderr)
        XCTAssertGreaterThan(lefts.last!, 2, r.stderr)
    }

    func testProgressLineIsRedrawnAfterAWaitNotice() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 1500, fromEmail: "bot@example.com")
        mock.inject(.status(429, retryAfter: "1"), method: "GET", pathPrefix: "/messages", times: 1, after: 1)
        let r = try onTerminal("\(binary) walk-messages Ops --parallel 1 -o json > /dev/null", env: audit)
        XCTAssertEqual(r.code, 0, r.stdout)
        let notice = try XCTUnwrap(r.stdout.range(of: "of --max-wait left"), r.stdout)
        let after = r.stdout[notice.upperBound...]
        // The next thing on the screen is the progress line again, not a blank until the next page.
        XCTAssertTrue(after.hasPrefix("\r\n\r\u{1B}[K1000 messages"), String(after.prefix(80)).debugDescription)
    }

    // MARK: Ctrl-C

    func testCtrlCDuringABulkChangeSaysWhoWasDone() throws {
        let room = mock.addRoom(title: "Ops")
        mock.latency = 0.3
        let emails = (1...12).map { "p\($0)@example.com" }
        let run = try BackgroundRun(["participants", "add", room.id] + emails, env: env)
        XCTAssertTrue(run.wait { !run.stdout.isEmpty }, run.stderr)
        let code = run.stop(SIGINT)
        XCTAssertEqual(code, 130, run.stderr)
        XCTAssertTrue(run.stderr.contains("interrupted after "), run.stderr)
        XCTAssertTrue(run.stderr.contains("; not done: "), run.stderr)
        let first = try XCTUnwrap(run.stdout.split(separator: "\t").first, run.stdout)
        XCTAssertTrue(run.stderr.contains("done: \(first)"), run.stderr)
    }

    func testCtrlCOnATerminalLeavesNoProgressLineBehind() throws {
        let room = mock.addRoom(title: "Ops")
        mock.latency = 0.2
        let emails = (1...60).map { "p\($0)@example.com" }.joined(separator: " ")
        let r = try onTerminal("timeout -s INT 1.5 \(binary) participants add \(room.id) \(emails); true")
        let summary = try XCTUnwrap(r.stdout.range(of: "interrupted after "), r.stdout)
        let before = r.stdout[..<summary.lowerBound], after = r.stdout[summary.upperBound...]
        XCTAssertTrue(before.contains("people done"), r.stdout)
        // The line was cleared before the summary, and not drawn again after it.
        XCTAssertTrue(before.hasSuffix("\r\u{1B}[Kspark-space: "), String(before.suffix(60)).debugDescription)
        XCTAssertFalse(after.contains("people done"), String(after).debugDescription)
    }

    // MARK: Small ones

    func testParticipantsSetOfANonMemberIsReportedOnce() throws {
        let room = mock.addRoom(title: "Ops")
        let r = try run(["participants", "set", room.id, "nobody@example.com", "--moderator"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertEqual(r.stderr, "spark-space: error: nobody@example.com is not a member of the room\n")
    }

    func testOneMessageOrWebhookThatFailsToDeleteIsReportedOnce() throws {
        var r = try run(["messages", "delete", "Y2lzY29zcGFyazovL3VzL01FU1NBR0Uvbm9uZQ", "--yes"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        r = try run(["webhooks", "delete", "Y2lzY29zcGFyazovL3VzL1dFQkhPT0svbm9uZQ", "--yes"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }

    func testBusyPortIsAPlainSentence() throws {
        let listener = try BackgroundRun(["listen", "--binding", "127.0.0.1", "--port", "0"], env: env)
        let prefix = "listening on http://127.0.0.1:"
        XCTAssertTrue(listener.wait { listener.stderr.contains(prefix) }, listener.stderr)
        let port = String((listener.stderr.components(separatedBy: prefix).last ?? "").prefix { $0.isNumber })
        let r = try run(["listen", "--binding", "127.0.0.1", "--port", port])
        _ = listener.stop()
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertEqual(r.stderr, "spark-space: error: cannot listen on 127.0.0.1:\(port): the port is in use "
            + "(another listener?); choose another with --port, or 0 for any free one\n")
    }

    func testMissingCardFileSaysWhy() throws {
        mock.addRoom(title: "Ops")
        let r = try run(["post", "Ops", "--card", "/nonexistent/missing.json", "--text", "x"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot read --card /nonexistent/missing.json: No such file or directory"),
                      r.stderr)
        let dir = try writeFile("x", "")
        let r2 = try run(["post", "Ops", "--card", (dir as NSString).deletingLastPathComponent, "--text", "x"])
        XCTAssertTrue(r2.stderr.contains("it is a directory"), r2.stderr)
    }

    func testPullSaysOnATerminalThatItPolls() throws {
        mock.addRoom(title: "Ops")
        // The first poll of each run is refused: the run ends there (the note comes before it)
        // instead of at the 3 s timeout.
        mock.inject(.status(401), method: "GET", pathPrefix: "/messages", times: 2)
        let r = try onTerminal("timeout -s INT 3 \(binary) pull Ops --interval 30; true")
        XCTAssertTrue(r.stdout.contains("polling every 30 s for messages that mention the bot; Ctrl-C to stop"), r.stdout)
        // Not in a pipe.
        let piped = try onTerminal("timeout -s INT 3 \(binary) pull Ops --interval 30 2>&1 | cat; true")
        XCTAssertFalse(piped.stdout.contains("polling every"), piped.stdout)
    }

    func testSettingsShowFieldsWorksOrSaysWhichThereAre() throws {
        var r = try run(["settings", "show", "--fields", "key"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.split(separator: "\n").contains("space.token"), r.stdout)
        r = try run(["settings", "show", "--fields", "space", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"space.token\": \"***oken\""), r.stdout)
        // A setting or a section by name, in any format.
        r = try run(["settings", "show", "--fields", "space.token,server.port", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "space.token\t***oken\nserver.port\t8080\n")
        r = try run(["settings", "show", "--fields", "server", "--sources", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("server.port\t8080\tdefault\n"), r.stdout)
        XCTAssertFalse(r.stdout.contains("space."), r.stdout)
        r = try run(["settings", "show", "--fields", "space.token", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.json() as? [String: String], ["space.token": "***oken"])
        r = try run(["settings", "show", "--fields", "space.title"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("no setting 'space.title'; settings: api_url, file, network.retry_delays"),
                      r.stderr)
    }
}
