import Foundation
import XCTest
@testable import SparkSpace

/// Issue 25 item 1: one escaping path builder for every id from the API or a delivery.
final class APIPathTests: XCTestCase {
    static func id(_ kind: String, _ name: String) -> String {
        var s = Data("ciscospark://us/\(kind)/\(name)".utf8).base64EncodedString()
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }

    func testAnIdNeverLeavesItsCollection() throws {
        for hostile in ["..", ".", "../rooms/X", "a/b", "%2e%2e", "x?y", "x#y", ""] {
            XCTAssertThrowsError(try WebexClient.path(.membership, hostile), hostile)
            let escaped = try WebexClient.path(.membership, hostile, check: .asTyped)
            XCTAssertEqual(escaped.split(separator: "/", omittingEmptySubsequences: false).count, 2, escaped)
            XCTAssertFalse(escaped.hasSuffix("/.") || escaped.hasSuffix("/.."), escaped)
        }
        let real = Self.id("MEMBERSHIP", "abc")
        XCTAssertEqual(try WebexClient.path(.membership, real), "memberships/" + real)
        XCTAssertEqual(try WebexClient.path(.teamMembership, Self.id("TEAM_MEMBERSHIP", "a")),
                       "team/memberships/" + Self.id("TEAM_MEMBERSHIP", "a"))
        // An id of another kind where the kind is known: refused.
        XCTAssertThrowsError(try WebexClient.path(.membership, Self.id("ROOM", "abc")))
        XCTAssertThrowsError(try WebexClient.path(.attachmentAction, Self.id("MESSAGE", "abc")))
        XCTAssertThrowsError(try WebexClient.path(.room, String(repeating: "A", count: 600)))
        // Opaque ids (not a ciscospark URI) of the right characters pass: only syntax is known.
        XCTAssertEqual(try WebexClient.path(.message, "M1"), "messages/M1")
    }

    func testOneBuilderTypedCollectionsEveryIdEscaped() throws {
        // A typed id is escaped, never checked; an id from the API (the default) is checked too.
        XCTAssertEqual(try WebexClient.path(.room, "not an id", check: .asTyped), "rooms/not%20an%20id")
        XCTAssertThrowsError(try WebexClient.path(.room, "not an id"))
        XCTAssertEqual(try WebexClient.path(.room, Self.id("MESSAGE", "m"), check: .asTyped), "rooms/" + Self.id("MESSAGE", "m"))
        for kind in IdKind.allCases {
            XCTAssertEqual(try WebexClient.path(kind, "..", check: .asTyped), kind.collection + "/%2E%2E")
            XCTAssertEqual(try WebexClient.path(kind, "a/b?c", check: .asTyped), kind.collection + "/a%2Fb%3Fc")
        }
        // The lookups' resources name their collection through the same kinds.
        XCTAssertEqual(Resource.allCases.map(\.idKind.collection), ["rooms", "teams", "webhooks", "people", "messages"])
    }

    func testNoCallerPassesACollectionString() throws {
        // The builder takes an `IdKind`: a path made by hand from a collection and an id does not compile
        // any more; this keeps the old spelling (and string collections handed to `fetch`) out of the tree.
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        XCTAssertFalse(files.isEmpty)
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: sources.appendingPathComponent(file).path, encoding: .utf8)
            XCTAssertFalse(text.contains("WebexClient.resource(") || text.contains("fetch(\""), file)
        }
    }

    func testACardDeliveryWithAHostileIdFetchesNothing() throws {
        var settings = Settings()
        settings.token = "bot-token"
        for hostile in ["..", "../people/me", Self.id("ROOM", "x")] {
            let transport = ScriptedTransport([])
            let space = Space(settings: settings, transport: transport)
            let delivery: JSON = ["resource": "attachmentActions", "event": "created", "name": "P-cards",
                                  "data": ["id": .string(hostile)]]
            let outcome = try space.event(forDelivery: delivery, botId: "BOT")
            guard case .ignored = outcome else { return XCTFail("\(hostile): \(outcome)") }
            XCTAssertTrue(transport.requests.isEmpty, "\(hostile): \(transport.requests.map(\.url))")
        }
    }

    func testAListingKeepsOnlyTheRoomAskedFor() throws {
        var settings = Settings()
        settings.token = "bot-token"
        let room = Self.id("ROOM", "r"), other = Self.id("ROOM", "o")
        let transport = ScriptedTransport([status(200, body: #"{"items":[{"id":"M1","roomId":"\#(room)","personEmail":"a@x.com"},{"id":"M2","roomId":"\#(other)","personEmail":"b@x.com"},{"id":"M3","personEmail":"c@x.com"}]}"#)])
        let space = Space(settings: settings, transport: transport)
        XCTAssertEqual(try space.memberships(roomId: room).map(\.id), ["M1"])
    }
}
