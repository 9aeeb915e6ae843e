import Foundation
import MockWebex
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A request straight to the mock API (what a Webex client does that the tool does not: submit a card).
func callMock(_ mock: MockWebexServer, _ method: String, _ path: String, token: String,
              body: [String: Any]? = nil) throws -> (status: Int, json: [String: Any]) {
    var request = URLRequest(url: URL(string: mock.baseURL + path)!)
    request.httpMethod = method
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    if let body {
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
    }
    let done = DispatchSemaphore(value: 0)
    let result = ResultBox()
    URLSession.shared.dataTask(with: request) { data, response, _ in
        result.status = (response as? HTTPURLResponse)?.statusCode ?? 0
        result.data = data ?? Data()
        done.signal()
    }.resume()
    done.wait()
    let json = (try? JSONSerialization.jsonObject(with: result.data)) as? [String: Any] ?? [:]
    return (result.status, json)
}

final class ResultBox: @unchecked Sendable {
    var status = 0
    var data = Data()
}

private let approvalCard = #"{"type": "AdaptiveCard", "version": "1.2", "body": [{"type": "Input.Text", "id": "reason"}], "actions": [{"type": "Action.Submit", "title": "Approve", "data": {"answer": "approve"}}]}"#

/// Issue 14: cards through `webhooks register --cards` and `listen`.
extension ListenTests {
    func testCardRoundTripThroughListenSignedAndBadlySigned() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let cardFile = try writeFile("approve.json", approvalCard)
        let posted = try run(["post", "Ops", "--card", cardFile, "--text", "approve deploy 42?", "-o", "json"])
        XCTAssertEqual(posted.code, 0, posted.stderr)
        let messageId = try XCTUnwrap((try posted.json() as? [String: Any])?["id"] as? String)

        // Alice presses the button: Webex creates an attachment action.
        let submitted = try callMock(mock, "POST", "/attachment/actions", token: "audit-token", body: [
            "type": "submit", "messageId": messageId, "inputs": ["answer": "approve", "reason": "tests green"],
        ])
        XCTAssertEqual(submitted.status, 202)
        let actionId = try XCTUnwrap(submitted.json["id"] as? String)
        let forged = try callMock(mock, "POST", "/attachment/actions", token: "audit-token", body: [
            "type": "submit", "messageId": messageId, "inputs": ["answer": "reject"],
        ])
        let forgedId = try XCTUnwrap(forged.json["id"] as? String)

        try startListen(["--secret", "card-secret-4321"])
        mock.clearRequests()
        func cardDelivery(_ id: String) -> Data {
            delivery(name: "shellbot-cards", resource: "attachmentActions", event: "created", data: [
                "id": id, "type": "submit", "messageId": messageId, "personId": alice, "roomId": room.id,
                "created": submitted.json["created"] as? String ?? "",
            ])
        }
        let body = cardDelivery(actionId)
        XCTAssertEqual(post(body, headers: ["X-Spark-Signature": sign(body, "card-secret-4321")]), 200)
        let bad = cardDelivery(forgedId)
        XCTAssertEqual(post(bad, headers: ["X-Spark-Signature": sign(bad, "wrong-secret")]), 401)
        XCTAssertEqual(post(bad), 401)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)

        let events = try listener!.lines()
        XCTAssertEqual(events.count, 1, listener!.stdout)
        let event = try XCTUnwrap(events.first)
        XCTAssertEqual(event["type"] as? String, "card")
        XCTAssertEqual(event["action_id"] as? String, actionId)
        XCTAssertEqual(event["message_id"] as? String, messageId)
        XCTAssertEqual(event["inputs"] as? [String: String], ["answer": "approve", "reason": "tests green"])
        XCTAssertEqual(event["actor_id"] as? String, alice)
        XCTAssertEqual(event["channel_id"] as? String, room.id)
        XCTAssertEqual(event["stamp"] as? String, submitted.json["created"] as? String)
        XCTAssertEqual(event["hook"] as? String, "shellbot-cards")
        // Only the signed delivery was fetched, with the hook's (bot) token.
        let fetches = mock.requests(method: "GET", pathPrefix: "/attachment/actions/")
        XCTAssertEqual(fetches.map(\.path), ["/attachment/actions/\(actionId)"])
        XCTAssertEqual(fetches.map(\.token), ["bot-token"])
    }

    func testTheMockKeepsCardActionsToThePeopleOfTheRoom() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let plain = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "no card")
        XCTAssertEqual(try callMock(mock, "POST", "/attachment/actions", token: "audit-token", body: [
            "type": "submit", "messageId": plain.id, "inputs": [:] as [String: Any],
        ]).status, 400)
        let unknownAction = Data("ciscospark://us/ATTACHMENT_ACTION/0".utf8).base64EncodedString()
        XCTAssertEqual(try callMock(mock, "GET", "/attachment/actions/\(unknownAction)", token: "bot-token").status, 404)
    }
}

/// Issue 14: `webhooks register --cards`.
final class CardWebhooksTests: MockTestCase {
    func testRegisterCardsAddsPCards() throws {
        let r = try run(["webhooks", "register", "https://bot.example.com/hook", "--prefix", "ci", "--cards",
                         "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let hooks = mock.webhooks(token: "bot-token")
        let cards = try XCTUnwrap(hooks.first { $0["name"] as? String == "ci-cards" })
        XCTAssertEqual(cards["resource"] as? String, "attachmentActions")
        XCTAssertEqual(cards["event"] as? String, "created")
        XCTAssertEqual(cards["targetUrl"] as? String, "https://bot.example.com/hook")
        XCTAssertEqual(Set(hooks.compactMap { $0["name"] as? String }), ["ci-memberships", "ci-messages", "ci-cards"])

        // Without --cards there is no P-cards.
        let again = try run(["webhooks", "register", "https://bot.example.com/hook", "--prefix", "ci"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertEqual(Set(mock.webhooks(token: "bot-token").compactMap { $0["name"] as? String }),
                       ["ci-memberships", "ci-messages"])
    }
}
