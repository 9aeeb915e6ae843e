import XCTest
@testable import SparkSpace

/// OAuth's requests go through the API client's one retry path (`WebexClient.exchange`): 429
/// waits within the budget and told, 503 and connect failures retried on the schedule, a POST
/// that may have arrived never sent again, OAuth's own answers (428, 400, 401) returned to the
/// device grant, never a token sent, and no secret in any event or error.
final class OAuthTransportTests: XCTestCase {
    let integration = OAuthIntegration(clientId: "C-id", clientSecret: "SECRET-client")
    let tokens = #"{"access_token":"ACCESS-1","expires_in":3600,"refresh_token":"REFRESH-1","scope":"spark:all"}"#
    let device = DeviceAuthorization(deviceCode: "DEVICE-code-1", userCode: "123456", verificationURI: "https://v",
                                     verificationURIComplete: nil, expiresIn: 600, interval: 2)

    /// An OAuth client over `transport`; its events are collected in `events`.
    fileprivate func oauth(_ transport: HTTPTransport, budget: Double = 60, sleeper: FakeSleeper) -> (OAuthClient, OAuthEventLog) {
        let client = WebexClient(baseURL: "https://api.example.com/v1", token: "", transport: transport,
                                 budget: WaitBudget(seconds: budget), sleeper: sleeper)
        let log = OAuthEventLog()
        client.observer = { log.add($0) }
        return (OAuthClient(client: client, integration: integration), log)
    }

    func testAPollThrottledIsWaitedOutWithinTheBudgetAnd428IsAnAnswerNotARetry() throws {
        let transport = ScriptedTransport([status(429, retryAfter: "7"), status(428, body: #"{"error":"authorization_pending"}"#),
                                           status(200, body: tokens)])
        let sleeper = FakeSleeper()
        let (client, log) = oauth(transport, budget: 10, sleeper: sleeper)
        let grant = try client.waitForApproval(device)
        XCTAssertEqual(grant.accessToken, "ACCESS-1")
        // Poll interval, the 429's wait, the interval again (after 428), nothing after the tokens.
        XCTAssertEqual(sleeper.waits, [2, 7, 2])
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertTrue(log.lines.contains("waiting 7.0 429 Retry-After left 3.0"), log.lines.description)
        for request in transport.requests {
            XCTAssertEqual(request.url, "https://api.example.com/v1/device/token")
            XCTAssertEqual(request.method, .post)
            let authorization = request.headers.first { $0.0 == "Authorization" }?.1
            XCTAssertEqual(authorization, "Basic " + Data("C-id:SECRET-client".utf8).base64EncodedString())
            guard case .form(let bytes) = request.body else { return XCTFail("not a form: \(request.body)") }
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type"
                + "%3Adevice_code&device_code=DEVICE-code-1&client_id=C-id")
        }
        log.assertNoSecret(["SECRET-client", "DEVICE-code-1", "ACCESS-1", "REFRESH-1", "Basic"])
    }

