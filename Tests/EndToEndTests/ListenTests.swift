import Foundation
import MockWebex
import SparkSpace
import SparkSpaceListen
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The binary running in the background (`listen`, `pull` without `--once`, a bulk
/// command read while it runs), both pipes drained while it runs.
final class BackgroundRun: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var out = Data(), err = Data()
    private let drained = DispatchGroup()
    /// When the first complete line arrived on stdout, and when the process was seen ended.
    private(set) var firstLineAt: Date?
    private(set) var ended: Date?

    init(_ arguments: [String], env: [String: String], stdin: String? = nil) throws {
        process.executableURL = binaryURL
        process.arguments = arguments
        var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory() + "spark-space-home-none",
                           "LANG": "C.UTF-8"]
        environment.merge(env) { _, new in new }
        process.environment = environment
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = stdin.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
            drained.enter()
            readOnThread(pipe.fileHandleForReading, chunk: { [self] chunk in
                lock.lock()
                if isOut { out.append(chunk) } else { err.append(chunk) }
                if isOut && firstLineAt == nil && chunk.contains(10) { firstLineAt = Date() }
                lock.unlock()
            }, ended: { [self] in drained.leave() })
        }
        try process.run()
    }

    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    /// Waits until `condition` holds (polling), false on timeout.
    @discardableResult
    func wait(timeout: TimeInterval = 20, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Sends `signal` (nil: none, it ends on its own) and waits for the exit; the
    /// process is killed after `timeout`.
    func stop(_ signal: Int32? = SIGTERM, timeout: TimeInterval = 20) -> Int32 {
        if let signal, process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        ended = Date()
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            drained.wait()
            return -1
        }
        process.waitUntilExit()
        drained.wait()
        return process.terminationStatus
    }

    /// stdout as NDJSON objects.
    func lines() throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// Issue 5: `listen`, fed by the test over loopback.
// Sendable for `concurrentPerform`: its helpers only read the mock and the listener, which lock.
final class ListenTests: MockTestCase, @unchecked Sendable {
    var listener: BackgroundRun?
    var port = 0
    private let clients = LoopbackHTTPClients()

    override func tearDown() {
        if let listener { _ = listener.stop(SIGKILL) }
        super.tearDown()
    }

    /// Starts `listen` on 127.0.0.1, any port, and reads the port from stderr.
    func startListen(_ extra: [String] = [], env more: [String: String] = [:]) throws {
        let run = try BackgroundRun(["listen", "--binding", "127.0.0.1", "--port", "0"] + extra,
                                    env: env.merging(more) { $1 })
        listener = run
        let prefix = "listening on http://127.0.0.1:"
        XCTAssertTrue(run.wait { run.stderr.contains(prefix) }, "listen did not start: \(run.stderr)")
        let rest = run.stderr.components(separatedBy: prefix).last ?? ""
        port = Int(rest.prefix { $0.isNumber }) ?? 0
        XCTAssertGreaterThan(port, 0, run.stderr)
    }

    /// POSTs `body` to the listener and returns the status (0 when no answer came within 30 s),
    /// over kept-alive connections as Webex's sender.
    func post(_ body: Data, path: String = "/hook", method: String = "POST", headers: [String: String] = [:]) -> Int {
        let client = clients.client(port: port)
        return client.send(method, path, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, body: body)
    }

