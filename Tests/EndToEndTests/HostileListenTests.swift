import Foundation
import MockWebex
import SparkSpace
import SparkSpaceListen
import XCTest

/// Issue 12: hostile clients of `listen`: slow senders, too many connections, forged
/// signatures, unsigned deliveries whose id is a path, names that are escape sequences.
final class HostileListenTests: MockTestCase {
    private var receivers: [WebhookReceiver] = []
    private var listener: BackgroundRun?

    override func tearDown() {
        receivers.forEach { $0.stop() }
        if let listener { _ = listener.stop(SIGKILL) }
        super.tearDown()
    }

    /// A receiver in this process on 127.0.0.1, any port; returns the port.
    private func startReceiver(secret: String? = nil, headTimeout: Double = 10, bodyTimeout: Double = 10,
                               maxConnections: Int = 128)
        throws -> Int
    {
        let receiver = WebhookReceiver(
            configuration: .init(host: "127.0.0.1", port: 0, path: "/hook", secret: secret,
                                 headTimeout: headTimeout, bodyTimeout: bodyTimeout, maxConnections: maxConnections),
            onDelivery: { _ in })
        receivers.append(receiver)
        return try receiver.start()
    }

    private func startListen(_ extra: [String] = []) throws -> Int {
        let run = try BackgroundRun(["listen", "--binding", "127.0.0.1", "--port", "0"] + extra, env: env)
        listener = run
        let prefix = "listening on http://127.0.0.1:"
        XCTAssertTrue(run.wait { run.stderr.contains(prefix) }, "listen did not start: \(run.stderr)")
        return Int(run.stderr.components(separatedBy: prefix).last?.prefix { $0.isNumber } ?? "") ?? 0
    }

    // MARK: Slow and many clients

    func testARequestNotFinishedInTimeIsDropped() throws {
        let port = try startReceiver(headTimeout: 1, bodyTimeout: 1)
        let client = try RawClient(port: port)
        defer { client.close() }
        client.send("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" + String(repeating: "a", count: 1000))
        // The server closes it (end of stream), long before this read gives up after 15 s.
        XCTAssertEqual(client.readUntilClosed(timeout: 15), .closed)
    }

