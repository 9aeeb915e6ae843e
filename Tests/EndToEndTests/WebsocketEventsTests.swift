import Foundation
import MockWebex
import XCTest

/// `listen --websocket`, `wait` and `post --card --wait` against the mock's catalog, device
/// service and websocket (issue 26).
final class WebsocketEventsTests: MockTestCase {
    private var room: MockRoom!

    override func setUpWithError() throws {
        try super.setUpWithError()
        room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
    }

    override var env: [String: String] {
        super.env.merging(["SPARK_U2C_URL": mock.u2cURL]) { $1 }
    }

    // MARK: Helpers

    /// A REST write as someone (alice: `audit-token`); the parsed JSON answer.
    @discardableResult
    private func rest(_ method: String, _ path: String, token: String = "audit-token", json: String? = nil,
                      file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let reply = try TestSocket.http(port: mock.port, method, "/v1/" + path, token: token, json: json)
        XCTAssertTrue((200..<300).contains(reply.status), "\(method) \(path): \(reply.status) \(reply.body)",
                      file: file, line: line)
        return reply.body.isEmpty ? [:] : reply.json
    }

    private func postMessage(_ text: String, token: String = "audit-token", parent: String? = nil,
                             card: Bool = false) throws -> String {
        var body = #"{"roomId":"\#(room.id)","text":"\#(text)""#
        if let parent { body += #","parentId":"\#(parent)""# }
        if card {
            body += #","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version":"1.2","body":[],"actions":[{"type":"Action.Submit","title":"OK"}]}}]"#
        }
        return try XCTUnwrap(try rest("POST", "messages", token: token, json: body + "}")["id"] as? String)
    }

    private func submit(card messageId: String, answer: String, token: String = "audit-token") throws {
        try rest("POST", "attachment/actions", token: token,
                 json: #"{"type":"submit","messageId":"\#(messageId)","inputs":{"answer":"\#(answer)"}}"#)
    }

    private func start(_ arguments: [String], env extra: [String: String] = [:], closedStdout: Bool = false) throws
        -> Spawned {
        // Reconnects wait 0.1 s instead of 1 s (a test hook), so the reconnecting tests take no idle seconds.
        let hooks = ["SPARK_SPACE_TEST_BACKOFF": "0.1"]
        let spawned = try Spawned(arguments, env: env.merging(hooks) { $1 }.merging(extra) { $1 },
                                  closedStdout: closedStdout)
        addTeardownBlock { spawned.kill() }
        return spawned
    }

    /// Starts a listener and waits until its socket is ready.
    private func listener(_ extra: [String] = [], env more: [String: String] = [:]) throws -> Spawned {
        let listener = try start(["listen", "--websocket"] + extra, env: more)
        XCTAssertTrue(listener.waitForStderr("websocket ready"), listener.stderr)
        return listener
    }

    private func liveDevices() -> [MockDevice] { mock.devices(token: "bot-token").filter(\.live) }

    // MARK: listen --websocket

    func testEveryActivityKindBecomesItsEvent() throws {
        let listener = try listener()
        _ = try postMessage("from the bot itself", token: "bot-token")  // dropped: the bot's own
        let first = try postMessage("hello")
        let reply = try postMessage("a reply", parent: first)
        // Messages are fetched over REST when their activity comes: edit only once they are out.
        XCTAssertEqual(listener.waitForLines(2).count, 2, listener.stderr)
        try rest("PUT", "messages/\(first)", json: #"{"roomId":"\#(room.id)","text":"hello, edited"}"#)
        try rest("DELETE", "messages/\(reply)")
        let carol = mock.addPerson(email: "carol@example.com", displayName: "Carol", token: "carol-token")
        let membership = try rest("POST", "memberships", token: "bot-token",
                                  json: #"{"roomId":"\#(room.id)","personEmail":"carol@example.com"}"#)
        let membershipId = try XCTUnwrap(membership["id"] as? String)
        try rest("PUT", "memberships/\(membershipId)", token: "bot-token", json: #"{"isModerator":true}"#)
        try rest("DELETE", "memberships/\(membershipId)", token: "bot-token")
        let card = try postMessage("approve?", token: "bot-token", card: true)
        try submit(card: card, answer: "yes")

        let events = listener.waitForLines(8)
        XCTAssertEqual(events.map { $0["type"] as? String }, ["message", "message", "edit", "delete", "join",
                                                              "moderator", "leave", "card"], listener.stderr)
        guard events.count == 8 else { return }
        XCTAssertTrue(events.allSatisfy { $0["hook"] as? String == "websocket" })
        XCTAssertEqual(events[0]["id"] as? String, first)
        XCTAssertEqual(events[0]["content"] as? String, "hello")
        XCTAssertEqual(events[0]["from_label"] as? String, "alice@example.com")
        XCTAssertEqual(events[0]["channel_id"] as? String, room.id)
        XCTAssertEqual(events[1]["parent_id"] as? String, first)
        XCTAssertEqual(events[2]["text"] as? String, "hello, edited")
        XCTAssertNotNil(events[2]["updated"])
        XCTAssertEqual(events[3]["message_id"] as? String, reply)
        XCTAssertEqual(events[3]["channel_id"] as? String, room.id)
        XCTAssertEqual(events[3]["actor_id"] as? String, mock.auditId)
        XCTAssertEqual(events[4]["actor_address"] as? String, "carol@example.com")
        XCTAssertEqual(events[4]["actor_id"] as? String, carol.id)
        XCTAssertEqual(events[4]["channel_id"] as? String, room.id)
        XCTAssertEqual(events[5]["is_moderator"] as? Bool, true)
        XCTAssertEqual(events[5]["actor_id"] as? String, carol.id)
        XCTAssertEqual(events[6]["actor_address"] as? String, "carol@example.com")
        XCTAssertEqual(events[7]["message_id"] as? String, card)
        XCTAssertEqual((events[7]["inputs"] as? [String: Any])?["answer"] as? String, "yes")
        XCTAssertEqual(events[7]["actor_id"] as? String, mock.auditId)
        XCTAssertFalse(listener.stdout.contains("from the bot itself"))
        XCTAssertGreaterThanOrEqual(mock.socketAcks.count, 9, "every frame is acknowledged")

        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0, listener.stderr)
        XCTAssertEqual(liveDevices().count, 0, "the device is deleted on SIGTERM")
        XCTAssertEqual(mock.deletedDevices.count, 1)
    }

    func testIncludeSelfRoomAndTypeFilters() throws {
        let other = mock.addRoom(title: "Elsewhere", members: ["alice@example.com"])
        let listener = try listener(["--room", "Ops", "--type", "message", "--include-self", "--count", "2"])
        _ = try rest("POST", "messages", json: #"{"roomId":"\#(other.id)","text":"other room"}"#)
        let join = mock.addPerson(email: "dan@example.com", displayName: "Dan", token: nil)
        _ = join
        try rest("POST", "memberships", token: "bot-token", json: #"{"roomId":"\#(room.id)","personEmail":"dan@example.com"}"#)
        _ = try postMessage("mine", token: "bot-token")
        _ = try postMessage("theirs")
        XCTAssertEqual(listener.waitForExit(), 0, "--count 2 ends it: \(listener.stderr)")
        let lines = listener.lines
        XCTAssertEqual(lines.map { $0["text"] as? String }, ["mine", "theirs"])
        XCTAssertEqual(liveDevices().count, 0, "the device is deleted after --count")
    }

    func testReconnectsAfterADroppedSocketAndAfterCloseCodes() throws {
        let listener = try listener()
        let actions: [() -> Int] = [{ self.mock.dropSocket() }, { self.mock.closeSocket(code: 1011) },
                                    { self.mock.closeSocket(code: 4404) }]
        for (n, action) in actions.enumerated() {
            XCTAssertEqual(action(), 1)
            XCTAssertTrue(listener.waitForStderr("websocket back after", count: n + 1), listener.stderr)
            XCTAssertTrue(mock.waitForSocket())
            _ = try postMessage("after reconnect \(n)")
            XCTAssertEqual(listener.waitForLines(n + 1).last?["text"] as? String, "after reconnect \(n)", listener.stderr)
        }
        XCTAssertTrue(listener.stderr.contains("websocket lost"), listener.stderr)
        XCTAssertTrue(listener.stderr.contains("events in that gap were not delivered to it and are lost"))
        XCTAssertTrue(listener.stderr.contains("registered a new device"), "4404: \(listener.stderr)")
        XCTAssertEqual(liveDevices().count, 1, "the expired device was replaced, not added to")
        listener.signal(SIGINT)
        XCTAssertEqual(listener.waitForExit(), 130, listener.stderr)
        XCTAssertEqual(liveDevices().count, 0, "the device is deleted on Ctrl-C")
    }

    func testCloseCodesThatEndTheListener() throws {
        for (code, exit, words) in [(4000, Int32(1), "another client took over"), (4401, 3, "token was not accepted"),
                                    (4403, 3, "not authorized"), (4400, 3, "not authorized")] {
            let listener = try listener()
            XCTAssertEqual(mock.closeSocket(code: code), 1)
            XCTAssertEqual(listener.waitForExit(), exit, "\(code): \(listener.stderr)")
            XCTAssertTrue(listener.stderr.contains(words), "\(code): \(listener.stderr)")
            XCTAssertEqual(liveDevices().count, 0, "\(code): the device is deleted")
        }
    }

    func testAnExpiredDeviceIsRegisteredAgainOnRefresh() throws {
        let listener = try listener(env: ["SPARK_SPACE_TEST_MERCURY": "15,14,0.5"])
        let first = try XCTUnwrap(liveDevices().first)
        mock.expireDevice(first.id)
        XCTAssertTrue(listener.waitForStderr("registered a new device"), listener.stderr)
        XCTAssertTrue(listener.waitForStderr("websocket back after"), listener.stderr)
        XCTAssertTrue(mock.waitForSocket())
        _ = try postMessage("on the new device")
        XCTAssertEqual(listener.waitForLines(1).first?["text"] as? String, "on the new device")
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0)
        XCTAssertEqual(liveDevices().count, 0)
    }

    /// A device service that fails for a while (5xx on refresh) does not end the listener.
    func testADeviceServiceOutageIsWaitedOut() throws {
        let settings = try writeFile("s.yaml", "network:\n  retry_delays: [0]\n")
        let listener = try listener(env: ["SPARK_SPACE_TEST_MERCURY": "15,14,0.3", "SPARK_SPACE_CONFIG": settings])
        mock.inject(.status(503), method: "PUT", pathPrefix: "/wdm/api/v1/devices/", times: 6)
        XCTAssertTrue(listener.waitForStderr("device refresh failed"), listener.stderr)
        XCTAssertTrue(listener.stderr.contains("503"), listener.stderr)
        XCTAssertFalse(listener.stderr.contains("websocket lost"), "the socket itself was fine: \(listener.stderr)")
        _ = try postMessage("after the outage")
        XCTAssertEqual(listener.waitForLines(1).first?["text"] as? String, "after the outage", listener.stderr)
        let end = Date().addingTimeInterval(10)
        while mock.deviceRefreshes == 0 && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertGreaterThan(mock.deviceRefreshes, 0, "refreshes again once the service is back: \(listener.stderr)")
        XCTAssertTrue(listener.isRunning)
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0, listener.stderr)
        XCTAssertEqual(liveDevices().count, 0)
    }

    func testASilentServerIsDetectedByThePongTimeout() throws {
        let listener = try listener(env: ["SPARK_SPACE_TEST_MERCURY": "0.3,0.5,900"])
        mock.silentPongs = true
        XCTAssertTrue(listener.waitForStderr("no pong within"), listener.stderr)
        mock.silentPongs = false
        XCTAssertTrue(listener.waitForStderr("websocket back after"), listener.stderr)
        XCTAssertGreaterThanOrEqual(mock.socketPings, 1)
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0)
    }

    /// A server that sends garbage, malformed or oversized frames: the listener closes that socket,
    /// says why, reconnects and goes on; it never crashes.
    func testGarbageFramesFromTheServerEndOnlyThatSocket() throws {
        let listener = try listener(env: ["SPARK_SPACE_TEST_MERCURY": "0.3,0.5,900"])
        var rng = SystemRandomNumberGenerator()
        let planted: [[UInt8]] = [
            [0x81, 0x85, 1, 2, 3, 4, 0x41, 0x41, 0x41, 0x41, 0x41],  // masked by the server
            [0xF1, 0x00],  // reserved bits
            [0x82, 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],  // an 8 EB frame
            [0x80, 0x01, 0x41],  // a continuation out of nowhere
            [0x81, 0x02, 0xC3, 0x28],  // text that is not UTF-8
            Array("{\"not\": \"a frame\"}".utf8),
        ]
        for round in 0..<12 {
            let bytes = round < planted.count ? planted[round]
                : (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            mock.sendRawFrame(bytes: bytes)
            Thread.sleep(forTimeInterval: 0.15)
            XCTAssertTrue(mock.waitForSocket(timeout: 15), "round \(round): \(listener.stderr)")
        }
        XCTAssertTrue(listener.stderr.contains("websocket protocol error"), listener.stderr)
        // The last garbage may still be ending a socket the mock counts as connected (a partial
        // frame waits for its pong timeout): what is posted in that gap is lost, as SPEC says.
        // The listener goes on: a message posted once it is back is printed.
        var printed: [String] = []
        for attempt in 0..<8 where !printed.contains(where: { $0.hasPrefix("still here") }) {
            XCTAssertTrue(mock.waitForSocket())
            _ = try postMessage("still here \(attempt)")
            printed = listener.waitForLines(1, timeout: 3).compactMap { $0["text"] as? String }
        }
        XCTAssertTrue(printed.contains { $0.hasPrefix("still here") }, listener.stderr)
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0, listener.stderr)
        XCTAssertEqual(liveDevices().count, 0)
    }

    func testASequenceGapIsSaidWithItsCount() throws {
        let listener = try listener()
        mock.skipSequenceNumbers(3)
        _ = try postMessage("after the gap")
        XCTAssertEqual(listener.waitForLines(1).first?["text"] as? String, "after the gap")
        XCTAssertTrue(listener.waitForStderr("3 frames missed"), listener.stderr)
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0)
    }

    func testAClosedStdoutEndsItAndDeletesTheDevice() throws {
        let listener = try start(["listen", "--websocket"], env: [:], closedStdout: true)
        XCTAssertTrue(listener.waitForStderr("websocket ready"), listener.stderr)
        _ = try postMessage("nobody reads this")
        XCTAssertEqual(listener.waitForExit(), 0, listener.stderr)
        XCTAssertEqual(liveDevices().count, 0)
    }

    func testTheDeviceCapIsExitOneNamingTheCauseAndPruneDevicesMakesRoom() throws {
        mock.deviceCap = 1
        let leaked = try XCTUnwrap(try TestSocket.http(
            port: mock.port, "POST", "/wdm/api/v1/devices", token: "bot-token",
            json: #"{"deviceName":"spark-space on old","deviceType":"DESKTOP","localizedModel":"spark-space","model":"spark-space","name":"spark-space on old","systemName":"spark-space","systemVersion":"1","ttl":1800}"#).json["url"] as? String)
        let refused = try run(["listen", "--websocket"])
        XCTAssertEqual(refused.code, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("excessive device registrations"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--prune-devices"), refused.stderr)
        // Another program's device whose name only begins the same is not spark-space's: it stays.
        mock.deviceCap = 3
        let other = try XCTUnwrap(try TestSocket.http(
            port: mock.port, "POST", "/wdm/api/v1/devices", token: "bot-token",
            json: #"{"deviceName":"spark-spacex","deviceType":"DESKTOP","localizedModel":"x","model":"x","name":"spark-spacex","systemName":"x","systemVersion":"1","ttl":1800}"#).json["url"] as? String)
        let listener = try listener(["--prune-devices"])
        XCTAssertTrue(listener.stderr.contains(leaked), listener.stderr)
        XCTAssertFalse(listener.stderr.contains(other), listener.stderr)
        listener.signal(SIGTERM)
        XCTAssertEqual(listener.waitForExit(), 0)
        XCTAssertEqual(liveDevices().map(\.url), [other])
    }

    func testWebhookFlagsAndWebsocketFlagsDoNotMix() throws {
        let r = try run(["listen", "--websocket", "--port", "0"])
        XCTAssertEqual(r.code, 2, r.stderr)
        let s = try run(["listen", "--count", "1"])
        XCTAssertEqual(s.code, 2, s.stderr)
        XCTAssertTrue(s.stderr.contains("--count goes with --websocket"), s.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    // MARK: wait and post --wait

    func testWaitCardPrintsTheFirstSubmissionByAnotherPerson() throws {
        let card = try postMessage("approve?", token: "bot-token", card: true)
        let waiter = try start(["wait", "--card", card, "--within", "20s"])
        XCTAssertTrue(waiter.waitForStderr("websocket ready"), waiter.stderr)
        try submit(card: card, answer: "go")
        XCTAssertEqual(waiter.waitForExit(), 0, waiter.stderr)
        let lines = waiter.lines
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?["type"] as? String, "card")
        XCTAssertEqual((lines.first?["inputs"] as? [String: Any])?["answer"] as? String, "go")
        XCTAssertEqual(liveDevices().count, 0)
    }

    /// A CI step cancelled (SIGTERM) is not an answer: `wait` and `post --wait` exit 143 with
    /// nothing on stdout (a listener's SIGTERM is its clean stop, 0), and the device is deleted.
    func testSIGTERMIsNotAnAnswerForWaitOrPostWait() throws {
        let card = try postMessage("approve?", token: "bot-token", card: true)
        let cardFile = try writeFile("card.json", #"{"type":"AdaptiveCard","version":"1.2","body":[],"actions":[{"type":"Action.Submit","title":"OK"}]}"#)
        for (arguments, ready) in [(["wait", "--card", card, "--within", "1h"], "websocket ready"),
                                   (["post", "Ops", "--card", cardFile, "--text", "deploy?", "--wait", "--within", "1h"],
                                    "waiting for the card")] {
            let waiter = try start(arguments)
            XCTAssertTrue(waiter.waitForStderr(ready), waiter.stderr)
            waiter.signal(SIGTERM)
            XCTAssertEqual(waiter.waitForExit(), 143, "\(arguments): \(waiter.stderr)")
            XCTAssertEqual(waiter.stdout, "", "\(arguments)")
            XCTAssertEqual(liveDevices().count, 0)
        }
    }

    func testWaitWithinPassedIsExitEightWithNothingOnStdout() throws {
        let card = try postMessage("approve?", token: "bot-token", card: true)
        let r = try run(["wait", "--card", card, "--within", "1s"])
        XCTAssertEqual(r.code, 8, r.stderr)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(liveDevices().count, 0, "the device is deleted when --within passes")
        XCTAssertEqual(mock.deletedDevices.count, 1)
    }

    func testWaitReplyToFindsAReplyThatCameBeforeTheSocket() throws {
        let question = try postMessage("deploy?", token: "bot-token")
        // A bot may list only the replies that mention it in a group room (Webex's 403): those are looked at.
        try rest("POST", "messages", json: #"{"roomId":"\#(room.id)","parentId":"\#(question)","markdown":"<@personEmail:bot@example.com> no"}"#)
        try rest("POST", "messages", json: #"{"roomId":"\#(room.id)","parentId":"\#(question)","markdown":"<@personEmail:bot@example.com> ok go"}"#)
        let r = try run(["wait", "--reply-to", question, "--match", "ok go$", "--from", "alice@example.com",
                         "--within", "20s"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let line = try XCTUnwrap(r.lines().first)
        XCTAssertTrue((line["text"] as? String ?? "").hasSuffix("ok go"), r.stdout)
        XCTAssertEqual(line["parent_id"] as? String, question)
        XCTAssertEqual(liveDevices().count, 0)
    }

    func testWaitReplyToWaitsForAMatchingReplyOverTheSocket() throws {
        let question = try postMessage("deploy?", token: "bot-token")
        let waiter = try start(["wait", "--reply-to", question, "--match", "^(ok|go)\\b", "--within", "20s"])
        XCTAssertTrue(waiter.waitForStderr("websocket ready"), waiter.stderr)
        _ = try postMessage("not yet", parent: question)
        _ = try postMessage("reply from the bot", token: "bot-token", parent: question)
        _ = try postMessage("go ahead", parent: question)
        XCTAssertEqual(waiter.waitForExit(), 0, waiter.stderr)
        XCTAssertEqual(waiter.lines.map { $0["text"] as? String }, ["go ahead"])
        XCTAssertEqual(liveDevices().count, 0)
    }

    func testPostCardWaitConnectsFirstThenPrintsTheSubmission() throws {
        let cardFile = try writeFile("card.json", #"{"type":"AdaptiveCard","version":"1.2","body":[],"actions":[{"type":"Action.Submit","title":"OK"}]}"#)
        let poster = try start(["post", "Ops", "--card", cardFile, "--text", "Deploy 42?", "--wait", "--within", "20s"])
        XCTAssertTrue(poster.waitForStderr("waiting for the card"), poster.stderr)
        let posted = try XCTUnwrap(mock.messages(roomId: room.id).compactMap { $0["id"] as? String }.last)
        try submit(card: posted, answer: "approved")
        XCTAssertEqual(poster.waitForExit(), 0, poster.stderr)
        let lines = poster.lines
        XCTAssertEqual(lines.count, 1, poster.stdout)
        XCTAssertEqual(lines.first?["type"] as? String, "card")
        XCTAssertEqual(lines.first?["message_id"] as? String, posted)
        XCTAssertEqual((lines.first?["inputs"] as? [String: Any])?["answer"] as? String, "approved")
        XCTAssertEqual(liveDevices().count, 0)

        let late = try run(["post", "Ops", "--card", cardFile, "--text", "again?", "--wait", "--within", "1s"])
        XCTAssertEqual(late.code, 8, late.stderr)
        XCTAssertEqual(late.stdout, "")
        XCTAssertEqual(liveDevices().count, 0)
    }

    /// A submission that comes before the post's own answer (a slow or retried response, an
    /// automated submitter) is not lost: it is kept until the message's id is known.
    func testPostCardWaitSeesASubmissionThatCameBeforeThePostAnswered() throws {
        let cardFile = try writeFile("card.json", #"{"type":"AdaptiveCard","version":"1.2","body":[],"actions":[{"type":"Action.Submit","title":"OK"}]}"#)
        mock.inject(.delay(2), method: "POST", pathPrefix: "/messages", times: 1)
        let before = mock.messages(roomId: room.id).count
        let poster = try start(["post", "Ops", "--card", cardFile, "--text", "Deploy 43?", "--wait", "--within", "20s"])
        let deadline = Date().addingTimeInterval(10)
        while mock.messages(roomId: room.id).count == before && Date() < deadline { usleep(10_000) }
        let posted = try XCTUnwrap(mock.messages(roomId: room.id).compactMap { $0["id"] as? String }.last)
        try submit(card: posted, answer: "early")
        XCTAssertFalse(poster.stderr.contains("waiting for the card"), "the post had not answered yet")
        XCTAssertEqual(poster.waitForExit(), 0, poster.stderr)
        XCTAssertEqual((poster.lines.first?["inputs"] as? [String: Any])?["answer"] as? String, "early")
        XCTAssertEqual(liveDevices().count, 0)
    }

    func testWaitUsageErrors() throws {
        for args in [["wait"], ["wait", "--card", "x"], ["wait", "--card", room.id, "--within", "soon"],
                     ["post", "Ops", "--text", "t", "--wait"], ["post", "Ops", "--text", "t", "--within", "1m"]] {
            let r = try run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
        }
    }
}

/// A spawned `spark-space` whose stdout and stderr are read while it runs.
final class Spawned: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var out = Data(), err = Data()

    init(_ arguments: [String], env: [String: String], closedStdout: Bool = false) throws {
        process.executableURL = binaryURL
        process.arguments = arguments
        var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory() + "spark-space-home-none",
                           "LANG": "C.UTF-8"]
        environment.merge(env) { $1 }
        process.environment = environment
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        drain(errPipe.fileHandleForReading, isOut: false)
        if !closedStdout { drain(outPipe.fileHandleForReading, isOut: true) }
        try process.run()
        if closedStdout {
            try outPipe.fileHandleForReading.close()
            try? outPipe.fileHandleForWriting.close()
        }
    }

    private func drain(_ handle: FileHandle, isOut: Bool) {
        readOnThread(handle) { [self] chunk in
            lock.lock()
            if isOut { out.append(chunk) } else { err.append(chunk) }
            lock.unlock()
        }
    }

    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    var lines: [[String: Any]] {
        stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Waits until stderr holds `text` `count` times; false after `timeout`.
    func waitForStderr(_ text: String, count: Int = 1, timeout: TimeInterval = 20) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if stderr.components(separatedBy: text).count - 1 >= count { return true }
            if !process.isRunning { return stderr.components(separatedBy: text).count - 1 >= count }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// Waits until `count` JSON lines are out (or `timeout`); returns the lines.
    func waitForLines(_ count: Int, timeout: TimeInterval = 20) -> [[String: Any]] {
        let end = Date().addingTimeInterval(timeout)
        while lines.count < count && Date() < end && process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        return lines
    }

    func signal(_ number: Int32) { Foundation.kill(process.processIdentifier, number) }

    var isRunning: Bool { process.isRunning }

    /// The exit status (or -1 when still running after `timeout`).
    func waitForExit(timeout: TimeInterval = 20) -> Int32 {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        guard !process.isRunning else { return -1 }
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.05)  // the readers take the last bytes
        return process.terminationStatus
    }

    func kill() { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }
}
