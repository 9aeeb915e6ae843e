import Foundation
import MockWebex
import XCTest

/// An API error without a JSON message (a HEAD answer has no body) reads as the status and its
/// reason phrase ("404 Not Found"), not "404 HTTP 404".
final class HTTPErrorTextTests: MockTestCase {
    func testHeadErrorsReadAsStatusAndReason() throws {
        let missing = mock.baseURL + "/contents/Y2lzY29zcGFyazovL3VzL0NPTlRFTlQvbm9uZQ"
        var r = try run(["attachments", "name", missing])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertEqual(mock.requests(method: "HEAD", pathPrefix: "/contents").count, 1)
        let line = try XCTUnwrap(r.stderr.split(separator: "\n").first.map(String.init))
        XCTAssertTrue(line.hasPrefix("spark-space: error: HEAD /contents/Y2lzY29zcGFyazovL3VzL0NPTlRFTlQvbm9uZQ: "
                                     + "404 Not Found"), line)
        XCTAssertFalse(r.stderr.contains("HTTP 404"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)

        // A file the scanner flagged: 410 on HEAD.
        let unsafe = mock.addContent(filename: "virus.exe", data: Data("x".utf8), unsafe: true)
        r = try run(["attachments", "name", unsafe])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains(": 410 Gone"), r.stderr)
        XCTAssertFalse(r.stderr.contains("HTTP 410"), r.stderr)

        // A refused token on HEAD: 401.
        let url = mock.addContent(filename: "a.txt", data: Data("a".utf8))
        r = try run(["attachments", "name", url], env: ["CISCO_SPARK_BOT_TOKEN": "wrong-token"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains(": 401 Unauthorized"), r.stderr)
        XCTAssertFalse(r.stderr.contains("wrong-token"), r.stderr)
    }

    func testJSONMessageIsStillUsedWhenThereIsOne() throws {
        // The API's own message (with its trackingId) wins over the reason phrase; the same status on
        // a HEAD (no body) gets the reason phrase.
        mock.inject(.status(403), method: "GET", pathPrefix: "/rooms")
        var r = try run(["rooms", "list"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: GET /rooms"), r.stderr)
        XCTAssertTrue(r.stderr.contains(": 403 Injected fault 403 (trackingId "), r.stderr)
        XCTAssertFalse(r.stderr.contains("Forbidden"), r.stderr)

        let url = mock.addContent(filename: "a.txt", data: Data("a".utf8))
        mock.inject(.status(403), method: "HEAD", pathPrefix: "/contents")
        r = try run(["attachments", "name", url])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains(": 403 Forbidden"), r.stderr)
    }
}