    /// Issue 25: at the cap a new connection closes the oldest one still sending its request.
    func testAtTheCapANewConnectionEvictsTheOldestStillSending() throws {
        let port = try startReceiver(maxConnections: 4)
        let receiver = receivers.last!
        // One at a time, each counted in before the next connects: connections accepted together
        // are admitted on several event loops, in no fixed order.
        var held: [RawClient] = []
        defer { held.forEach { $0.close() } }
        for count in 1...4 {
            let client = try RawClient(port: port)
            held.append(client)
            let deadline = Date().addingTimeInterval(5)
            while receiver.openConnections < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
            XCTAssertEqual(receiver.openConnections, count)
            client.send("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
        }
        let extra = try RawClient(port: port)
        defer { extra.close() }
        extra.send("POST /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
        XCTAssertEqual(extra.readUntilClosed(timeout: 10), .closed)
        XCTAssertTrue(extra.received.hasPrefix("HTTP/1.1 200"), "the new connection is served: \(extra.received)")
        let started = Date()
        XCTAssertEqual(held[0].readUntilClosed(timeout: 5), .closed, "the oldest one still sending is closed")
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "closed to make room, not by its timeout")
        XCTAssertEqual(held[0].received, "")
    }

    /// Issue 25: 128 idle sockets (the default cap) do not keep a signed delivery out.
    func testIdleSocketsAtTheCapDoNotKeepADeliveryOut() throws {
        let port = try startReceiver(secret: "s3cret")
        let idle = try (0..<128).map { _ in try RawClient(port: port) }
        defer { idle.forEach { $0.close() } }
        Thread.sleep(forTimeInterval: 0.5)
        let body = #"{"resource":"memberships","event":"created","data":{}}"#
        let signature = WebhookSignature.sign(Array(body.utf8), secret: "s3cret")
        let answer = try RawClient.deliver(body, signature: signature, port: port)
        XCTAssertEqual(answer.outcome, .closed)
        XCTAssertTrue(answer.received.hasPrefix("HTTP/1.1 200"), answer.received)
    }

    /// Issue 25: 10 s for the head, 10 s more for the body (here 1 s and 1 s): a request whose head
    /// took most of the first period still has the second for its body; a head past it is closed.
    func testTheHeadAndTheBodyEachHaveTheirOwnTime() throws {
        let port = try startReceiver(headTimeout: 1, bodyTimeout: 1)
        let body = #"{"resource":"memberships","event":"created","data":{}}"#
        let client = try RawClient(port: port)
        defer { client.close() }
        client.send("POST /hook HTTP/1.1\r\nHost: x\r\n")
        Thread.sleep(forTimeInterval: 0.7)
        client.send("Connection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.7)  // 1.4 s since it opened, 0.7 s into the body's time
        client.send(body)
        XCTAssertEqual(client.readUntilClosed(timeout: 10), .closed)
        XCTAssertTrue(client.received.hasPrefix("HTTP/1.1 200"), client.received)
        let slow = try RawClient(port: port)
        defer { slow.close() }
        slow.send("POST /hook HTTP/1.1\r\nHost: x\r\n")
        XCTAssertEqual(slow.readUntilClosed(timeout: 10), .closed)
        XCTAssertEqual(slow.received, "", "a head not in within its time is closed unanswered")
    }

    func testASignatureDifferingInItsLastCharacterIsRefused() throws {
        let port = try startReceiver(secret: "s3cret")
        let body = #"{"resource":"memberships","event":"created","data":{}}"#
        let good = WebhookSignature.sign(Array(body.utf8), secret: "s3cret")
        let last = good.last!
        let forged = String(good.dropLast()) + (last == "0" ? "1" : "0")
        for (signature, status) in [(forged, "401"), (good, "200")] {
            let answer = try RawClient.deliver(body, signature: signature, port: port)
            XCTAssertEqual(answer.outcome, .closed)
            XCTAssertTrue(answer.received.hasPrefix("HTTP/1.1 \(status)"), "\(signature): \(answer.received)")
        }
    }

    // MARK: Deliveries from anyone (no secret)

    func testAnUnsignedDeliveryIdCannotReachAnotherResource() throws {
        _ = mock.addPerson(email: "x@example.com", displayName: "X", token: nil)
        let port = try startListen(["-v"])
        for id in ["../webhooks", "..%2Fwebhooks", "x/../../webhooks", "?max=1", "a b"] {
            let body = #"{"name":"shellbot-messages","resource":"messages","event":"created","data":{"id":"\#(id)"}}"#
            let client = try RawClient(port: port)
            defer { client.close() }
            client.send("POST /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(body.utf8.count)"
                + "\r\n\r\n\(body)")
            XCTAssertEqual(client.readUntilClosed(timeout: 10), .closed)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let paths = mock.requests.map(\.path)
        XCTAssertFalse(paths.contains { $0.hasPrefix("/webhooks") || $0.contains("..") }, "\(paths)")
        XCTAssertFalse(paths.contains { $0.hasPrefix("/messages") }, "\(paths)")
        XCTAssertEqual(listener!.stdout, "")
    }

    func testAHangupStopsListenLikeSIGTERM() throws {
        _ = try startListen()
        XCTAssertEqual(listener!.stop(SIGHUP), 0, listener!.stderr)
        XCTAssertTrue(listener!.stderr.contains("stopping: finishing the accepted deliveries"), listener!.stderr)
    }

    func testListenWarningsAreSanitized() throws {
        let port = try startListen()
        let body = #"{"name":"evil\u001b]0;x\u0007\u202e","resource":"messages","event":"created","#
            + #""data":{"id":"Y2lzY29zcGFyazovL3VzL01FU1NBR0UvbWlzc2luZw"}}"#
        let client = try RawClient(port: port)
        defer { client.close() }
        client.send("POST /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(body.utf8.count)"
            + "\r\n\r\n\(body)")
        XCTAssertEqual(client.readUntilClosed(timeout: 10), .closed)
        XCTAssertTrue(listener!.wait { listener!.stderr.contains("warning: delivery") }, listener!.stderr)
        assertNoTerminalControls(listener!.stderr)
        XCTAssertTrue(listener!.stderr.contains("evil\\x1b]0;x\\x07\\u202e"), listener!.stderr)
    }
}

/// A blocking TCP client for hand-written (and half-written) requests.
final class RawClient {
    enum Outcome: Equatable { case closed, timedOut }

    private let fd: Int32
    private(set) var received = ""

    init(port: Int) throws {
        fd = try connectLoopback(port: port, name: "RawClient")
    }

    func send(_ text: String) { sendAll(fd, Array(text.utf8)) }

    /// POSTs `body` to `/hook` with `signature` on a connection of its own and reads the answer
    /// until the listener closes it (or `timeout` seconds pass).
    static func deliver(_ body: String, signature: String, port: Int, timeout: Double = 10) throws
        -> (outcome: Outcome, received: String) {
        let client = try RawClient(port: port)
        defer { client.close() }
        client.send("POST /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Spark-Signature: \(signature)\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let outcome = client.readUntilClosed(timeout: timeout)
        return (outcome, client.received)
    }

    /// Reads until the server closes the connection, or `timeout` seconds pass.
    func readUntilClosed(timeout: Double) -> Outcome {
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return .closed }
            if n < 0 { return errno == ECONNRESET ? .closed : .timedOut }
            received += String(decoding: chunk[0..<n], as: UTF8.self)
        }
    }

    func close() { _ = Glibc.close(fd) }
}
