import Foundation
import XCTest
@testable import SparkSpace

/// What a client tells its observer: each attempt, each wait the API asked for and each retry,
/// said before the sleep (the library never prints; the command line shows them).
final class ClientEventTests: XCTestCase {
    /// One log for the observer and the sleeper, so their order shows.
    final class Log: Sleeper, @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []

        func add(_ line: String) {
            lock.lock()
            lines.append(line)
            lock.unlock()
        }

        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return lines
        }

        func sleep(seconds: Double) { add("sleep \(seconds)") }
    }

    func testWaitsAndRetriesAreToldBeforeTheSleep() throws {
        let log = Log()
        let transport = ScriptedTransport([status(429, retryAfter: "3"), status(503), failure(.broken)])
        let client = WebexClient(baseURL: "https://api.test/v1", token: "secret-token-1234", transport: transport,
                                 budget: WaitBudget(seconds: 300), sleeper: log)
        client.observer = { event in
            switch event {
            case .request(let entry): log.add("request \(entry.method) \(entry.path) \(entry.status ?? 0)")
            case .waiting(let reason, let seconds, let left): log.add("waiting \(seconds) \(reason) \(left)")
            case .retrying(let method, let path, let seconds, let cause):
                log.add("retrying \(method) \(path) \(seconds) \(cause)")
            }
        }
        _ = try client.get("rooms", query: [("max", "10")])
        XCTAssertEqual(log.all, [
            "request GET /rooms?max=10 429",
            "waiting 3.0 429 Retry-After 297.0",
            "sleep 3.0",
            "request GET /rooms?max=10 503",
            "retrying GET /rooms?max=10 0.1 503",
            "sleep 0.1",
            "request GET /rooms?max=10 0",
            "retrying GET /rooms?max=10 1.0 boom",
            "sleep 1.0",
            "request GET /rooms?max=10 200",
        ])
    }

    func testA423WaitNamesTheScan() throws {
        let log = Log()
        let transport = ScriptedTransport([status(423, retryAfter: "5")])
        let client = WebexClient(baseURL: "https://api.test/v1", token: "t", transport: transport,
                                 budget: WaitBudget(seconds: 60), sleeper: log)
        client.observer = { event in
            if case .waiting(let reason, let seconds, let left) = event { log.add("\(reason) \(seconds) \(left)") }
        }
        _ = try client.get("contents/x")
        XCTAssertEqual(log.all, ["423 Locked: file being scanned 5.0 55.0", "sleep 5.0"])
    }
}
