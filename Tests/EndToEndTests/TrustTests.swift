import Foundation
import MockWebex
import XCTest

/// Issue 11: nothing destructive or surprising happens silently.
final class TrustTests: MockTestCase {
    // MARK: No implicit room

    func testACommandThatNeedsARoomAndHasNoneIsExit2BeforeAnyRequest() throws {
        mock.addRoom(title: "Collaboration space")
        let commands: [[String]] = [
            ["rooms", "get"], ["walk-messages"], ["pull", "--once"], ["post", "--text", "hello"],
            ["participants", "list"], ["participants", "add", "bob@example.com"],
            ["participants", "remove", "bob@example.com"],
        ]
        for arguments in commands {
            let r = try run(arguments)
            XCTAssertEqual(r.code, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: no ROOM"), "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("--room") && r.stderr.contains("space.room"), r.stderr)
            XCTAssertTrue(mock.requests.isEmpty, "\(arguments): \(requestLines)")
        }
    }

    func testTheRoomCanComeFromTheArgumentTheFlagTheSettingOrTheEnvironment() throws {
        let room = mock.addRoom(title: "Ops room")
        let settings = try writeFile("settings.yaml", "space:\n  room: Ops room\n")
        for (arguments, extra) in [(["rooms", "get", "Ops room"], [:]), (["rooms", "get", "--room", "Ops room"], [:]),
                                   (["rooms", "get", "-c", settings], [:]),
                                   (["rooms", "get"], ["CHAT_ROOM_TITLE": "Ops room"])] as [([String], [String: String])] {
            let r = try run(arguments + ["-o", "json"], env: extra)
            XCTAssertEqual(r.code, 0, "\(arguments): \(r.stderr)")
            XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, room.id)
        }
    }

    // MARK: Empty messages

    func testEmptyTextOrMarkdownIsExit2WithoutARequest() throws {
        mock.addRoom(title: "Ops room")
        for (arguments, stdin) in [(["--text", ""], nil), (["--markdown", "  "], nil), (["--text", "-"], "\n\n"),
                                   (["--markdown", "-"], "")] as [([String], String?)] {
            let r = try run(["post", "Ops room"] + arguments, stdin: stdin)
            XCTAssertEqual(r.code, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("empty"), r.stderr)
            XCTAssertTrue(mock.requests.isEmpty, "\(arguments): \(requestLines)")
        }
    }

    // MARK: Downloads

    private func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
    }

    private var contentRequests: [String] {
        mock.requests(pathPrefix: "/contents").map { "\($0.method) \($0.path)" }
    }

    func testWalkDownloadNeverOverwritesNumbersTakenNamesAndResumes() throws {
        let room = mock.addRoom(title: "Files", members: ["alice@example.com"])
        let one = mock.addContent(filename: "report.txt", data: Data("one".utf8))
        let two = mock.addContent(filename: "report.txt", data: Data("two".utf8))
        let three = mock.addContent(filename: "notes", data: Data("three".utf8))
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "a", files: [one])
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "b", files: [two, three])
        let dir = scratch()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/report.txt"))
        // The second file fails this time: the walk goes on, and the exit code says so.
        mock.inject(.status(404), method: "GET", pathPrefix: "/contents/", after: 1)
        let env = ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"]
        var r = try run(["walk-messages", "Files", "--download", dir, "-o", "ndjson"], env: env)
        XCTAssertEqual(r.code, 4, r.stderr)
        func read(_ name: String) -> String? {
            FileManager.default.contents(atPath: dir + "/" + name).map { String(decoding: $0, as: UTF8.self) }
        }
        XCTAssertEqual(read("report.txt"), "mine")
        // Newest first: message b's files come first.
        XCTAssertEqual(read("report (1).txt"), "two")
        XCTAssertNil(read("notes"))
        XCTAssertEqual(read("report (2).txt"), "one")

        // A re-run fetches only what is missing, and never renames what it saved before.
        mock.clearRequests()
        r = try run(["walk-messages", "Files", "--download", dir, "-o", "ndjson"], env: env)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(contentRequests, ["GET /contents/\(three.split(separator: "/").last!)"])
        XCTAssertEqual(read("notes"), "three")
        let events = try r.lines()
        XCTAssertEqual(events.map { $0["saved_paths"] as? [String] ?? [] },
                       [[dir + "/report (1).txt", dir + "/notes"], [dir + "/report (2).txt"]])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       [".spark-space-downloads", "notes", "report (1).txt", "report (2).txt", "report.txt"])

        // A third run fetches nothing.
        mock.clearRequests()
        r = try run(["walk-messages", "Files", "--download", dir, "-o", "ndjson"], env: env)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(contentRequests, [])
    }

    func testOneGETPerDownloadAndNoHEAD() throws {
        let url = mock.addContent(filename: "a.bin", data: Data("abc".utf8))
        let dir = scratch()
        var r = try run(["attachments", "download", url, "-d", dir, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(contentRequests, ["GET /contents/\(url.split(separator: "/").last!)"])
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/a.bin"), Data("abc".utf8))

        // An existing file without --force is still exit 5 and stays as it was; nothing stray is left.
        r = try run(["attachments", "download", url, "-d", dir])
        XCTAssertEqual(r.code, 5, r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["a.bin"])

        let room = mock.addRoom(title: "Files", members: ["alice@example.com"])
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "f", files: [url])
        mock.clearRequests()
        r = try run(["walk-messages", "Files", "--download", scratch(), "-o", "ndjson"],
                    env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(contentRequests, ["GET /contents/\(url.split(separator: "/").last!)"])
    }

    // MARK: Fewer round trips

    func testParticipantsRemoveOfSeveralPeopleListsTheMembershipsOnce() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com", "bob@example.com", "carol@example.com"])
        let r = try run(["participants", "remove", "Ops", "alice@example.com", "BOB@example.com", "dave@example.com",
                         "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/memberships").count, 1)
        XCTAssertEqual(mock.requests(method: "DELETE", pathPrefix: "/memberships/").count, 2)
        XCTAssertEqual(Set(mock.memberships(roomId: room.id).compactMap { $0["personEmail"] as? String }),
                       ["bot@example.com", "carol@example.com"])
        XCTAssertTrue(r.stdout.contains("dave@example.com\tunchanged"), r.stdout)
        XCTAssertTrue(r.stdout.contains("BOB@example.com\tremoved"), r.stdout)
    }

    func testTheLastPageAsksOnlyForWhatTheLimitStillNeeds() throws {
        let lists = try walkWithLimit("History", messages: 1500, limit: 1200)
        XCTAssertEqual(lists.map { $0.query["max"] }, ["1000", "200"])
    }

    // MARK: Conformance

    func testPullComparesTimesAsInstants() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "older",
                        mentionedEmails: ["bot@example.com"], created: "2026-11-25T09:59:59.000Z")
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "newer",
                        mentionedEmails: ["bot@example.com"], created: "2026-11-25T10:00:00.500Z")
        // The last seen message was deleted since: its stamp, written without fractions, is the bound.
        let state = try writeFile("state.json", #"{"\#(room.id)": {"id": "gone", "created": "2026-11-25T10:00:00Z"}}"#)
        let r = try run(["pull", "Ops", "--once", "--state", state])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.lines().map { $0["text"] as? String }, ["newer"])
    }

    func testRoomsGetPersonSendsNoMaxToMessagesDirect() throws {
        let direct = mock.addRoom(title: "Alice", type: "direct", members: ["alice@example.com"])
        mock.addMessage(roomId: direct.id, fromEmail: "alice@example.com", text: "hi")
        let r = try run(["rooms", "get", "--person", "alice@example.com", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, direct.id)
        let direct1 = mock.requests(method: "GET", pathPrefix: "/messages/direct")
        XCTAssertEqual(direct1.count, 1)
        XCTAssertNil(direct1[0].query["max"])
    }
}
