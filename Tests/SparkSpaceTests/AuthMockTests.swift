import Foundation
import MockWebex
import XCTest
@testable import SparkSpace

/// The mock's sign-in endpoints refuse what Webex refuses (issue 27).
final class AuthMockTests: XCTestCase {
    var mock: MockWebexServer!
    let transport = CurlTransport(userAgent: "auth-mock-test")

    override func setUpWithError() throws {
        mock = MockWebexServer()
        try mock.start()
        mock.addIntegration(clientId: "cid", clientSecret: "csecret", scopes: ["spark:all"])
    }

    override func tearDown() {
        mock.stop()
        mock = nil
    }

    func send(_ path: String, method: RequestMethod = .post, form: String? = nil, json: String? = nil,
              basic: (String, String)? = nil) throws -> (Int, [String: Any]) {
        var headers: [(String, String)] = []
        if let basic {
            headers.append(("Authorization", "Basic " + Data("\(basic.0):\(basic.1)".utf8).base64EncodedString()))
        }
        let body: HTTPBody = form.map { .form(Array($0.utf8)) } ?? json.map { .json(Array($0.utf8)) } ?? .none
        let r = try transport.perform(HTTPRequest(method: method, url: mock.baseURL + path, headers: headers, body: body),
                                      sink: nil, progress: nil)
        return (r.status, (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:])
    }

    func testAuthorizeRefusesWhatWebexRefuses() throws {
        XCTAssertEqual(try send("/device/authorize", method: .get).0, 405)
        XCTAssertEqual(try send("/device/authorize", json: #"{"client_id":"cid","scope":"spark:all"}"#).0, 415)
        XCTAssertEqual(try send("/device/authorize", form: "client_id=nope&scope=spark%3Aall").1["error"] as? String,
                       "invalid_client")
        XCTAssertEqual(try send("/device/authorize", form: "client_id=cid&scope=spark%3Akms").1["error"] as? String,
                       "invalid_scope")
        XCTAssertEqual(try send("/device/authorize", form: "client_id=cid").1["error"] as? String, "invalid_scope")
        let (status, grant) = try send("/device/authorize", form: "client_id=cid&scope=spark%3Aall")
        XCTAssertEqual(status, 200)
        XCTAssertEqual((grant["user_code"] as? String)?.count, 6)
        XCTAssertEqual(grant["expires_in"] as? Int, 300)
        XCTAssertNotNil(grant["verification_uri_complete"] as? String)
    }

    func testDeviceTokenPollingPendingSlowDownApprovedThenSpent() throws {
        mock.oauth { $0.approveAfterPolls = 1 }
        let code = try XCTUnwrap(try send("/device/authorize", form: "client_id=cid&scope=spark%3Aall").1["device_code"]
            as? String)
        let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=\(code)&client_id=cid"
        XCTAssertEqual(try send("/device/token", form: form).0, 401, "no client authentication")
        XCTAssertEqual(try send("/device/token", form: form, basic: ("cid", "wrong")).1["error"] as? String, "invalid_client")
        XCTAssertEqual(try send("/device/token", form: "grant_type=password&device_code=\(code)", basic: ("cid", "csecret"))
            .1["error"] as? String, "unsupported_grant_type")
        XCTAssertEqual(try send("/device/token", form: form, basic: ("cid", "csecret")).0, 428)
        // Sooner than the interval (1 s): slow_down, and the interval grows by 5 s.
        let (fast, said) = try send("/device/token", form: form, basic: ("cid", "csecret"))
        XCTAssertEqual(fast, 400)
        XCTAssertEqual(said["error"] as? String, "slow_down")
        mock.oauth { $0.interval = 0 }
        Thread.sleep(forTimeInterval: 6.05)
        let (ok, tokens) = try send("/device/token", form: form, basic: ("cid", "csecret"))
        XCTAssertEqual(ok, 200)
        let access = try XCTUnwrap(tokens["access_token"] as? String)
        XCTAssertNotNil(tokens["refresh_token"] as? String)
        XCTAssertNotNil(tokens["refresh_token_expires_in"] as? Int)
        XCTAssertEqual(try send("/device/token", form: form, basic: ("cid", "csecret")).1["error"] as? String,
                       "invalid_grant", "a device code serves once")

        // The token is an identity until it expires.
        let me = try transport.perform(HTTPRequest(method: .get, url: mock.baseURL + "/people/me",
                                                   headers: [("Authorization", "Bearer \(access)")]), sink: nil, progress: nil)
        XCTAssertEqual(me.status, 200)
        mock.expireAccessTokens()
        let expired = try transport.perform(HTTPRequest(method: .get, url: mock.baseURL + "/people/me",
                                                        headers: [("Authorization", "Bearer \(access)")]), sink: nil, progress: nil)
        XCTAssertEqual(expired.status, 401)
    }

    func testExpiredCodeAndRefreshGrant() throws {
        mock.oauth { $0.codeLifetime = 0 }
        let code = try XCTUnwrap(try send("/device/authorize", form: "client_id=cid&scope=spark%3Aall").1["device_code"]
            as? String)
        let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=\(code)"
        XCTAssertEqual(try send("/device/token", form: form, basic: ("cid", "csecret")).1["error"] as? String,
                       "expired_token")

        let (_, refresh) = mock.issueTokens(clientId: "cid", email: "alice@example.com")
        XCTAssertEqual(try send("/access_token", form: "grant_type=refresh_token&client_id=cid&client_secret=bad"
            + "&refresh_token=\(refresh)").0, 401)
        XCTAssertEqual(try send("/access_token", form: "grant_type=refresh_token&client_id=cid&client_secret=csecret"
            + "&refresh_token=nope").1["error"] as? String, "invalid_grant")
        let (status, tokens) = try send("/access_token", form: "grant_type=refresh_token&client_id=cid"
            + "&client_secret=csecret&refresh_token=\(refresh)")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(tokens["refresh_token"] as? String, refresh, "Webex keeps the refresh token")
        XCTAssertEqual(mock.refreshCount, 1)
    }
}