    func delivery(name: String = "shellbot-messages", resource: String = "messages", event: String = "created",
                  data: [String: Any]) -> Data {
        let object: [String: Any] = [
            "id": "WEBHOOK-ID", "name": name, "targetUrl": "http://127.0.0.1/hook", "resource": resource,
            "event": event, "orgId": "ORG", "createdBy": mock.botId, "appId": "APP", "ownedBy": "creator",
            "status": "active", "actorId": data["personId"] ?? "", "data": data,
        ]
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    func messageDelivery(_ message: MockMessage, from personId: String, name: String = "shellbot-messages") -> Data {
        delivery(name: name, data: ["id": message.id, "roomId": message.roomId, "personId": personId,
                                    "personEmail": "x@example.com", "created": message.created])
    }

    func sign(_ body: Data, _ secret: String) -> String {
        WebhookSignature.sign([UInt8](body), secret: secret)  // checked against known vectors in SignatureTests
    }

    var alice: String { mock.auditId }

    // MARK: Tests

    func testSignaturesValidInvalidMissing() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let message = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hello bot",
                                      mentionedEmails: ["bot@example.com"])
        let other = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "forged")
        try startListen(["--secret", "topsecret-5678"])
        mock.clearRequests()

        let body = messageDelivery(message, from: alice)
        XCTAssertEqual(post(body, headers: ["X-Spark-Signature": sign(body, "topsecret-5678")]), 200)
        let forged = messageDelivery(other, from: alice)
        XCTAssertEqual(post(forged, headers: ["X-Spark-Signature": sign(forged, "wrong-secret")]), 401)
        XCTAssertEqual(post(forged, headers: ["X-Spark-Signature": sign(body, "topsecret-5678")]), 401)
        XCTAssertEqual(post(forged), 401)
        // Upper-case hex is the same signature.
        XCTAssertEqual(post(body, headers: ["X-Spark-Signature": sign(body, "topsecret-5678").uppercased()]), 200)

        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)
        let events = try listener!.lines()
        XCTAssertEqual(events.count, 2, listener!.stdout)
        for event in events {
            XCTAssertEqual(event["id"] as? String, message.id)
            XCTAssertEqual(event["type"] as? String, "message")
            XCTAssertEqual(event["hook"] as? String, "shellbot-messages")
            XCTAssertEqual(event["content"] as? String, "hello bot")
            XCTAssertEqual(event["from_id"] as? String, alice)
            XCTAssertEqual(event["from_label"] as? String, "alice@example.com")
            XCTAssertEqual(event["channel_id"] as? String, room.id)
            XCTAssertEqual(event["is_direct"] as? Bool, false)
            XCTAssertEqual(event["mentioned_ids"] as? [String], [mock.botId])
            XCTAssertEqual(event["stamp"] as? String, message.created)
        }
        // Only the signed deliveries were fetched, with the bot token.
        let fetches = mock.requests(method: "GET", pathPrefix: "/messages/")
        XCTAssertEqual(fetches.map(\.path), ["/messages/\(message.id)", "/messages/\(message.id)"])
        XCTAssertEqual(Set(fetches.compactMap(\.token)), ["bot-token"])
        XCTAssertEqual(listener!.stderr.components(separatedBy: "(401)").count - 1, 3, listener!.stderr)
        XCTAssertFalse(listener!.stderr.contains("topsecret-5678"))
    }

    func testSecretFromEnvironmentIsRequired() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let message = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hi")
        try startListen(env: ["SPARK_WEBHOOK_SECRET": "env-secret"])
        let body = messageDelivery(message, from: alice)
        XCTAssertEqual(post(body), 401)
        XCTAssertEqual(post(body, headers: ["X-Spark-Signature": sign(body, "env-secret")]), 200)
        XCTAssertEqual(listener!.stop(), 0)
        XCTAssertEqual(try listener!.lines().count, 1)
    }

    func testBotsOwnMessageIsDroppedExceptOnTheAuditHook() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let own = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "I said this")
        let fromAlice = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "audited")
        try startListen(["-v"], env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        mock.clearRequests()

        XCTAssertEqual(post(messageDelivery(own, from: mock.botId)), 200)
        XCTAssertEqual(post(messageDelivery(own, from: mock.botId, name: "shellbot-audit")), 200)
        XCTAssertEqual(post(messageDelivery(fromAlice, from: alice, name: "mybot-audit")), 200)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)

        let events = try listener!.lines()
        XCTAssertEqual(Set(events.map { "\($0["hook"]!) \($0["id"]!)" }),
                       ["shellbot-audit \(own.id)", "mybot-audit \(fromAlice.id)"], listener!.stdout)
        XCTAssertEqual(events.first { $0["id"] as? String == own.id }?["from_id"] as? String, mock.botId)
        // The bot's own message on the bot hook was not even fetched; the audit ones were, with the audit token.
        let fetches = mock.requests(method: "GET", pathPrefix: "/messages/")
        XCTAssertEqual(fetches.count, 2)
        XCTAssertEqual(Set(fetches.compactMap(\.token)), ["audit-token"])
        // -v logs the calls, never a token.
        XCTAssertTrue(listener!.stderr.contains("GET /messages/"), listener!.stderr)
        for token in ["bot-token", "audit-token"] {
            XCTAssertFalse(listener!.stderr.contains(token) || listener!.stdout.contains(token))
        }
    }

    func testJoinAndLeaveAndIgnoredEvents() throws {
        let room = mock.addRoom(title: "Ops")
        let membership: [String: Any] = [
            "id": "MEMBERSHIP-1", "roomId": room.id, "personId": alice, "personEmail": "alice@example.com",
            "personDisplayName": "Alice Audit", "isModerator": false, "isMonitor": false,
            "created": "2026-11-25T10:00:00.000Z",
        ]
        try startListen(["-v"])
        XCTAssertEqual(post(delivery(name: "shellbot-memberships", resource: "memberships", event: "created",
                                     data: membership)), 200)
        XCTAssertEqual(post(delivery(name: "shellbot-memberships", resource: "memberships", event: "deleted",
                                     data: membership)), 200)
        XCTAssertEqual(post(delivery(name: "shellbot-memberships", resource: "memberships", event: "updated",
                                     data: membership)), 200)
        XCTAssertEqual(post(delivery(resource: "rooms", event: "created", data: ["id": room.id])), 200)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)

        let events = try listener!.lines()
        XCTAssertEqual(events.count, 2, listener!.stdout)
        let byType = Dictionary(uniqueKeysWithValues: events.map { ($0["type"] as! String, $0) })
        for type in ["join", "leave"] {
            let event = try XCTUnwrap(byType[type])
            XCTAssertEqual(event["actor_id"] as? String, alice)
            XCTAssertEqual(event["actor_address"] as? String, "alice@example.com")
            XCTAssertEqual(event["actor_label"] as? String, "Alice Audit")
            XCTAssertEqual(event["channel_id"] as? String, room.id)
            XCTAssertEqual(event["stamp"] as? String, "2026-11-25T10:00:00.000Z")
            XCTAssertEqual(event["hook"] as? String, "shellbot-memberships")
            XCTAssertEqual(event["id"] as? String, "MEMBERSHIP-1")
        }
        XCTAssertTrue(listener!.stderr.contains("rooms/created"), listener!.stderr)
        XCTAssertTrue(listener!.stderr.contains("memberships/updated"), listener!.stderr)
    }

    /// `--fields` keeps those keys of every event type (a key a type lacks is left out); a key no
    /// event can have is exit 2 before the server starts or anything is sent.
    func testFieldsPickEventKeysAndAnUnknownOneIsExit2() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let message = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hello bot")
        let membership: [String: Any] = ["id": "MEMBERSHIP-1", "roomId": room.id, "personId": alice,
                                         "personEmail": "alice@example.com", "created": "2026-11-25T10:00:00.000Z"]
        try startListen(["--fields", "id,type,from_label"])
        XCTAssertEqual(post(messageDelivery(message, from: alice)), 200)
        XCTAssertTrue(listener!.wait { listener!.stdout.contains("\n") }, listener!.stderr)
        XCTAssertEqual(post(delivery(name: "shellbot-memberships", resource: "memberships", event: "created",
                                     data: membership)), 200)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)
        XCTAssertEqual(listener!.stdout,
                       "{\"from_label\":\"alice@example.com\",\"id\":\"\(message.id)\",\"type\":\"message\"}\n"
                       + "{\"id\":\"MEMBERSHIP-1\",\"type\":\"join\"}\n")

        mock.clearRequests()
        let r = try run(["listen", "--port", "0", "--fields", "type,nope"])
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("unknown field 'nope' for --fields; fields: type, content,"), r.stderr)
        XCTAssertTrue(r.stderr.contains("action_id"), r.stderr)
        XCTAssertTrue(mock.requests(pathPrefix: "/").isEmpty, "nothing sent")
    }

    func testMalformedOversizedAndStrayRequestsNeverCrashIt() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let message = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "still alive")
        try startListen()
        XCTAssertEqual(post(Data("not json".utf8)), 400)
        XCTAssertEqual(post(Data("[1, 2]".utf8)), 400)
        XCTAssertEqual(post(Data()), 400)
        XCTAssertEqual(post(Data("{\"data\": ".utf8)), 400)
        var big = Data("{\"data\": {\"id\": \"".utf8)
        big.append(Data(repeating: UInt8(ascii: "a"), count: 2 << 20))
        big.append(Data("\"}}".utf8))
        XCTAssertEqual(post(big), 413)
        XCTAssertEqual(post(messageDelivery(message, from: alice), path: "/elsewhere"), 404)
        XCTAssertEqual(post(Data(), method: "GET"), 405)
        XCTAssertEqual(post(delivery(data: [:])), 200)  // messages/created without an id: ignored
        XCTAssertEqual(post(delivery(data: ["id": "Y2lzY29zcGFyazovL3VzL01FU1NBR0UvbWlzc2luZw"])), 200)  // a 404 later
        XCTAssertEqual(post(messageDelivery(message, from: alice)), 200)
        XCTAssertTrue(listener!.process.isRunning)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)
        let events = try listener!.lines()
        XCTAssertEqual(events.map { $0["content"] as? String }, ["still alive"])
        XCTAssertTrue(listener!.stderr.contains("(413)"), listener!.stderr)
        XCTAssertTrue(listener!.stderr.contains("warning: delivery"), listener!.stderr)
    }

    func testHundredConcurrentDeliveriesAreAllPrintedBeforeExit() throws {
        let room = mock.addRoom(title: "Busy", members: ["alice@example.com"])
        let messages = (0..<100).map {
            mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "message \($0)")
        }
        // Slow fetches: many deliveries are still being handled when SIGTERM arrives.
        mock.inject(.delay(0.1), method: "GET", pathPrefix: "/messages/", times: 100)
        try startListen(["--secret", "s3"])
        let statuses = StatusList()
        DispatchQueue.concurrentPerform(iterations: messages.count) { i in
            let body = messageDelivery(messages[i], from: alice)
            statuses.add(post(body, headers: ["X-Spark-Signature": sign(body, "s3")]))
        }
        XCTAssertEqual(statuses.all, Array(repeating: 200, count: 100))
        XCTAssertEqual(listener!.stop(SIGTERM), 0, listener!.stderr)
        let events = try listener!.lines()
        XCTAssertEqual(events.count, 100)
        XCTAssertEqual(Set(events.compactMap { $0["id"] as? String }), Set(messages.map(\.id)))
    }

    func testSIGINTStopsCleanlyToo() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let message = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hi")
        mock.inject(.delay(0.5), method: "GET", pathPrefix: "/messages/")
        try startListen()
        XCTAssertEqual(post(messageDelivery(message, from: alice)), 200)
        XCTAssertEqual(listener!.stop(SIGINT), 130, "SPEC: Ctrl-C is 130 " + listener!.stderr)
        XCTAssertEqual(try listener!.lines().count, 1)
        XCTAssertFalse(listener!.stderr.contains("error"), listener!.stderr)
    }

    /// SPEC `listen --hook PATH` (default `server.hook`): deliveries are taken on that path only.
    func testHookPathFromTheFlagAndFromSettings() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let message = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hi")
        try startListen(["--hook", "/custom/path"])
        XCTAssertEqual(post(messageDelivery(message, from: alice)), 404)
        XCTAssertEqual(post(messageDelivery(message, from: alice), path: "/custom/path"), 200)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)
        XCTAssertEqual(try listener!.lines().map { $0["id"] as? String }, [message.id])

        let settings = try writeFile("s.yaml", "server:\n  hook: /from-settings\n")
        try startListen(["-c", settings])
        XCTAssertTrue(listener!.stderr.contains("/from-settings"), listener!.stderr)
        XCTAssertEqual(post(messageDelivery(message, from: alice), path: "/from-settings"), 200)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)
        XCTAssertEqual(try listener!.lines().count, 1)
    }

    func testAttachmentNameInMessageEvents() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let url = mock.addContent(filename: "report 2026.pdf", contentType: "application/pdf", data: Data("%PDF".utf8))
        let message = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "see file", files: [url])
        try startListen()
        XCTAssertEqual(post(messageDelivery(message, from: alice)), 200)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)
        let event = try XCTUnwrap(try listener!.lines().first)
        XCTAssertEqual(event["url"] as? String, url)
        XCTAssertEqual(event["attachment"] as? String, "report 2026.pdf")
    }

    /// Issue 24: a listener's webhooks are its own set (`listen-HOST-PID`): another deployment's
    /// `shellbot-*` hooks and their neighbours are never replaced, and exactly that set goes on exit.
    func testRegisterCreatesASetOfItsOwnAndDeletesExactlyThatOnExit() throws {
        for signal in [SIGTERM, SIGINT] {
            mock.addWebhook(token: "audit-token", name: "alice-personal")
            let others = ["shellbot-memberships", "shellbot-messages", "shellbot-dev-messages", "shellbot2-messages",
                          "prod-integration"].map { mock.addWebhook(token: "bot-token", name: $0) }
            let audited = mock.addWebhook(token: "audit-token", name: "shellbot-audit")
            try startListen(["--register", "https://bot.example.com/hook", "--secret", "sec-1234"],
                            env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
            XCTAssertTrue(listener!.wait { self.listener!.stderr.contains("registered") }, listener!.stderr)
            let prefix = "listen-"
            let pid = listener!.process.processIdentifier
            let own = mock.webhooks(token: "bot-token").compactMap { $0["name"] as? String }.filter { $0.hasPrefix(prefix) }
            XCTAssertEqual(own.count, 2, listener!.stderr)
            XCTAssertTrue(own.allSatisfy { $0.hasSuffix("-\(pid)-memberships") || $0.hasSuffix("-\(pid)-messages") }, "\(own)")
            XCTAssertTrue(mock.webhooks(token: "audit-token").contains { ($0["name"] as! String).hasSuffix("-\(pid)-audit") })
            XCTAssertEqual(mock.webhooks(token: "bot-token").count, 7)
            XCTAssertFalse(listener!.stderr.contains("deleted webhook"), listener!.stderr)
            XCTAssertEqual(listener!.stop(signal), signal == SIGINT ? 130 : 0, listener!.stderr)
            // Exactly its own set went, each said on stderr; everything else is as it was.
            XCTAssertEqual(Set(mock.webhooks(token: "bot-token").compactMap { $0["id"] as? String }), Set(others))
            XCTAssertEqual(Set(mock.webhooks(token: "audit-token").map { $0["name"] as! String }),
                           ["alice-personal", "shellbot-audit"])
            XCTAssertTrue(mock.webhooks(token: "audit-token").contains { $0["id"] as? String == audited })
            XCTAssertEqual(listener!.stderr.components(separatedBy: "deleted webhook 'listen-").count, 4, listener!.stderr)
            listener = nil
            mock.stop()
            mock = MockWebexServer()
            try mock.start()
        }
    }

    /// Issue 24 / SPEC "Output": `listen` honours `-o` event by event (NDJSON only by default).
    func testOutputFormatIsHonouredEventByEvent() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let first = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "one\nmore")
        let second = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "two")
        try startListen(["-o", "tsv"])
        XCTAssertEqual(post(messageDelivery(first, from: alice)), 200)
        // The first event is printed before the second delivery arrives: line by line.
        XCTAssertTrue(listener!.wait { self.listener!.stdout.contains("\tone\t") }, listener!.stdout)
        XCTAssertEqual(post(messageDelivery(second, from: alice)), 200)
        XCTAssertTrue(listener!.wait { self.listener!.stdout.contains("\ttwo\t") }, listener!.stdout)
        XCTAssertEqual(listener!.stop(), 0, listener!.stderr)
        let rows = listener!.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.map(\.count), [4, 4], listener!.stdout)
        XCTAssertEqual(rows.map { $0.count == 4 ? String($0[3]) : "" }, [first.id, second.id])
    }

    func testBadPortAndBusyPortAreErrors() throws {
        var r = try run(["listen", "--port", "70000"])
        XCTAssertEqual(r.code, 2, r.stderr)
        try startListen()
        r = try run(["listen", "--binding", "127.0.0.1", "--port", String(port)])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: cannot listen"), r.stderr)
        XCTAssertTrue(r.stderr.contains("the port is in use") && !r.stderr.contains("errno"), r.stderr)
    }
}

/// Statuses collected from several threads.
final class StatusList: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func add(_ value: Int) { lock.lock(); values.append(value); lock.unlock() }
    var all: [Int] { lock.lock(); defer { lock.unlock() }; return values }
}
