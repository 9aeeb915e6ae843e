import Foundation
import MockWebex
import XCTest

/// Issue 4: `walk-messages`.
final class WalkMessagesTests: MockTestCase {
    /// The audit token makes walk-messages read everything (the default when it is set).
    private var audit: [String: String] { ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"] }

    private var listRequests: [MockRequest] { mock.requests(method: "GET", pathPrefix: "/messages") }

    /// The ids `walk-messages ROOM ARGS -o ndjson` prints with the audit token (it must exit 0).
    private func walkedIds(_ room: MockRoom, _ args: [String], file: StaticString = #filePath,
                           line: UInt = #line) throws -> [String?] {
        let r = try run(["walk-messages", room.id] + args + ["-o", "ndjson"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr, file: file, line: line)
        return try r.lines().map { $0["id"] as? String }
    }

    private func room(messages count: Int) -> MockRoom {
        let room = mock.addRoom(title: "History", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: count, fromEmail: "alice@example.com")
        return room
    }

    func testWalk2500AcrossPagesEqualsTheMockInOrder() throws {
        let room = room(messages: 2500)
        let r = try run(["walk-messages", room.id, "-o", "ndjson", "--raw"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let got = try r.lines()
        let expected = mock.messages(roomId: room.id)
        XCTAssertEqual(got.count, 2500)
        XCTAssertEqual(got.map { $0["id"] as? String }, expected.map { $0["id"] as? String })
        for (a, b) in zip(got, expected) where !NSDictionary(dictionary: a).isEqual(to: b) {
            return XCTFail("raw message differs: \(a) vs \(b)")
        }
        XCTAssertEqual(listRequests.count, 3)
        XCTAssertEqual(listRequests.first?.query["max"], "1000")
        XCTAssertEqual(Set(listRequests.map(\.token)), ["audit-token"])
    }

    func testJSONStreamsOneArrayOfNormalizedEvents() throws {
        let room = room(messages: 1200)
        let r = try run(["walk-messages", room.id, "--json"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let events = try XCTUnwrap(try r.json() as? [[String: Any]])
        XCTAssertEqual(events.map { $0["id"] as? String }, mock.messages(roomId: room.id).map { $0["id"] as? String })
        XCTAssertEqual(events.first?["text"] as? String, "message 1200")
        XCTAssertEqual(events.last?["hook"] as? String, "shellbot-messages")
    }

    func testEmptyRoomIsAnEmptyArray() throws {
        let room = room(messages: 0)
        let r = try run(["walk-messages", room.id, "--json"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "[]\n")
    }

    func testNormalizedFields() throws {
        let room = mock.addRoom(title: "Norm", members: ["alice@example.com", "bob@example.com"])
        let file = mock.addContent(filename: "report.pdf", data: Data("pdf".utf8))
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "plain one")
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hi bob", markdown: "hi **bob**",
                        html: "<p>hi <b>bob</b></p>", files: [file], mentionedEmails: ["bob@example.com"])
        let r = try run(["walk-messages", room.id, "-o", "ndjson"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let events = try r.lines()
        XCTAssertEqual(events.count, 2)
        let rich = events[0], plain = events[1]
        let bob = try XCTUnwrap(mock.person(email: "bob@example.com"))
        let alice = try XCTUnwrap(mock.person(email: "alice@example.com"))
        XCTAssertEqual(rich["type"] as? String, "message")
        XCTAssertEqual(rich["content"] as? String, "<p>hi <b>bob</b></p>")
        XCTAssertEqual(rich["from_id"] as? String, alice.id)
        XCTAssertEqual(rich["from_label"] as? String, "alice@example.com")
        XCTAssertEqual(rich["is_direct"] as? Bool, false)
        XCTAssertEqual(rich["mentioned_ids"] as? [String], [bob.id])
        XCTAssertEqual(rich["channel_id"] as? String, room.id)
        XCTAssertEqual(rich["stamp"] as? String, rich["created"] as? String)
        XCTAssertEqual(rich["hook"] as? String, "shellbot-messages")
        XCTAssertEqual(rich["url"] as? String, file)
        XCTAssertEqual(rich["text"] as? String, "hi bob", "the API object's own fields stay")
        XCTAssertNil(rich["attachment"], "names cost a request each: only with --names")
        XCTAssertEqual(plain["content"] as? String, "plain one")
        XCTAssertEqual(plain["mentioned_ids"] as? [String], [])
        XCTAssertNil(plain["url"])
        XCTAssertTrue(mock.requests(method: "HEAD", pathPrefix: "/contents").isEmpty)

        let named = try run(["walk-messages", room.id, "-o", "ndjson", "--names"], env: audit)
        XCTAssertEqual(named.code, 0, named.stderr)
        XCTAssertEqual(try named.lines()[0]["attachment"] as? String, "report.pdf")
        XCTAssertNil(try named.lines()[1]["attachment"])
        XCTAssertEqual(mock.requests(method: "HEAD", pathPrefix: "/contents").count, 1)
    }

    /// `--fields` names an event's keys (from_label, stamp, url) in every format, as json does;
    /// a key only some messages have is a blank cell, not an error on a first message without it.
    func testFieldsNameEventKeysInEveryFormat() throws {
        let room = mock.addRoom(title: "Fields", members: ["alice@example.com", "bob@example.com"])
        let file = mock.addContent(filename: "report.pdf", data: Data("pdf".utf8))
        let old = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hi", html: "<p>hi</p>",
                                  files: [file])
        let new = mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "plain")
        let fields = "from_label,content,stamp,channel_id,url"
        let expected = "bob@example.com\tplain\t\(new.created)\t\(room.id)\t\n"
            + "alice@example.com\t<p>hi</p>\t\(old.created)\t\(room.id)\t\(file)\n"
        for extra in [[], ["--names"], ["--parallel", "1"]] {
            let tsv = try run(["walk-messages", room.id, "-o", "tsv", "--fields", fields] + extra, env: audit)
            XCTAssertEqual(tsv.code, 0, tsv.stderr)
            XCTAssertEqual(tsv.stdout, expected, "\(extra)")
        }
        let table = try run(["walk-messages", room.id, "-o", "wide", "--fields", "from_label,id"], env: audit)
        XCTAssertEqual(table.code, 0, table.stderr)
        XCTAssertEqual(table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) },
                       [["from_label", "id"], ["bob@example.com", new.id], ["alice@example.com", old.id]])
        let ndjson = try run(["walk-messages", room.id, "-o", "ndjson", "--fields", "from_label,url"], env: audit)
        XCTAssertEqual(ndjson.stdout, "{\"from_label\":\"bob@example.com\"}\n"
            + "{\"from_label\":\"alice@example.com\",\"url\":\"\(file)\"}\n")

        // Without --names there is no attachment; --raw has no event keys at all.
        for (extra, field) in [([String](), "attachment"), (["--raw"], "from_label"), ([], "nope")] {
            let r = try run(["walk-messages", room.id, "-o", "tsv", "--fields", field] + extra, env: audit)
            XCTAssertEqual(r.code, 2, "\(field) \(extra): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("unknown field '\(field)' for --fields; fields: created, personEmail, "),
                          r.stderr)
            XCTAssertEqual(r.stderr.contains("mentioned_ids"), extra.isEmpty, "event keys are listed: \(r.stderr)")
            XCTAssertEqual(r.stdout, "")
        }

        // A member of the API's message that the newest message lacks (files, html) is a field in
        // every format, events or --raw: the exit does not depend on what was posted last.
        for extra in [["-o", "ndjson"], ["-o", "json"], ["-o", "ndjson", "--raw"], ["-o", "tsv"]] {
            let r = try run(["walk-messages", room.id, "--limit", "1", "--fields", "text,files,html"] + extra, env: audit)
            XCTAssertEqual(r.code, 0, "\(extra): \(r.stderr)")
        }
    }

    /// A walk that fails part way leaves `-o json` one document: the array is closed, the exit
    /// code says what failed.
    func testAWalkThatFailsPartWayStillPrintsOneJSONDocument() throws {
        let room = mock.addRoom(title: "Long", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 1500, fromEmail: "alice@example.com")
        mock.inject(.status(500), method: "GET", pathPrefix: "/messages", times: 20, after: 1)
        let config = try writeFile("fail.yaml", "network.retry_delays: [0]\n")
        for raw in [[], ["--raw"], ["--names"]] {
            let r = try run(["walk-messages", room.id, "-o", "json", "-c", config] + raw, env: audit)
            XCTAssertEqual(r.code, 6, r.stderr)
            let items = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [Any]
            XCTAssertEqual(items?.count, 1000, "\(raw): the first page, in a closed array")
            mock.clearFaults()
            mock.inject(.status(500), method: "GET", pathPrefix: "/messages", times: 20, after: 1)
        }
    }

    /// ndjson and json without --names print straight from the page bytes (`RawItems`);
    /// --names and the other formats parse each message. Both must print the same events.
    func testStreamedNDJSONEqualsTheParsedPath() throws {
        let room = mock.addRoom(title: "Mixed", members: ["alice@example.com", "bob@example.com"])
        mock.addMessages(roomId: room.id, count: 1100, fromEmail: "bob@example.com")
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "caf\u{E9} \"quoted\"\nline 2 \u{1F600} \\ /",
                        markdown: "**caf\u{E9}**", html: "<p>caf\u{E9}</p>", mentionedEmails: ["bob@example.com"])
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "tab\there \u{01} control")
        for extra in [[], ["--raw"], ["--limit", "1050"], ["--since", "1d"]] {
            let streamed = try run(["walk-messages", room.id, "-o", "ndjson"] + extra, env: audit)
            XCTAssertEqual(streamed.code, 0, streamed.stderr)
            if !extra.contains("--raw") {
                // No message has files: --names takes the parsed path and adds nothing.
                let parsed = try run(["walk-messages", room.id, "-o", "ndjson", "--names"] + extra, env: audit)
                XCTAssertEqual(parsed.code, 0, parsed.stderr)
                XCTAssertEqual(streamed.stdout, parsed.stdout, "\(extra)")
            }
            let json = try run(["walk-messages", room.id, "-o", "json"] + extra, env: audit)
            if !extra.contains("--raw") {
                for format in ["json", "tsv", "table"] {
                    let fast = try run(["walk-messages", room.id, "-o", format] + extra, env: audit)
                    let parsed = try run(["walk-messages", room.id, "-o", format, "--names"] + extra, env: audit)
                    XCTAssertEqual(fast.stdout, parsed.stdout, "\(format) \(extra)")
                    if format == "tsv" {
                        XCTAssertEqual(fast.stdoutLines.count, extra.contains("--limit") ? 1050 : 1102)
                    }
                }
            }
            let array = try XCTUnwrap(try json.json() as? [[String: Any]])
            let lines = try streamed.lines()
            XCTAssertEqual(lines.count, extra.contains("--limit") ? 1050 : 1102)
            XCTAssertEqual(array.count, lines.count)
            func canonical(_ object: [String: Any]) throws -> String {
                String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            }
            for (a, b) in zip(lines, array) where try canonical(a) != canonical(b) {
                return XCTFail("\(extra): \(try canonical(a)) vs \(try canonical(b))")
            }
        }
        let newest = try run(["walk-messages", room.id, "-o", "ndjson", "--limit", "2"], env: audit).lines()
        XCTAssertEqual(newest.map { $0["content"] as? String }, ["tab\there \u{01} control", "<p>caf\u{E9}</p>"])
    }

    func testDirectRoomIsDirect() throws {
        let direct = mock.addRoom(title: "alice", type: "direct", members: ["alice@example.com"])
        mock.addMessage(roomId: direct.id, fromEmail: "alice@example.com", text: "psst")
        // a bot may list a direct room's messages
        let r = try run(["walk-messages", direct.id, "-o", "ndjson"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.lines().first?["is_direct"] as? Bool, true)
    }

    func testLimit() throws {
        let room = room(messages: 2500)
        let expected = mock.messages(roomId: room.id).map { $0["id"] as? String }
        XCTAssertEqual(try walkedIds(room, ["--limit", "30"]), Array(expected.prefix(30)))
        XCTAssertEqual(listRequests.count, 1)
        XCTAssertEqual(listRequests[0].query["max"], "30")
        mock.clearRequests()
        XCTAssertEqual(try walkedIds(room, ["--limit", "1500"]), Array(expected.prefix(1500)))
        XCTAssertEqual(listRequests.count, 2)
        XCTAssertEqual(listRequests[0].query["max"], "1000")
    }

    func testSinceStopsPaging() throws {
        let room = room(messages: 2500)
        let expected = mock.messages(roomId: room.id)
        let stamp = try XCTUnwrap(expected[500]["created"] as? String)
        XCTAssertEqual(try walkedIds(room, ["--since", stamp]), expected.prefix(501).map { $0["id"] as? String })
        XCTAssertEqual(listRequests.count, 1, "no page after the first older message")
        mock.clearRequests()
        let later = try XCTUnwrap(expected[1100]["created"] as? String)
        var r = try run(["walk-messages", room.id, "--since", later, "-o", "ndjson"], env: audit)
        XCTAssertEqual(try r.lines().count, 1101)
        XCTAssertEqual(listRequests.count, 2)
        // relative ages: everything is newer than a day, nothing older than a minute ago is... all recent
        r = try run(["walk-messages", room.id, "--since", "1d", "-o", "ndjson", "--limit", "10"], env: audit)
        XCTAssertEqual(try r.lines().count, 10)
        let old = mock.addRoom(title: "Old", members: ["alice@example.com"])
        mock.addMessage(roomId: old.id, fromEmail: "alice@example.com", text: "ancient", created: "2020-01-01T00:00:00.000Z")
        r = try run(["walk-messages", old.id, "--since", "7d", "-o", "ndjson"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    func testBeforeMessageAndBeforeTime() throws {
        let room = room(messages: 1500)
        let expected = mock.messages(roomId: room.id)
        let pivot = try XCTUnwrap(expected[10]["id"] as? String)
        XCTAssertEqual(try walkedIds(room, ["--before", pivot]), expected.dropFirst(11).map { $0["id"] as? String })
        XCTAssertEqual(listRequests.first?.query["beforeMessage"], pivot)
        mock.clearRequests()
        let stamp = try XCTUnwrap(expected[10]["created"] as? String)
        XCTAssertEqual(try walkedIds(room, ["--before", stamp, "--limit", "5"]), expected[11..<16].map { $0["id"] as? String })
        XCTAssertEqual(listRequests.first?.query["before"], stamp)
        var r = try run(["walk-messages", room.id, "--before", "yesterday"], env: audit)
        XCTAssertEqual(r.code, 2)
        r = try run(["walk-messages", room.id, "--since", "soon"], env: audit)
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("--since"), r.stderr)
    }

    func testBotWithoutAuditTokenInAGroupRoomAsksForItsMentionsAndSaysSo() throws {
        let room = room(messages: 3)
        let mention = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hey bot",
                                      mentionedEmails: ["bot@example.com"])
        for reference in [room.id, "History"] {
            mock.clearRequests()
            let r = try run(["walk-messages", reference, "-o", "ndjson"])
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertEqual(try r.lines().map { $0["id"] as? String }, [mention.id])
            XCTAssertTrue(r.stderr.contains("mentionedPeople=me"), r.stderr)
            XCTAssertEqual(listRequests.count, 1)
            XCTAssertEqual(listRequests[0].query["mentionedPeople"], "me")
            XCTAssertEqual(listRequests[0].query["max"], "100")
        }
    }

    func testBotWithAnAuditTokenSetGetsA403HintWithAsBot() throws {
        let room = room(messages: 3)
        // --as bot overrides the audit default; the mock refuses a bot like Webex does
        let forced = try run(["walk-messages", room.id, "--as", "bot"], env: audit)
        XCTAssertEqual(forced.code, 3)
        XCTAssertTrue(forced.stderr.contains("; hint:") && forced.stderr.contains("--as audit"), forced.stderr)
        XCTAssertFalse(forced.stderr.contains("bot-token"))
        XCTAssertNil(listRequests.first?.query["mentionedPeople"])
    }

    func testMentionsMe() throws {
        let room = room(messages: 5)
        let mention = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hey bot",
                                      mentionedEmails: ["bot@example.com"])
        let r = try run(["walk-messages", room.id, "--mentions-me", "-o", "ndjson"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.lines().map { $0["id"] as? String }, [mention.id])
        XCTAssertEqual(listRequests[0].query["mentionedPeople"], "me")
        XCTAssertEqual(listRequests[0].query["max"], "100")
        XCTAssertEqual(listRequests[0].token, "bot-token")
    }

    func testRoomByTitleAndTable() throws {
        _ = room(messages: 3)
        let r = try run(["walk-messages", "History", "-o", "table"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[0].hasPrefix("created") && lines[0].contains("personEmail") && lines[0].contains("text"))
        XCTAssertTrue(lines[1].contains("alice@example.com") && lines[1].contains("message 3"), r.stdout)
    }

    func testDownloadSavesEveryAttachment() throws {
        let room = mock.addRoom(title: "Files", members: ["alice@example.com"])
        let one = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0) })
        let a = mock.addContent(filename: "a.bin", data: one)
        let b = mock.addContent(filename: "../b.txt", data: Data("bee".utf8))
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "two", files: [a, b])
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "none")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        let r = try run(["walk-messages", room.id, "--download", dir, "-o", "ndjson"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let events = try r.lines()
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events[1]["attachment"] as? String, "a.bin")
        XCTAssertEqual(events[1]["saved_paths"] as? [String], ["\(dir)/a.bin", "\(dir)/b.txt"])
        XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/a.bin"), one)
        XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/b.txt"), Data("bee".utf8))
        // Plus the index a re-run resumes from.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       [".spark-space-downloads", "a.bin", "b.txt"])
    }
}
