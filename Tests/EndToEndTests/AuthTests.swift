import Foundation
import MockWebex
import XCTest

/// `auth` against the mock's device grant (issue 27): a full sign-in, slow_down, denial,
/// expiry, a wrong client secret; tokens refreshed when due and after a 401 (also in the
/// middle of a walk), saved; two commands refreshing at once refresh once; a credentials
/// file others can read refused; profiles selecting tokens, rooms and API URL. Every byte
/// of every run's stdout and stderr is scanned for the client secret and every token issued.
final class AuthTests: MockTestCase {
    let clientId = "auth-test-client"
    let clientSecret = "AUTHTEST-client-secret-0123456789"
    var config: String!
    var secretFile: String!
    /// Every run of the test, scanned for secrets in `tearDown`.
    var runs: [(args: [String], result: RunResult)] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        mock.addIntegration(clientId: clientId, clientSecret: clientSecret)
        config = NSTemporaryDirectory() + "auth-xdg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        secretFile = try writeFile("secret", clientSecret + "\n")
    }

    override func tearDown() {
        // No secret in any output: the client secret, and every token the mock issued.
        let secrets = [clientSecret] + mock.issuedTokens
        for (args, result) in runs {
            for secret in secrets {
                XCTAssertFalse(result.stdoutData.range(of: Data(secret.utf8)) != nil || result.stderr.contains(secret),
                               "\(args) printed a secret:\n\(result.stdout)\n\(result.stderr)")
            }
        }
        super.tearDown()
    }

    var credentialsPath: String { config + "/spark-space/credentials.json" }

    /// The binary with this test's XDG_CONFIG_HOME (its credentials file); recorded for the scan.
    @discardableResult
    func auth(_ args: [String], env extra: [String: String] = [:], stdin: String? = nil) throws -> RunResult {
        let r = try run(args, env: ["XDG_CONFIG_HOME": config].merging(extra) { $1 }, stdin: stdin)
        runs.append((args, r))
        return r
    }

    func login(_ extra: [String] = [], env: [String: String] = [:]) throws -> RunResult {
        try auth(["-v", "auth", "login", "--client-id", clientId, "--client-secret-file", secretFile, "-o", "json"] + extra,
                 env: env)
    }

    func stored(_ profile: String = "default") throws -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: credentialsPath) else { return nil }
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (root["profiles"] as! [String: Any])[profile] as? [String: Any]
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    // MARK: Signing in

    func testLoginWithApprovalAfterSeveral428s() throws {
        mock.oauth { $0.approveAfterPolls = 3 }
        let r = try login()
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("Open https://login.example.com/verify and enter the code"), r.stderr)
        XCTAssertTrue(r.stderr.contains("(expires in 5 min)"), r.stderr)
        XCTAssertEqual(((try r.json() as! [String: Any])["audit"] as? [String: Any])?["displayName"] as? String, "Alice Audit")
        // Three answers 428, then the tokens; every poll authenticated with HTTP Basic, as a form.
        let polls = mock.requests(method: "POST", pathPrefix: "/device/token")
        XCTAssertEqual(polls.count, 4)
        let basic = "Basic " + Data("\(clientId):\(clientSecret)".utf8).base64EncodedString()
        XCTAssertTrue(polls.allSatisfy { $0.headers["authorization"] == basic })
        XCTAssertTrue(polls.allSatisfy { $0.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true })
        let authorize = mock.requests(method: "POST", pathPrefix: "/device/authorize")
        XCTAssertEqual(authorize.count, 1)
        XCTAssertEqual(String(decoding: authorize[0].body, as: UTF8.self), "client_id=\(clientId)&scope=spark%3Aall")
        // Polls at least the interval apart (1 s).
        for (a, b) in zip(polls, polls.dropFirst()) { XCTAssertGreaterThanOrEqual(b.time.timeIntervalSince(a.time), 0.95) }

        // Stored: 0600 in a 0700 directory; the sign-in is the audit token from now on.
        XCTAssertEqual(try mode(credentialsPath), 0o600)
        XCTAssertEqual(try mode(config + "/spark-space"), 0o700)
        let signIn = try XCTUnwrap(try stored())
        let access = try XCTUnwrap(signIn["access_token"] as? String)
        mock.clearRequests()
        let who = try auth(["whoami", "-o", "json"])
        XCTAssertEqual(who.code, 0, who.stderr)
        XCTAssertEqual(((try who.json() as! [String: Any])["audit"] as? [String: Any])?["emails"] as? [String],
                       ["alice@example.com"])
        XCTAssertTrue(mock.requests.contains { $0.token == access })

        let status = try auth(["auth", "status", "-o", "tsv"])
        XCTAssertEqual(status.code, 0, status.stderr)
        let audit = try XCTUnwrap(status.stdout.split(separator: "\n").first { $0.hasPrefix("audit\t") })
        let cells = audit.split(separator: "\t").map(String.init)
        XCTAssertEqual(cells.count, 7, String(audit))
        XCTAssertEqual([cells[0], cells[1], cells[2], cells[5], cells[6]], ["audit", "sign-in", "alice@example.com", "spark:all", "ok"])
        XCTAssertTrue(["in 13d", "in 14d"].contains(cells[3]) && ["in 89d", "in 90d"].contains(cells[4]), String(audit))
        // `auth token` prints the token in use (the one exception), and only it.
        let token = try run(["auth", "token"], env: ["XDG_CONFIG_HOME": config])
        XCTAssertEqual(token.code, 0, token.stderr)
        XCTAssertEqual(token.stdout, access + "\n")
    }

    func testOnATerminalAWaitingLineThenDryRunAndVerboseRunsShowNoSecret() throws {
        mock.oauth { $0.approveAfterPolls = 2 }
        let args: [String] = ["auth", "login", "--client-id", clientId, "--client-secret-file", secretFile!]
        let r = try runOnTerminal(args, answer: "", env: ["XDG_CONFIG_HOME": config])
        runs.append((args, r))
        XCTAssertEqual(r.code, 0, r.stdout)
        XCTAssertTrue(r.stdout.contains("waiting for approval on the other device"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Alice Audit"), r.stdout)

        // Writes planned with the sign-in, and every HTTP call logged, after a refresh: no secret (tearDown).
        let room = mock.addRoom(title: "Dry room", members: ["alice@example.com"])
        mock.expireAccessTokens()
        let dry = try auth(["-v", "--dry-run", "--as", "audit", "rooms", "rename", room.title, "New title"])
        XCTAssertEqual(dry.code, 0, dry.stderr)
        XCTAssertTrue(dry.stderr.contains("PUT /rooms/"), dry.stderr)
        XCTAssertEqual(mock.refreshCount, 1)
        XCTAssertEqual(try auth(["--dry-run", "auth", "login"]).code, 2)
        XCTAssertEqual(try auth(["-v", "auth", "status"]).code, 0)
        XCTAssertEqual(try auth(["-v", "settings", "show", "--sources"]).code, 0)
    }

    func testSlowDownAddsFiveSeconds() throws {
        mock.oauth {
            $0.slowDownPolls = 1
            $0.approveAfterPolls = 0
        }
        let r = try login()
        XCTAssertEqual(r.code, 0, r.stderr)
        let polls = mock.requests(method: "POST", pathPrefix: "/device/token")
        XCTAssertEqual(polls.count, 2, "slow_down once, then the tokens: \(requestLines)")
        XCTAssertGreaterThanOrEqual(polls[1].time.timeIntervalSince(polls[0].time), 5.9)
    }

    func testDeniedIsExit3AndStoresNothing() throws {
        mock.oauth {
            $0.deny = true
            $0.approveAfterPolls = 1
        }
        let r = try login()
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("spark-space: error: the sign-in was denied"), r.stderr)
        XCTAssertNil(try stored())
    }

    func testExpiredCodeIsExit1() throws {
        mock.oauth {
            $0.codeLifetime = 3
            $0.approveAfterPolls = nil
        }
        let r = try login()
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("the code expired before it was approved; run `spark-space auth login` again"),
                      r.stderr)
        XCTAssertNil(try stored())
    }

    func testWrongClientSecretIsExit3() throws {
        let wrong = try writeFile("wrong", "AUTHTEST-wrong-secret-999\n")
        let r = try auth(["auth", "login", "--client-id", clientId, "--client-secret-file", wrong])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("Webex refused the integration's client id or secret"), r.stderr)
        XCTAssertFalse(r.stderr.contains("AUTHTEST-wrong-secret-999"))
        XCTAssertNil(try stored())
    }

    func testNoIntegrationIsExit2SayingHowToCreateOne() throws {
        let r = try auth(["auth", "login"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("create an integration on developer.webex.com"), r.stderr)
        XCTAssertTrue(mock.requests.isEmpty, requestLines.description)
        // The settings' integration, from the environment, with the secret from stdin.
        mock.oauth { $0.approveAfterPolls = 0 }
        let viaEnv = try auth(["auth", "login", "--client-secret-file", "-"], env: ["SPARK_OAUTH_CLIENT_ID": clientId],
                              stdin: clientSecret + "\n")
        XCTAssertEqual(viaEnv.code, 0, viaEnv.stderr)
        XCTAssertNotNil(try stored())
    }

    // MARK: Refreshing

    func testDueTokenRefreshedOnNextCommandAndAfterA401() throws {
        mock.oauth {
            $0.approveAfterPolls = 0
            $0.accessLifetime = 120  // under the 5 minutes: due at once
        }
        XCTAssertEqual(try login().code, 0)
        let first = try XCTUnwrap(try stored()?["access_token"] as? String)
        mock.oauth { $0.accessLifetime = 3600 }

        // Due: refreshed before the request, the new tokens saved.
        var r = try auth(["whoami", "-o", "json", "-v"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.refreshCount, 1)
        let second = try XCTUnwrap(try stored()?["access_token"] as? String)
        XCTAssertNotEqual(first, second)
        XCTAssertTrue(r.stderr.contains("POST /access_token"), r.stderr)
        XCTAssertEqual(try mode(credentialsPath), 0o600)

        // Not due, but Webex refuses it: one 401, one refresh, the request sent again.
        mock.expireAccessTokens()
        mock.clearRequests()
        r = try auth(["whoami", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.refreshCount, 2)
        let third = try XCTUnwrap(try stored()?["access_token"] as? String)
        XCTAssertNotEqual(second, third)
        XCTAssertEqual(mock.requests.filter { $0.path == "/people/me" && $0.token != "bot-token" }.map(\.token),
                       [second, third])

        // A POST refused with 401 was not applied: sent again once, one message created.
        let room = mock.addRoom(title: "Refresh room", members: ["alice@example.com"])
        mock.expireAccessTokens()
        r = try auth(["post", room.id, "--text", "after a refresh", "--as", "audit", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.messages(roomId: room.id).count, 1)
        XCTAssertEqual(mock.refreshCount, 3)
    }

    func testA401InTheMiddleOfAWalkRefreshesOnceAndTheWalkGoesOn() throws {
        mock.oauth { $0.approveAfterPolls = 0 }
        XCTAssertEqual(try login().code, 0)
        let room = mock.addRoom(title: "Long history", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 2500, fromEmail: "alice@example.com")
        for parallel in ["1", "4"] {
            let before = mock.refreshCount
            mock.expireAccessTokens(afterUses: 2)
            let r = try auth(["walk-messages", room.id, "--parallel", parallel, "-o", "ndjson"])
            XCTAssertEqual(r.code, 0, r.stderr)
            let ids = try r.lines().compactMap { $0["id"] as? String }
            XCTAssertEqual(ids.count, 2500, "--parallel \(parallel)")
            XCTAssertEqual(Set(ids).count, 2500, "--parallel \(parallel): each message once")
            XCTAssertEqual(mock.refreshCount, before + 1, "--parallel \(parallel): one refresh")
        }
    }

    func testTwoCommandsRefreshingAtOnceRefreshOnce() throws {
        mock.oauth {
            $0.approveAfterPolls = 0
            $0.accessLifetime = 60
        }
        XCTAssertEqual(try login().code, 0)
        mock.oauth { $0.accessLifetime = 3600 }
        let results = SignInRuns()
        let environment = env.merging(["XDG_CONFIG_HOME": config]) { $1 }
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            results.add(try? spark(["whoami", "-o", "json"], env: environment), i)
        }
        for r in results.all {
            XCTAssertEqual(r?.code, 0, r?.stderr ?? "no run")
            if let r { runs.append((["whoami"], r)) }
        }
        XCTAssertEqual(mock.refreshCount, 1)
    }

    func testRefusedRefreshTokenIsExit3SayingToSignInAgain() throws {
        mock.oauth { $0.approveAfterPolls = 0 }
        XCTAssertEqual(try login().code, 0)
        mock.revokeRefreshTokens()
        mock.expireAccessTokens()
        let r = try auth(["whoami"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("can no longer be refreshed"), r.stderr)
        XCTAssertTrue(r.stderr.contains("run `spark-space auth login` again"), r.stderr)
        let status = try auth(["auth", "status"])
        XCTAssertEqual(status.code, 3, status.stderr)
    }

    func testRefreshAndLogout() throws {
        mock.oauth { $0.approveAfterPolls = 0 }
        XCTAssertEqual(try login().code, 0)
        let first = try stored()?["access_token"] as? String
        var r = try auth(["auth", "refresh"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.refreshCount, 1)
        XCTAssertNotEqual(try stored()?["access_token"] as? String, first)
        r = try auth(["auth", "logout"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertNil(try stored())
        r = try auth(["auth", "refresh"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("no stored sign-in; run `spark-space auth login` again"), r.stderr)
        // Without a sign-in nor an audit token, the audit role is missing.
        r = try auth(["whoami", "--as", "audit", "-o", "json"])
        XCTAssertNil((try? r.json() as? [String: Any])?["audit"])
    }

    func testCredentialsFileOthersCanReadIsRefused() throws {
        mock.oauth { $0.approveAfterPolls = 0 }
        XCTAssertEqual(try login().code, 0)
        XCTAssertEqual(chmod(credentialsPath, 0o644), 0)
        let r = try auth(["whoami"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("can be read by others (mode 0644)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("chmod 600 \(credentialsPath)"), r.stderr)
        XCTAssertEqual(chmod(credentialsPath, 0o600), 0)
        XCTAssertEqual(try auth(["whoami"]).code, 0)
    }

    // MARK: Profiles

    func testProfilesSelectTokensRoomsAndAPIURL() throws {
        let other = MockWebexServer()
        try other.start()
        defer { other.stop() }
        other.addIntegration(clientId: "work-client", clientSecret: clientSecret)
        other.oauth { $0.approveAfterPolls = 0 }
        other.addPerson(email: "workbot@example.com", displayName: "Work Bot", token: "work-bot-token", isBot: true)
        let workRoom = other.addRoom(title: "Work room", members: ["workbot@example.com", "alice@example.com"])
        other.addMessage(roomId: workRoom.id, fromEmail: "alice@example.com", text: "hello from work")
        mock.addRoom(title: "Home room", members: ["alice@example.com"])
        let settings = try writeFile("settings.yaml", """
            space:
              room: Home room
            profiles:
              work:
                space: {room: Work room, token: $WORK_BOT}
                network: {api_url: \(other.baseURL)}
                oauth: {client_id: work-client}
            """)
        let env = ["SPARK_SPACE_CONFIG": settings, "WORK_BOT": "work-bot-token"]

        // Signing in to the work profile talks to its API and stores its own sign-in.
        var r = try auth(["--profile", "work", "auth", "login", "--client-secret-file", secretFile], env: env)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(other.requests(method: "POST", pathPrefix: "/device/token").count, 1)
        XCTAssertNotNil(try stored("work"))
        XCTAssertNil(try stored("default"))

        // The profile's token, room and API; the environment variable selects it too.
        for select in [(["--profile", "work"], [String: String]()), ([], ["SPARK_SPACE_PROFILE": "work"])] {
            r = try auth(select.0 + ["walk-messages", "-o", "ndjson"], env: env.merging(select.1) { $1 })
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertEqual(try r.lines().map { $0["text"] as? String }, ["hello from work"])
            r = try auth(select.0 + ["whoami", "-o", "json"], env: env.merging(select.1) { $1 })
            let who = try r.json() as! [String: Any]
            XCTAssertEqual((who["bot"] as? [String: Any])?["displayName"] as? String, "Work Bot")
            XCTAssertEqual((who["audit"] as? [String: Any])?["displayName"] as? String, "Alice Audit")
        }
        // Without the profile: the top-level room on the first mock, with no sign-in there.
        r = try auth(["settings", "show", "--sources", "-o", "tsv"], env: env)
        XCTAssertTrue(r.stdout.contains("space.room\tHome room\tfile"), r.stdout)
        r = try auth(["--profile", "work", "settings", "show", "--sources", "-o", "tsv"], env: env)
        XCTAssertTrue(r.stdout.contains("space.room\tWork room\tprofile work"), r.stdout)
        XCTAssertTrue(r.stdout.contains("api_url\t\(other.baseURL)\tprofile work"), r.stdout)
        XCTAssertTrue(r.stdout.contains("space.audit_token\t***"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\tsign-in"), r.stdout)
        r = try auth(["--profile", "work", "settings", "show", "--sources", "--fields", "space.room", "-o", "tsv"], env: env)
        XCTAssertEqual(r.stdout, "space.room\tWork room\tprofile work\n", "the same source as the full listing")

        // An unknown profile: exit 2 with the closest name; the names are listed for completion.
        r = try auth(["--profile", "wrok", "whoami"], env: env)
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean 'work'?"), r.stderr)
        r = try auth(["settings", "profiles"], env: env)
        XCTAssertEqual(r.stdout, "work\n")
        // Secrets of the other mock too.
        for secret in other.issuedTokens {
            for (args, result) in runs {
                XCTAssertFalse(result.stdout.contains(secret) || result.stderr.contains(secret), "\(args)")
            }
        }
    }

    // MARK: Waits: the sign-in's requests go through the API client (one wait rule, --max-wait)

    func testThrottledTokenPollIsWaitedOutWithinMaxWaitAndSaidSo() throws {
        mock.oauth {
            $0.approveAfterPolls = 0
            $0.throttle = 1
            $0.throttledEndpoint = "/device/token"
        }
        let r = try login(["--max-wait", "30"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("POST /device/token 429"), r.stderr)
        XCTAssertTrue(r.stderr.contains("waiting 1 s (429 Retry-After), 29 s of --max-wait left"), r.stderr)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/device/token").count, 2, requestLines.description)
        XCTAssertNotNil(try stored())
        // No secret in the -v lines: the client secret, the device code, the tokens (tearDown too).
        XCTAssertFalse(r.stderr.contains("DEVICE-") || r.stderr.contains("Basic"), r.stderr)
    }

    func testThrottledAuthorizePastMaxWaitIsTheWaitExitCode() throws {
        mock.oauth {
            $0.throttle = 1
            $0.throttleRetryAfter = "120"
        }
        let r = try login(["--max-wait", "60"])
        XCTAssertEqual(r.code, 6, r.stderr)
        XCTAssertTrue(r.stderr.contains("spark-space: error: POST /device/authorize: gave up: the API asked to wait "
            + "120 s more (429), past --max-wait"), r.stderr)
        XCTAssertEqual(requestLines, ["POST /device/authorize"])
        XCTAssertNil(try stored())
    }

    func testThrottledRefreshSpendsTheCommandsMaxWait() throws {
        mock.oauth { $0.approveAfterPolls = 0 }
        XCTAssertEqual(try login().code, 0)
        mock.oauth {
            $0.throttle = 2
            $0.throttledEndpoint = "/access_token"
            $0.throttleRetryAfter = "20"
        }
        // Two waits of 20 s do not fit in 30: the first is taken and said, the second is past the budget.
        var r = try auth(["-v", "--max-wait", "30", "auth", "refresh"])
        XCTAssertEqual(r.code, 6, r.stderr)
        XCTAssertTrue(r.stderr.contains("waiting 20 s (429 Retry-After), 10 s of --max-wait left"), r.stderr)
        XCTAssertTrue(r.stderr.contains("spark-space: error: POST /access_token: gave up: the API asked to wait 20 s "
            + "more (429), past --max-wait"), r.stderr)
        XCTAssertEqual(mock.refreshCount, 0)
        mock.oauth { $0.throttle = 1 }
        r = try auth(["-v", "--max-wait", "30", "auth", "refresh"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("waiting 20 s (429 Retry-After), 10 s of --max-wait left"), r.stderr)
        XCTAssertEqual(mock.refreshCount, 1)
    }
}

/// Results gathered from concurrent runs.
private final class SignInRuns: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: RunResult?] = [:]

    func add(_ result: RunResult?, _ index: Int) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    var all: [RunResult?] {
        lock.lock()
        defer { lock.unlock() }
        return results.keys.sorted().map { results[$0]! }
    }
}
