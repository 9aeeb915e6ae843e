import Foundation
import MockWebex
import XCTest

/// Issue 5: `pull` — mentions of the bot, oldest first, de-duplicated across runs with `--state`.
final class PullTests: MockTestCase {
    var room: MockRoom!

    override func setUpWithError() throws {
        try super.setUpWithError()
        room = mock.addRoom(title: "Ops", members: ["alice@example.com", "bob@example.com"])
    }

    /// `count` messages from alice mentioning the bot, "prefix 1" ... "prefix N" (newest last).
    @discardableResult
    func mentions(_ count: Int, _ prefix: String = "m") -> [MockMessage] {
        (1...count).map {
            mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "\(prefix) \($0)",
                            mentionedEmails: ["bot@example.com"])
        }
    }

    func texts(_ r: RunResult) throws -> [String] {
        try r.lines().map { $0["text"] as? String ?? "?" }
    }

    func testFirstRunPrintsTheLatestTenOldestFirstAsNDJSONEvents() throws {
        mentions(15)
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "no mention")
        let r = try run(["pull", "Ops", "--once"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try texts(r), (6...15).map { "m \($0)" })
        let event = try r.lines()[0]
        XCTAssertEqual(event["type"] as? String, "message")
        XCTAssertEqual(event["hook"] as? String, "pull")
        XCTAssertEqual(event["from_label"] as? String, "alice@example.com")
        XCTAssertEqual(event["channel_id"] as? String, room.id)
        let lists = mock.requests(method: "GET", pathPrefix: "/messages")
        XCTAssertEqual(lists.count, 1)
        XCTAssertEqual(lists[0].query["mentionedPeople"], "me")
        XCTAssertEqual(lists[0].query["roomId"], room.id)
        XCTAssertLessThanOrEqual(Int(lists[0].query["max"] ?? "1000")!, 100)
    }

    func testStateDeduplicatesAcrossRunsAndPagesBackSoNothingIsSkipped() throws {
        mentions(12, "old")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let state = dir.appendingPathComponent("pull-state.json").path

        var r = try run(["pull", "--room", "Ops", "--once", "--state", state])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try texts(r), (3...12).map { "old \($0)" })

        r = try run(["pull", "--room", "Ops", "--once", "--state", state])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")

        let fresh = mentions(150, "new")
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "not for the bot")
        // A run killed while it saved the state left its temporary file: the next save removes it.
        let left = dir.appendingPathComponent(".pull-state.json.tmp-\(Int32.max - 1)-3").path
        XCTAssertTrue(FileManager.default.createFile(atPath: left, contents: Data("{}".utf8)))
        mock.clearRequests()
        r = try run(["pull", "--room", "Ops", "--once", "--state", state])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try texts(r), (1...150).map { "new \($0)" })
        // Two pages of 100 were needed; none of them is larger than the API allows with mentionedPeople.
        let lists = mock.requests(method: "GET", pathPrefix: "/messages")
        XCTAssertEqual(lists.count, 2)
        XCTAssertTrue(lists.allSatisfy { $0.query["mentionedPeople"] == "me" && Int($0.query["max"] ?? "")! <= 100 })

        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state)))
            as! [String: [String: Any]]
        XCTAssertEqual(saved[room.id]?["id"] as? String, fresh.last!.id)
        // No temporary file is left; the lock file of concurrent saves stays (docs/decisions.md).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(),
                       ["pull-state.json", "pull-state.json.lock"])

        r = try run(["pull", "--room", "Ops", "--once", "--state", state])
        XCTAssertEqual(r.stdout, "")
    }

    func testStateOfAnEmptyRoomThenEverythingNewIsPrinted() throws {
        let state = try writeFile("state.json", "")
        var r = try run(["pull", "Ops", "--once", "--state", state])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")
        mentions(14)
        r = try run(["pull", "Ops", "--once", "--state", state])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try texts(r).count, 14)
    }

    func testBotsOwnMessagesAreDroppedAndAttachmentsNamed() throws {
        mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "talking to myself",
                        mentionedEmails: ["bot@example.com"])
        let url = mock.addContent(filename: "notes.txt", contentType: "text/plain", data: Data("x".utf8))
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "file", files: [url],
                        mentionedEmails: ["bot@example.com"])
        let r = try run(["pull", "Ops", "--once"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let events = try r.lines()
        XCTAssertEqual(events.count, 1, r.stdout)
        XCTAssertEqual(events[0]["attachment"] as? String, "notes.txt")
        XCTAssertEqual(events[0]["url"] as? String, url)
    }

    func testPollingPrintsNewMentionsAsTheyArrive() throws {
        mentions(2, "before")
        let poller = try BackgroundRun(["pull", "Ops", "--interval", "0.2"], env: env)
        XCTAssertTrue(poller.wait { poller.stdout.split(separator: "\n").count == 2 }, poller.stderr)
        mentions(3, "later")
        XCTAssertTrue(poller.wait { poller.stdout.split(separator: "\n").count == 5 }, poller.stdout)
        Thread.sleep(forTimeInterval: 0.5)
        let code = poller.stop(SIGINT)
        XCTAssertEqual(code, 130)
        XCTAssertEqual(try poller.lines().map { $0["text"] as? String ?? "" },
                       ["before 1", "before 2", "later 1", "later 2", "later 3"])
    }

    func testTransientErrorsBetweenPollsAreReportedAndPollingGoesOn() throws {
        mentions(1, "first")
        mock.inject(.status(503), method: "GET", pathPrefix: "/messages", times: 4)
        let settings = try writeFile("s.yaml", "network.retry_delays: [0]\n")
        let poller = try BackgroundRun(["pull", "Ops", "--interval", "0.1", "-c", settings], env: env)
        XCTAssertTrue(poller.wait { poller.stdout.contains("first 1") }, poller.stderr)
        XCTAssertEqual(poller.stop(SIGTERM), 143)
        XCTAssertTrue(poller.stderr.contains("warning:"), poller.stderr)
    }

    /// `--fields` keeps those keys of each event line; a key no event can have is exit 2 before
    /// any request, listing the event keys.
    func testFieldsPickEventKeysAndAnUnknownOneSendsNothing() throws {
        let sent = mentions(2)
        let r = try run(["pull", "Ops", "--once", "--fields", "id,type,from_label"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, sent.map { "{\"from_label\":\"alice@example.com\",\"id\":\"\($0.id)\",\"type\":\"message\"}\n" }
            .joined())

        mock.clearRequests()
        let bad = try run(["pull", "Ops", "--once", "--fields", "id,titel"])
        XCTAssertEqual(bad.code, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("unknown field 'titel' for --fields; fields: type, content, from_id,"),
                      bad.stderr)
        XCTAssertTrue(bad.stderr.contains("actor_label") && bad.stderr.contains("personEmail"), bad.stderr)
        XCTAssertEqual(bad.stdout, "")
        XCTAssertTrue(mock.requests(pathPrefix: "/").isEmpty, "nothing sent")
    }

    func testBadInputs() throws {
        let state = try writeFile("state.json", "not json")
        var r = try run(["pull", "Ops", "--once", "--state", state])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr)
        // A cursor of the wrong types is not "no cursor" (that would print the room's whole history).
        for text in [#"{"\#(room.id)": {"id": 5, "created": []}}"#, #"{"\#(room.id)": 7}"#,
                     #"{"\#(room.id)": {"id": "x", "created": "yesterday"}}"#] {
            let bad = try writeFile("bad-state.json", text)
            r = try run(["pull", "Ops", "--once", "--state", bad])
            XCTAssertEqual(r.code, 2, "\(text): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("is not a pull state: room"), r.stderr)
            XCTAssertEqual(r.stdout, "")
        }
        let fine = try writeFile("null-state.json", #"{"\#(room.id)": {"id": null, "created": null}}"#)
        XCTAssertEqual(try run(["pull", "Ops", "--once", "--state", fine]).code, 0)
        r = try run(["pull", "Ops", "--interval", "0"])
        XCTAssertEqual(r.code, 2, r.stderr)
        r = try run(["pull", "No such room", "--once"])
        XCTAssertEqual(r.code, 4, r.stderr)
        r = try run(["pull", "Ops", "--once"], env: ["CISCO_SPARK_BOT_TOKEN": "wrong-token"])
        XCTAssertEqual(r.code, 3, r.stderr)
    }
}
