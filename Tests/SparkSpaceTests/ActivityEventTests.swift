import XCTest
@testable import SparkSpace

/// Websocket activities → normalized events, on hostile or odd activities (issue 26).
final class ActivityEventTests: XCTestCase {
    private let me = RestIds.make("PEOPLE", "self-uuid", cluster: "eu")

    private func space(_ script: [Result<HTTPResponse, TransportFailure>]) -> (Space, ScriptedTransport) {
        var settings = Settings()
        settings.token = "t"
        settings.retryDelays = []
        let transport = ScriptedTransport(script)
        return (Space(settings: settings, transport: transport), transport)
    }

    private func activity(_ verb: String, id: JSON = "a-uuid", actor: String = "alice-uuid",
                          parent: JSON = .null) -> JSON {
        ["id": id, "verb": .string(verb), "published": "2026-12-07T00:00:00.000Z",
         "actor": ["entryUUID": .string(actor), "emailAddress": "alice@example.com", "displayName": "Alice"],
         "object": ["id": "obj-uuid", "objectType": "person", "entryUUID": "carol-uuid", "emailAddress": "carol@example.com"],
         "target": ["id": "room-uuid"], "parent": parent]
    }

    private func ignored(_ outcome: DeliveryOutcome) -> String? {
        if case .ignored(let reason) = outcome { return reason }
        return nil
    }

    func testTheClusterOfTheIdentityNamesTheFetchedMessage() throws {
        let message = #"{"id":"m","roomId":"r","personId":"p","text":"hi","created":"2026-12-07T00:00:00.000Z"}"#
        let (space, transport) = space([status(200, body: message)])
        let outcome = try space.event(forActivity: activity("post"), context: ActivityContext(selfId: me))
        guard case .event(let event) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(event["hook"], "websocket")
        XCTAssertEqual(transport.requests.first?.url,
                       "https://webexapis.com/v1/messages/" + RestIds.make("MESSAGE", "a-uuid", cluster: "eu"))
    }

    func testOwnPostsNonEventsAndOddActivitiesNeedNoRequest() throws {
        let (space, transport) = space([])
        let context = ActivityContext(selfId: me)
        XCTAssertNotNil(ignored(try space.event(forActivity: activity("post", actor: "self-uuid"), context: context)))
        XCTAssertNotNil(ignored(try space.event(forActivity: activity("acknowledge"), context: context)))
        XCTAssertNotNil(ignored(try space.event(forActivity: activity("post", id: 42), context: context)))
        XCTAssertNotNil(ignored(try space.event(forActivity: activity("cardAction", id: .null), context: context)))
        XCTAssertNotNil(ignored(try space.event(forActivity: ["verb": .array([])], context: context)))
        var filtered = context
        filtered.roomUUIDs = ["another-room"]
        XCTAssertNotNil(ignored(try space.event(forActivity: activity("post"), context: filtered)))
        XCTAssertTrue(transport.requests.isEmpty)
    }

    func testA404OnTheFetchIsSkippedNotThrown() throws {
        let (space, _) = space([status(404, body: #"{"message":"not found"}"#)])
        let reason = ignored(try space.event(forActivity: activity("share"), context: ActivityContext(selfId: me)))
        XCTAssertTrue(reason?.contains("404") ?? false, reason ?? "an event")
    }

    func testMembershipsModeratorsAndDeletesAreBuiltWithoutARequest() throws {
        let (space, transport) = space([])
        let context = ActivityContext(selfId: me)
        guard case .event(let join) = try space.event(forActivity: activity("add"), context: context),
              case .event(let moderator) = try space.event(forActivity: activity("assignModerator"), context: context),
              case .event(let delete) = try space.event(forActivity: activity("delete"), context: context)
        else { return XCTFail("not events") }
        XCTAssertEqual(join["type"], "join")
        XCTAssertEqual(join["actor_address"], "carol@example.com")
        XCTAssertEqual(join["actor_id"], .string(RestIds.make("PEOPLE", "carol-uuid", cluster: "eu")))
        XCTAssertEqual(join["channel_id"], .string(RestIds.make("ROOM", "room-uuid", cluster: "eu")))
        XCTAssertEqual(moderator["is_moderator"], true)
        XCTAssertEqual(delete["message_id"], .string(RestIds.make("MESSAGE", "obj-uuid", cluster: "eu")))
        XCTAssertEqual(delete["actor_id"], .string(RestIds.make("PEOPLE", "alice-uuid", cluster: "eu")))
        XCTAssertTrue(transport.requests.isEmpty)
    }

    func testAnEditFetchesTheMessageItEdits() throws {
        let message = #"{"id":"m","roomId":"r","personId":"p","text":"edited","updated":"2026-12-07T00:00:01.000Z"}"#
        let (space, transport) = space([status(200, body: message)])
        let outcome = try space.event(forActivity: activity("post", parent: ["id": "orig-uuid", "type": "edit"]),
                                      context: ActivityContext(selfId: me))
        guard case .event(let event) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(event["type"], "edit")
        XCTAssertTrue(transport.requests.first?.url.hasSuffix(RestIds.make("MESSAGE", "orig-uuid", cluster: "eu")) ?? false)
    }
}
