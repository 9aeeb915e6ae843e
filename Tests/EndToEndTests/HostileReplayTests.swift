import Foundation
import XCTest

/// Issue 25 item 2: a POST is never sent twice, whatever libcurl does with a reused connection
/// that dies; after an ambiguous failure the object is looked up and the result says what is true.
final class HostileReplayTests: XCTestCase {
    static let roomId = HostileIdsTests.id("ROOM", "ops")
    static let botId = HostileIdsTests.id("PEOPLE", "bot")

    /// A Webex that stores each message POST; `dropPost(n)` says whether the n-th POST's connection is
    /// closed without an answer, `store(n)` whether that POST is stored first.
    final class MessageStore: @unchecked Sendable {
        let lock = NSLock()
        var messages: [String] = []
        func add(_ text: String) -> String {
            lock.lock()
            defer { lock.unlock() }
            let id = HostileIdsTests.id("MESSAGE", "m\(messages.count)")
            let stamp = ISO8601DateFormatter().string(from: Date())
            messages.append(#"{"id":"\#(id)","roomId":"\#(roomId)","personId":"\#(botId)","text":"\#(text)","created":"\#(stamp)"}"#)
            return messages.last!
        }
        var listing: String {
            lock.lock()
            defer { lock.unlock() }
            return #"{"items":[\#(messages.reversed().joined(separator: ","))]}"#
        }
    }

    func server(_ store: MessageStore, storeDropped: Bool) throws -> KeepAliveResponder {
        var posts = 0
        return try KeepAliveResponder { request, _ in
            let path = request.target.split(separator: "?").first.map(String.init) ?? ""
            switch (request.method, path) {
            case ("GET", "/v1/rooms"):
                return .reply(.json(#"{"items":[{"id":"\#(Self.roomId)","title":"Ops","type":"group"}]}"#))
            case ("GET", "/v1/people/me"):
                return .reply(.json(#"{"id":"\#(Self.botId)","emails":["bot@example.com"]}"#))
            case ("GET", "/v1/messages"):
                return .reply(.json(store.listing))
            case ("POST", "/v1/messages"):
                posts += 1
                let text = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])?["text"]
                    as? String ?? "?"
                // The first POST arrives on a kept-alive connection: stored (or not), then the connection closes.
                if posts == 1 {
                    if storeDropped { _ = store.add(text) }
                    return .drop
                }
                return .reply(.json(store.add(text)))
            default:
                return .reply(.json(#"{"message":"not found"}"#, status: 404))
            }
        }
    }

    func testAPostStoredThenDroppedIsSentOnceAndLookedUp() throws {
        let store = MessageStore()
        let server = try server(store, storeDropped: true)
        defer { server.close() }
        let r = try spark(["post", "Ops", "--text", "hello", "-o", "json", "--api-url", server.baseURL], env: hostileEnv)
        let posts = server.requests.filter { $0.method == "POST" }
        XCTAssertEqual(posts.count, 1, "a POST re-sent: \(server.requests.map { "\($0.method) \($0.target) #\($0.connection)" })")
        XCTAssertEqual(store.messages.count, 1)
        // The look-up found it: posted, exit 0, the message printed.
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains(HostileIdsTests.id("MESSAGE", "m0")), r.stdout)
    }

    func testAPostDroppedUnstoredIsSentOnceAndSaidNotPosted() throws {
        let store = MessageStore()
        let server = try server(store, storeDropped: false)
        defer { server.close() }
        let r = try spark(["post", "Ops", "--text", "hello", "--api-url", server.baseURL], env: hostileEnv)
        XCTAssertEqual(server.requests.filter { $0.method == "POST" }.count, 1)
        XCTAssertTrue(store.messages.isEmpty, "posted by a replay")
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("found no such message: it was not made"), r.stderr)
    }
}