    func testSlowDownDeniedAndExpiredAreAnswersNotRetries() throws {
        for (body, expected) in [(#"{"error":"access_denied"}"#, SparkError.signIn(.denied)),
                                 (#"{"error":"expired_token"}"#, SparkError.signIn(.codeExpired))] {
            let transport = ScriptedTransport([status(400, body: #"{"error":"slow_down"}"#), status(400, body: body)])
            let sleeper = FakeSleeper()
            XCTAssertThrowsError(try oauth(transport, sleeper: sleeper).0.waitForApproval(device)) {
                XCTAssertEqual($0 as? SparkError, expected)
            }
            XCTAssertEqual(transport.requests.count, 2, "each answer asked once")
            XCTAssertEqual(sleeper.waits, [2, 2 + Double(OAuthClient.slowDownStep)])
        }
    }

    func testARefreshPastTheBudgetIsTheWaitErrorAndNamesNoSecret() throws {
        let transport = ScriptedTransport([status(429, retryAfter: "5")])
        let sleeper = FakeSleeper()
        let (client, log) = oauth(transport, budget: 4, sleeper: sleeper)
        XCTAssertThrowsError(try client.refresh("REFRESH-secret", profile: "default")) {
            XCTAssertEqual($0 as? SparkError, .waitBudgetSpent(method: "POST", path: "/access_token", status: 429, wait: 5))
            XCTAssertFalse("\($0)".contains("REFRESH-secret") || "\($0)".contains("SECRET-client"), "\($0)")
        }
        XCTAssertEqual(sleeper.waits, [])
        XCTAssertEqual(transport.requests.count, 1)
        // The refresh token and the secret go in the form, no Authorization header at all.
        XCTAssertNil(transport.requests[0].headers.first { $0.0 == "Authorization" })
        log.assertNoSecret(["REFRESH-secret", "SECRET-client"])
    }

    func testConnectFailuresAnd503AreRetriedOnTheScheduleButATimedOutPostIsNot() throws {
        let authorize = #"{"device_code":"D","user_code":"1","verification_uri":"https://v","expires_in":60,"interval":1}"#
        let transport = ScriptedTransport([.failure(TransportFailure(kind: .notConnected, message: "refused")),
                                           status(503), status(200, body: authorize)])
        let sleeper = FakeSleeper()
        let (client, log) = oauth(transport, sleeper: sleeper)
        XCTAssertEqual(try client.authorize(scopes: []).deviceCode, "D")
        XCTAssertEqual(sleeper.waits, RetryPolicy().delays.prefix(2).map { $0 })
        XCTAssertEqual(log.lines.filter { $0.hasPrefix("retrying POST /device/authorize") }.count, 2, log.lines.description)

        // The request may have arrived: sent once, the error names the endpoint.
        let timedOut = ScriptedTransport([.failure(TransportFailure(kind: .timedOut, message: "timed out"))])
        XCTAssertThrowsError(try oauth(timedOut, sleeper: FakeSleeper()).0.refresh("R", profile: "p")) {
            XCTAssertEqual($0 as? SparkError, .transport(method: "POST", path: "/access_token", reason: "timed out"))
        }
        XCTAssertEqual(timedOut.requests.count, 1)
    }

    func testRefusedRefreshAndRefusedClientAreTheSignInsErrors() throws {
        let refused = ScriptedTransport([status(400, body: #"{"error":"invalid_grant"}"#)])
        XCTAssertThrowsError(try oauth(refused, sleeper: FakeSleeper()).0.refresh("R", profile: "work")) {
            XCTAssertEqual($0 as? SparkError, .signIn(.refreshRefused(profile: "work")))
        }
        let client = ScriptedTransport([status(401, body: #"{"error":"invalid_client"}"#)])
        XCTAssertThrowsError(try oauth(client, sleeper: FakeSleeper()).0.refresh("R", profile: "work")) {
            guard case .signIn(.clientRefused)? = $0 as? SparkError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(client.requests.count, 1, "a 401 of the token endpoint is an answer, not a token to refresh")
    }

    func testADryRunClientStillSignsIn() throws {
        let transport = ScriptedTransport([status(200, body: tokens)])
        let (client, log) = oauth(transport, sleeper: FakeSleeper())
        client.client.dryRun = true
        XCTAssertEqual(try client.refresh("R", profile: "p").accessToken, "ACCESS-1")
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertFalse(log.lines.contains { $0.hasPrefix("planned") })
    }
}

/// The events of a client, one line each.
private final class OAuthEventLog: LockedList<String>, @unchecked Sendable {
    func add(_ event: ClientEvent) {
        let line: String
        switch event {
        case .request(let entry): line = "request \(entry.method) \(entry.path) \(entry.status ?? 0) \(entry.note ?? "")"
        case .waiting(let reason, let seconds, let left): line = "waiting \(seconds) \(reason) left \(left)"
        case .retrying(let method, let path, let seconds, let cause): line = "retrying \(method) \(path) \(seconds) \(cause)"
        case .plannedWrite(let planned): line = "planned \(planned.line)"
        case .progress: line = "progress"
        case .notice(let text): line = "notice \(text)"
        }
        add(line)
    }

    var lines: [String] { all }

    func assertNoSecret(_ secrets: [String], file: StaticString = #filePath, line: UInt = #line) {
        for text in lines {
            for secret in secrets {
                XCTAssertFalse(text.contains(secret), "\(secret) in \(text)", file: file, line: line)
            }
        }
    }
}
