import Foundation
import MockWebex
import XCTest

/// Issue 14: `walk-messages --thread` and `--person`.
final class WalkThreadsTests: MockTestCase {
    private var audit: [String: String] { ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"] }
    private var listRequests: [MockRequest] { mock.requests(method: "GET", pathPrefix: "/messages") }

    func testThreadListsOnlyTheRepliesWithParentIdInBothPaths() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let parent = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "deploy?")
        let other = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "unrelated")
        let first = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "one", parentId: parent.id)
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "elsewhere", parentId: other.id)
        let second = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "two", parentId: parent.id)

        // The fast path (ndjson, no --names) and the parsed path (--names) print the same bytes.
        let fast = try run(["walk-messages", "--thread", parent.id, "-o", "ndjson"], env: audit)
        XCTAssertEqual(fast.code, 0, fast.stderr)
        let parsed = try run(["walk-messages", "--thread", parent.id, "-o", "ndjson", "--names"], env: audit)
        XCTAssertEqual(parsed.code, 0, parsed.stderr)
        XCTAssertEqual(fast.stdout, parsed.stdout)
        let events = try fast.lines()
        XCTAssertEqual(events.map { $0["id"] as? String }, [second.id, first.id])
        XCTAssertEqual(Set(events.map { $0["parent_id"] as? String }), [parent.id])
        // The room came from the thread's message; the list asked for its replies only.
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/messages/\(parent.id)").count, 2)
        let list = try XCTUnwrap(mock.requests(method: "GET", pathPrefix: "/messages").last { $0.path == "/messages" })
        XCTAssertEqual(list.query["parentId"], parent.id)
        XCTAssertEqual(list.query["roomId"], room.id)

        // A message that is not a reply has no parent_id.
        let all = try run(["walk-messages", room.id, "-o", "ndjson"], env: audit)
        let byId = Dictionary(uniqueKeysWithValues: try all.lines().map { ($0["id"] as! String, $0) })
        XCTAssertNil(byId[parent.id]?["parent_id"])
        XCTAssertEqual(byId[first.id]?["parent_id"] as? String, parent.id)
    }

    func testThreadBadIdIsExit2AndUnknownIsExit4() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let r = try run(["walk-messages", room.id, "--thread", "nope"], env: audit)
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
        let unknown = Data("ciscospark://us/MESSAGE/ffffffff-0000-4000-8000-000000000000".utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        let missing = try run(["walk-messages", "--thread", unknown], env: audit)
        XCTAssertEqual(missing.code, 4, missing.stderr)
    }

    func testPersonWalksTheDirectMessagesAcrossPagesWithoutMax() throws {
        let direct = mock.addRoom(title: "Bob", type: "direct", members: ["alice@example.com", "bob@example.com"],
                                  includeBot: false)
        for index in 1...120 {
            mock.addMessage(roomId: direct.id, fromEmail: index % 2 == 0 ? "bob@example.com" : "alice@example.com",
                            text: "dm \(index)")
        }
        let r = try run(["walk-messages", "--person", "bob@example.com", "-o", "ndjson"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let events = try r.lines()
        XCTAssertEqual(events.count, 120)
        XCTAssertEqual(events.first?["text"] as? String, "dm 120")
        XCTAssertEqual(events.last?["text"] as? String, "dm 1")
        XCTAssertEqual(Set(events.map { $0["is_direct"] as? Bool }), [true])
        let lists = listRequests
        XCTAssertGreaterThan(lists.count, 1, "the direct list pages")
        XCTAssertEqual(Set(lists.map(\.path)), ["/messages/direct"])
        XCTAssertNil(lists[0].query["max"])
        XCTAssertEqual(lists[0].query["personEmail"], "bob@example.com")
        XCTAssertEqual(Set(lists.map(\.token)), ["audit-token"])

        let limited = try run(["walk-messages", "--person", "bob@example.com", "--limit", "3", "-o", "tsv"], env: audit)
        XCTAssertEqual(limited.code, 0, limited.stderr)
        XCTAssertEqual(limited.stdout.split(separator: "\n").count, 3)
    }

    func testPersonAndThreadTogetherListTheRepliesOfADirectMessage() throws {
        let direct = mock.addRoom(title: "Bob", type: "direct", members: ["bob@example.com"])
        let parent = mock.addMessage(roomId: direct.id, fromEmail: "bob@example.com", text: "question")
        mock.addMessage(roomId: direct.id, fromEmail: "bob@example.com", text: "other")
        let reply = mock.addMessage(roomId: direct.id, fromEmail: "bot@example.com", text: "answer", parentId: parent.id)
        let r = try run(["walk-messages", "--person", "bob@example.com", "--thread", parent.id, "-o", "ndjson"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try r.lines().map { $0["id"] as? String }, [reply.id])
        XCTAssertEqual(mock.requests.map(\.path), ["/messages/direct"])
        XCTAssertEqual(mock.requests.first?.query["parentId"], parent.id)
        XCTAssertEqual(mock.requests.first?.token, "bot-token")
    }

    func testPersonWithARoomBeforeOrMentionsMeIsExit2WithoutARequest() throws {
        for extra in [["Ops"], ["--before", "1h"], ["--mentions-me"], ["--person", "bob"]] {
            let args = ["walk-messages", "--person", "bob@example.com"] + extra
            let r = try run(extra.first == "--person" ? ["walk-messages"] + extra : args, env: audit)
            XCTAssertEqual(r.code, 2, "\(extra): \(r.stderr)")
        }
        XCTAssertTrue(mock.requests.isEmpty, "\(requestLines)")
    }
}
