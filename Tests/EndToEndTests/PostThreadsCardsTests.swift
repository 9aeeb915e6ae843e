import Foundation
import MockWebex
import XCTest

/// Issue 14: `post --reply-to`, `--mention`, `--card`.
final class PostThreadsCardsTests: MockTestCase {
    private var posts: [MockRequest] { mock.requests(method: "POST", pathPrefix: "/messages") }

    private func body(_ request: MockRequest) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: request.body) as! [String: Any]
    }

    let card = #"{"type": "AdaptiveCard", "version": "1.2", "body": [{"type": "TextBlock", "text": "Deploy?"}], "actions": [{"type": "Action.Submit", "title": "Approve", "data": {"answer": "yes"}}]}"#

    func testReplyToPostsInTheThreadAndItsRoomByDefault() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let parent = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "build 42 failed")
        let r = try run(["post", "--reply-to", parent.id, "--text", "looking", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let created = try r.json() as! [String: Any]
        XCTAssertEqual(created["parentId"] as? String, parent.id)
        XCTAssertEqual(created["roomId"] as? String, room.id)
        XCTAssertEqual(try body(posts[0])["parentId"] as? String, parent.id)
        XCTAssertEqual(try body(posts[0])["roomId"] as? String, room.id)

        // The id printed by -o json is what a script keeps for the next reply.
        let id = try XCTUnwrap(created["id"] as? String)
        let again = try run(["post", "Ops", "--reply-to", parent.id, "--text", "fixed"])
        XCTAssertEqual(again.code, 0, again.stderr)
        // A reply to a reply is refused by Webex (400): exit 1 with its message.
        let nested = try run(["post", "Ops", "--reply-to", id, "--text", "nested"])
        XCTAssertEqual(nested.code, 1, nested.stderr)
        XCTAssertTrue(nested.stderr.contains("Cannot reply to a reply"), nested.stderr)
    }

    func testReplyToANonIdIsExit2WithoutARequest() throws {
        _ = mock.addRoom(title: "Ops")
        let r = try run(["post", "Ops", "--reply-to", "nope", "--text", "x"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testMentionsGoAtTheStartOfTheMarkdown() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com", "carol@example.com"])
        let r = try run(["post", "Ops", "--mention", "alice@example.com", "--mention", "carol@example.com",
                         "--markdown", "please **review**", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let sent = try body(posts[0])
        XCTAssertEqual(sent["markdown"] as? String,
                       "<@personEmail:alice@example.com> <@personEmail:carol@example.com> please **review**")
        let created = try r.json() as! [String: Any]
        let alice = try XCTUnwrap(mock.person(email: "alice@example.com"))
        let carol = try XCTUnwrap(mock.person(email: "carol@example.com"))
        XCTAssertEqual(created["mentionedPeople"] as? [String], [alice.id, carol.id])
        XCTAssertEqual(created["roomId"] as? String, room.id)

        // With --text only, the text follows the mention in the markdown and stays the plain alternative.
        let plain = try run(["post", "Ops", "--mention", "alice@example.com", "--text", "ping"])
        XCTAssertEqual(plain.code, 0, plain.stderr)
        let second = try body(posts[1])
        XCTAssertEqual(second["markdown"] as? String, "<@personEmail:alice@example.com> ping")
        XCTAssertEqual(second["text"] as? String, "ping")
    }

    func testBadMentionIsExit2WithoutARequest() throws {
        _ = mock.addRoom(title: "Ops")
        for email in ["alice", "a@b> <@personId:x", "@example.com"] {
            let r = try run(["post", "Ops", "--mention", email, "--text", "x"])
            XCTAssertEqual(r.code, 2, "\(email): \(r.stderr)")
        }
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testCardIsSentAsAnAdaptiveCardAttachmentFromAFileOrStdin() throws {
        let room = mock.addRoom(title: "Ops")
        let path = try writeFile("card.json", card)
        let r = try run(["post", "Ops", "--card", path, "--text", "approve the deploy?", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let sent = try body(posts[0])
        let attachments = try XCTUnwrap(sent["attachments"] as? [[String: Any]])
        XCTAssertEqual(attachments.count, 1)
        XCTAssertEqual(attachments[0]["contentType"] as? String, "application/vnd.microsoft.card.adaptive")
        XCTAssertEqual(attachments[0]["content"] as? NSDictionary,
                       try JSONSerialization.jsonObject(with: Data(card.utf8)) as? NSDictionary)
        XCTAssertEqual(sent["text"] as? String, "approve the deploy?")
        let created = try r.json() as! [String: Any]
        XCTAssertNotNil(created["attachments"])
        XCTAssertEqual(mock.messages(roomId: room.id).first?["id"] as? String, created["id"] as? String)

        let piped = try run(["post", "Ops", "--card", "-", "--markdown", "**approve?**", "-o", "json"], stdin: card)
        XCTAssertEqual(piped.code, 0, piped.stderr)
        XCTAssertEqual((try body(posts[1])["attachments"] as? [[String: Any]])?.count, 1)
    }

    func testUnusableCardsAndEmptyTextAreExit2BeforeAnyRequest() throws {
        _ = mock.addRoom(title: "Ops")
        let notJSON = try writeFile("bad.json", "{\"type\": \"AdaptiveCard\",")
        let notCard = try writeFile("other.json", #"{"type": "MessageCard", "body": []}"#)
        let array = try writeFile("array.json", #"[{"type": "AdaptiveCard"}]"#)
        let good = try writeFile("card.json", card)
        let directory = FileManager.default.temporaryDirectory.path
        let cases: [([String], String?, String)] = [
            (["--card", "/nonexistent/card.json", "--text", "x"], nil, "cannot read --card"),
            (["--card", directory, "--text", "x"], nil, "cannot read --card"),
            (["--card", notJSON, "--text", "x"], nil, "not valid JSON"),
            (["--card", notCard, "--text", "x"], nil, "AdaptiveCard"),
            (["--card", array, "--text", "x"], nil, "not an object"),
            (["--card", good], nil, "needs --text or --markdown"),
            (["--card", good, "--text", ""], nil, "needs --text or --markdown"),
            (["--card", good, "--text", "x", "--file", good], nil, "one attachment"),
            (["--text", ""], nil, "empty"),
            (["--text", "-"], "\n\n", "empty"),
            (["--card", "-", "--text", "x"], "", "not valid JSON"),
        ]
        for (args, stdin, message) in cases {
            let r = try run(["post", "Ops"] + args, stdin: stdin)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("spark-space: error:") && r.stderr.contains(message), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
        XCTAssertTrue(mock.requests.isEmpty, "\(requestLines)")
    }

    func testTheMockRefusesWhatWebexRefusesForCards() throws {
        let room = mock.addRoom(title: "Ops")
        func send(_ object: [String: Any]) throws -> Int {
            try callMock(mock, "POST", "/messages", token: "bot-token", body: object).status
        }
        let content: [String: Any] = ["type": "AdaptiveCard", "body": []]
        let card: [String: Any] = ["contentType": "application/vnd.microsoft.card.adaptive", "content": content]
        XCTAssertEqual(try send(["roomId": room.id, "text": "x", "attachments": [card]]), 200)
        XCTAssertEqual(try send(["roomId": room.id, "text": "x", "attachments": [card, card]]), 400)
        XCTAssertEqual(try send(["roomId": room.id, "text": "x",
                                 "attachments": [["contentType": "application/json", "content": content]]]), 400)
        XCTAssertEqual(try send(["roomId": room.id, "text": "x", "files": ["https://example.com/a.png"],
                                 "attachments": [card]]), 400)
        XCTAssertEqual(mock.messageCount(roomId: room.id), 1)
    }
}
