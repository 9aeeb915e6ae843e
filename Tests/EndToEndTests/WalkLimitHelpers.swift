import Foundation
import MockWebex
import XCTest

extension MockTestCase {
    /// A room `title` of `count` messages from alice walked with `--limit limit` as the audit token:
    /// exit 0 and `limit` lines. The message listings the walk asked for.
    func walkWithLimit(_ title: String, messages count: Int, limit: Int, file: StaticString = #filePath,
                       line: UInt = #line) throws -> [MockRequest] {
        let room = mock.addRoom(title: title, members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: count, fromEmail: "alice@example.com")
        let walk = try run(["walk-messages", room.id, "--limit", String(limit), "-o", "ndjson"],
                           env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(walk.code, 0, walk.stderr, file: file, line: line)
        XCTAssertEqual(try walk.lines().count, limit, file: file, line: line)
        return mock.requests(method: "GET", pathPrefix: "/messages")
    }
}
