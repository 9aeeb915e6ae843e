import XCTest
@testable import SparkSpace

/// Records waits instead of sleeping.
final class FakeSleeper: Sleeper {
    var waits: [Double] = []
    func sleep(seconds: Double) { waits.append(seconds) }
}

/// Answers from a script and records what was asked.
final class ScriptedTransport: HTTPTransport {
    var script: [Result<HTTPResponse, TransportFailure>]
    var requests: [HTTPRequest] = []

    init(_ script: [Result<HTTPResponse, TransportFailure>]) { self.script = script }

    func perform(_ request: HTTPRequest, sink: BodySink?, progress: ProgressHandler?) throws -> HTTPResponse {
        requests.append(request)
        let next = script.isEmpty ? .success(HTTPResponse(status: 200, body: Array("{}".utf8))) : script.removeFirst()
        return try next.get()
    }
}

func status(_ code: Int, retryAfter: String? = nil, body: String = "{}") -> Result<HTTPResponse, TransportFailure> {
    var headers = HTTPHeaders()
    if let retryAfter { headers.add("Retry-After", retryAfter) }
    headers.add("TrackingID", "ROUTER_T1")
    return .success(HTTPResponse(status: code, headers: headers, body: Array(body.utf8)))
}

func failure(_ kind: TransportFailure.Kind) -> Result<HTTPResponse, TransportFailure> {
    .failure(TransportFailure(kind: kind, message: "boom"))
}

/// A client that gets the answers of `script` and sleeps with `sleeper`, `maxWait` seconds of waits allowed.
func scriptedClient<S: Sleeper>(_ script: [Result<HTTPResponse, TransportFailure>], token: String = "t",
                                maxWait: Double, sleeper: S) -> (WebexClient, ScriptedTransport, S) {
    let transport = ScriptedTransport(script)
    let client = WebexClient(baseURL: "https://api.test/v1", token: token, transport: transport,
                             budget: WaitBudget(seconds: maxWait), sleeper: sleeper)
    return (client, transport, sleeper)
}

final class RetryTests: XCTestCase {
    private func client(_ script: [Result<HTTPResponse, TransportFailure>], maxWait: Double = 300)
        -> (WebexClient, ScriptedTransport, FakeSleeper) {
        scriptedClient(script, token: "secret-token-1234", maxWait: maxWait, sleeper: FakeSleeper())
    }

    func testGetRetries5xxOnTheSchedule() throws {
        let (c, t, s) = client([status(500), status(502), status(503)])
        _ = try c.get("rooms")
        XCTAssertEqual(s.waits, [0.1, 1, 5])
        XCTAssertEqual(t.requests.count, 4)
    }

    func testGivesUpAfterTheSchedule() {
        let (c, t, _) = client([status(500), status(500), status(500), status(500)])
        XCTAssertThrowsError(try c.get("rooms")) { error in
            guard case SparkError.retriesSpent = error as! SparkError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(t.requests.count, 4)
    }

    func testNeverRetries4xx() {
        for code in [400, 401, 403, 404, 409] {
            let (c, t, s) = client([status(code, body: #"{"message":"nope","trackingId":"T9"}"#)])
            XCTAssertThrowsError(try c.get("rooms")) { error in
                XCTAssertEqual(error as? SparkError, .api(APIFailure(method: "GET", path: "/rooms", status: code,
                                                                   message: "nope", trackingId: "T9")))
            }
            XCTAssertEqual(t.requests.count, 1)
            XCTAssertEqual(s.waits, [])
        }
    }

    func testPostRetriesOnly429And503AndConnectFailures() throws {
        var (c, t, _) = client([status(429, retryAfter: "2"), status(503), failure(.notConnected)])
        _ = try c.post("messages", ["text": "hi"])
        XCTAssertEqual(t.requests.count, 4)
        for outcome in [status(500), status(502), failure(.timedOut), failure(.broken)] {
            (c, t, _) = client([outcome])
            XCTAssertThrowsError(try c.post("messages", ["text": "hi"]))
            XCTAssertEqual(t.requests.count, 1, "POST must not be repeated after \(outcome)")
        }
    }

    func testGetRetriesTimeoutsAndBrokenConnections() throws {
        let (c, t, s) = client([failure(.timedOut), failure(.broken)])
        _ = try c.get("rooms")
        XCTAssertEqual(t.requests.count, 3)
        XCTAssertEqual(s.waits, [0.1, 1])
    }

    func test429WaitsRetryAfterOr15WhenMalformed() throws {
        let (c, _, s) = client([status(429, retryAfter: "3"), status(429, retryAfter: "soon"), status(429)])
        _ = try c.get("rooms")
        XCTAssertEqual(s.waits, [3, 15, 15])
    }

    func test429DoesNotUseTheSchedule() throws {
        let (c, _, s) = client([status(429, retryAfter: "1"), status(500), status(429, retryAfter: "1"),
                                status(500), status(500)])
        _ = try c.get("rooms")
        XCTAssertEqual(s.waits, [1, 0.1, 1, 1, 5])
    }

    func testMaxWaitIsABudgetForTheWholeCommand() {
        let (c, t, s) = client([status(429, retryAfter: "4"), status(429, retryAfter: "4")], maxWait: 5)
        XCTAssertThrowsError(try c.get("rooms")) { error in
            guard case SparkError.waitBudgetSpent = error as! SparkError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(s.waits, [4])
        XCTAssertEqual(t.requests.count, 2)
    }

    func testRetryAfterParsing() {
        XCTAssertEqual(RetryPolicy.retryAfterSeconds("7"), 7)
        XCTAssertEqual(RetryPolicy.retryAfterSeconds(" 0.5 "), 0.5)
        XCTAssertNil(RetryPolicy.retryAfterSeconds("-1"))
        XCTAssertNil(RetryPolicy.retryAfterSeconds("abc"))
        XCTAssertNil(RetryPolicy.retryAfterSeconds(""))
        let now = Date(timeIntervalSince1970: 1_000_000_000)
        XCTAssertEqual(RetryPolicy.retryAfterSeconds("Sun, 09 Sep 2001 01:46:50 GMT", now: now), 10)
    }

    func testTokenOnlyGoesToTheAPIHost() throws {
        let (c, t, _) = client([status(200), status(200), status(200)])
        try c.send(.get, "https://api.test/v1/contents/1")
        try c.send(.get, "https://evil.test/v1/contents/1")
        try c.send(.get, "http://api.test/v1/contents/1")
        let auth = t.requests.map { r in r.headers.first { $0.0 == "Authorization" }?.1 }
        XCTAssertEqual(auth, ["Bearer secret-token-1234", nil, nil])
    }

    func testErrorMessageUsesBodyOrTrackingHeader() {
        let (c, _, _) = client([status(404, body: "not json")])
        XCTAssertThrowsError(try c.get("rooms/x")) { error in
            guard case .api(let f) = error as! SparkError else { return XCTFail() }
            XCTAssertEqual(f.trackingId, "ROUTER_T1")
            XCTAssertEqual(f.status, 404)
        }
    }

    func testQueryEscaping() {
        let (c, _, _) = client([])
        XCTAssertEqual(c.url("memberships", query: [("personEmail", "a+b@x.com"), ("q", "a b&c")]),
                       "https://api.test/v1/memberships?personEmail=a%2Bb%40x.com&q=a%20b%26c")
    }
}
