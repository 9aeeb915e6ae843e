import XCTest
@testable import SparkSpace

/// Issue 12, the parts that are pure functions: 429 floors, wait formatting, ids in paths,
/// RFC 5987 file names.
final class HostileInputUnitTests: XCTestCase {
    private func client(_ script: [Result<HTTPResponse, TransportFailure>], maxWait: Double)
        -> (WebexClient, ScriptedTransport, FakeSleeper) {
        scriptedClient(script, maxWait: maxWait, sleeper: FakeSleeper())
    }

    func testAZeroRetryAfterWaitsAFloorThatDoubles() throws {
        let (c, _, s) = client(Array(repeating: status(429, retryAfter: "0"), count: 4), maxWait: 100)
        _ = try c.get("rooms")
        XCTAssertEqual(s.waits, [1, 2, 4, 8])
    }

    func testZeroWaitsUseUpMaxWait() {
        let (c, t, s) = client(Array(repeating: status(429, retryAfter: "0"), count: 100), maxWait: 10)
        XCTAssertThrowsError(try c.get("rooms")) { error in
            guard case SparkError.waitBudgetSpent = error as! SparkError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(s.waits, [1, 2, 4])
        XCTAssertEqual(t.requests.count, 4)
    }

    func testAHugeWaitIsFormattedWithoutTrapping() {
        XCTAssertEqual(RetryPolicy.format(15), "15")
        XCTAssertEqual(RetryPolicy.format(1.5), "1.5")
        XCTAssertEqual(RetryPolicy.format(1e19), "1e+19")
        XCTAssertEqual(RetryPolicy.format(9_223_372_036_854_775_808.0), "9.223372036854776e+18")
        let decision = RetryPolicy().decide(method: .get, outcome: .status(429, retryAfter: "1e19"), retries: 0,
                                            budget: WaitBudget(seconds: 300))
        guard case .waitBudgetSpent(let status, let wait) = decision else { return XCTFail("\(decision)") }
        let reason = SparkError.waitGaveUp(status: status, wait: wait)
        XCTAssertTrue(reason.contains("1e+19"), reason)
    }

    func testIdsAreOnePathSegment() {
        XCTAssertEqual(try WebexClient.path(.message, "Y2lz-_=", check: .asTyped), "messages/Y2lz-_%3D")
        XCTAssertEqual(try WebexClient.path(.message, "../webhooks", check: .asTyped), "messages/..%2Fwebhooks")
        XCTAssertEqual(try WebexClient.path(.room, "..", check: .asTyped), "rooms/%2E%2E")
        XCTAssertEqual(try WebexClient.path(.room, "a?b#c d", check: .asTyped), "rooms/a%3Fb%23c%20d")
        XCTAssertTrue(WebexClient.hasIdSyntax("Y2lzY29zcGFyazovL3VzL1JPT00vMQ=="))
        for bad in ["", "../webhooks", "a/b", "a b", "a%2F", "a?b", "é"] {
            XCTAssertFalse(WebexClient.hasIdSyntax(bad), bad)
        }
    }

    func testRFC5987NamesInLatin1AndUTF8() {
        XCTAssertEqual(AttachmentName.parse(contentDisposition: "attachment; filename*=iso-8859-1''caf%E9.txt"),
                       "café.txt")
        XCTAssertEqual(AttachmentName.parse(contentDisposition: "attachment; filename*=ISO-8859-1'fr'caf%E9.txt"),
                       "café.txt")
        XCTAssertEqual(AttachmentName.parse(contentDisposition: "attachment; filename*=UTF-8''caf%C3%A9.txt"),
                       "café.txt")
        // Bad UTF-8 or a broken escape: the plain name instead.
        XCTAssertEqual(AttachmentName.parse(contentDisposition: "attachment; filename=\"p.txt\"; filename*=UTF-8''%E9"),
                       "p.txt")
        XCTAssertEqual(AttachmentName.parse(contentDisposition: "attachment; filename=\"p.txt\"; filename*=UTF-8''%Z1"),
                       "p.txt")
    }
}
