import Foundation
import XCTest

/// Issue 25: `--parallel` against a server that ignores `before=`: the walk sees a window get
/// messages outside its time span, says so, and goes on sequentially — every message once.
final class HostileWalkTests: XCTestCase {
    static let roomId = HostileIdsTests.id("ROOM", "long")
    static let count = 5_000
    static let newest: Int64 = 1_780_000_000_000

    static func stamp(_ millis: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Pages of 1,000 by `cursor`, newest first, whatever `before=` says.
    static func answer(_ request: HostileResponder.Request) -> HostileResponder.Reply {
        let parts = request.target.split(separator: "?", maxSplits: 1)
        let path = String(parts[0])
        let query = Dictionary(uniqueKeysWithValues: (parts.count > 1 ? parts[1].split(separator: "&") : []).map {
            let pair = $0.split(separator: "=", maxSplits: 1)
            return (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
        })
        switch path {
        case "/v1/rooms/\(roomId)":
            return .json(#"{"id":"\#(roomId)","title":"Long","type":"group","created":"\#(stamp(newest - 10_000_000))"}"#)
        case "/v1/people/me":
            return .json(#"{"id":"\#(HostileIdsTests.id("PEOPLE", "alice"))","emails":["alice@example.com"]}"#)
        case "/v1/messages":
            let page = Int(query["cursor"] ?? "0") ?? 0
            let range = (page * 1000)..<min(count, (page + 1) * 1000)
            let items = range.map { i in
                #"{"id":"m\#(i)","roomId":"\#(roomId)","roomType":"group","text":"n\#(i)","personId":"p","personEmail":"alice@example.com","created":"\#(stamp(newest - Int64(i) * 1000))"}"#
            }
            var headers: [(String, String)] = []
            if range.upperBound < count {
                headers.append(("Link", "<http://\(request.headers["host"] ?? "")/v1/messages?roomId=\(roomId)&max=1000&cursor=\(page + 1)>; rel=\"next\""))
            }
            return .json(#"{"items":[\#(items.joined(separator: ","))]}"#, headers: headers)
        default:
            return .json(#"{"message":"not found"}"#, status: 404)
        }
    }

    func testAServerIgnoringBeforeFallsBackToTheSequentialWalk() throws {
        let server = try HostileResponder { request, _ in Self.answer(request) }
        defer { server.close() }
        let r = try spark(["walk-messages", Self.roomId, "--parallel", "4", "--raw", "-o", "ndjson", "--api-url", server.baseURL],
                          env: ["CISCO_SPARK_BOT_TOKEN": "bot-token", "CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let ids = r.stdout.split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
        }
        XCTAssertEqual(ids.count, Self.count, "every message once")
        XCTAssertTrue(ids == (0..<Self.count).map { "m\($0)" }, "in order, never twice")
        XCTAssertTrue(server.requests.contains { $0.target.contains("before=") }, "windows were tried")
        XCTAssertTrue(r.stderr.contains("outside its time span"), "the fallback is said: \(r.stderr)")
    }
}
