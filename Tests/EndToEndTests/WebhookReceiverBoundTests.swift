import Foundation
import SparkSpace
import SparkSpaceListen
import XCTest

/// The receiver's bound on accepted deliveries not handled yet (session 2026-12-07 b): past
/// `maxPending` deliveries or `maxPendingBytes` bytes a delivery is answered 503 and not queued;
/// `stop(within:)` gives up on handlers that do not move and says how many were left.
final class WebhookReceiverBoundTests: XCTestCase {
    /// A handler that blocks until released (a printer on a stdout nobody reads).
    private final class Gate: @unchecked Sendable {
        let open = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var seen = 0
        func handle() {
            lock.lock(); seen += 1; lock.unlock()
            open.wait()
        }
        var handled: Int { lock.lock(); defer { lock.unlock() }; return seen }
    }

    private func receiver(maxPending: Int, maxPendingBytes: Int = 16 << 20, workers: Int = 1, gate: Gate)
        throws -> (WebhookReceiver, Int) {
        let receiver = WebhookReceiver(
            configuration: .init(host: "127.0.0.1", port: 0, workers: workers, maxPending: maxPending,
                                 maxPendingBytes: maxPendingBytes),
            onDelivery: { _ in gate.handle() })
        let port = try receiver.start()
        return (receiver, port)
    }

    private func status(_ body: String, port: Int) throws -> String {
        let answer = try RawClient.deliver(body, signature: "", port: port, timeout: 5)
        return String(answer.received.prefix(12))
    }

    func testPastMaxPendingADeliveryIs503AndAStopGivesUpOnAStuckHandler() throws {
        let gate = Gate()
        let (receiver, port) = try receiver(maxPending: 3, gate: gate)
        for i in 0..<3 { XCTAssertEqual(try status(#"{"n":\#(i)}"#, port: port), "HTTP/1.1 200") }
        XCTAssertEqual(try status(#"{"n":3}"#, port: port), "HTTP/1.1 503")
        XCTAssertEqual(receiver.pendingDeliveries, 3)
        // One handled: room for one more.
        gate.open.signal()
        let end = Date().addingTimeInterval(5)
        while receiver.pendingDeliveries > 2 && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(try status(#"{"n":4}"#, port: port), "HTTP/1.1 200")
        XCTAssertEqual(try status(#"{"n":5}"#, port: port), "HTTP/1.1 503")
        // The handler is stuck: the stop gives up after the stall and tells how many are left.
        let started = Date()
        XCTAssertEqual(receiver.stop(within: 0.3), 3)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        for _ in 0..<4 { gate.open.signal() }
    }

    func testTheBytesWaitingAreBoundedToo() throws {
        let gate = Gate()
        let (receiver, port) = try receiver(maxPending: 100, maxPendingBytes: 2_000, gate: gate)
        let big = #"{"pad":""# + String(repeating: "a", count: 900) + #""}"#
        XCTAssertEqual(try status(big, port: port), "HTTP/1.1 200")
        XCTAssertEqual(try status(big, port: port), "HTTP/1.1 200")
        XCTAssertEqual(try status(big, port: port), "HTTP/1.1 503")
        XCTAssertEqual(try status(#"{"n":1}"#, port: port), "HTTP/1.1 200", "a small one still fits")
        for _ in 0..<3 { gate.open.signal() }
        XCTAssertEqual(receiver.stop(within: 5), 0)
    }
}
