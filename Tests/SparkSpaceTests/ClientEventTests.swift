import Foundation
import XCTest
@testable import SparkSpace

/// What a client tells its observer: each attempt, each wait the API asked for and each retry,
/// said before the sleep (the library never prints; the command line shows them).
final class ClientEventTests: XCTestCase {
    /// One log for the observer and the sleeper, so their order shows.
    final class Log: LockedList<String>, Sleeper, @unchecked Sendable {
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
            case .plannedWrite, .progress, .notice: log.add("unexpected \(event)")
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

    /// A 429 with `Retry-After` is exactly one `waiting` event, with its reason and seconds.
    func testA429IsOneWaitingEvent() throws {
        let (client, transport, log) = scriptedClient([status(429, retryAfter: "7")], maxWait: 100, sleeper: Log())
        client.observer = { event in
            switch event {
            case .waiting(let reason, let seconds, let left): log.add("waiting \(reason) \(seconds) \(left)")
            case .request: break
            default: log.add("other \(event)")
            }
        }
        _ = try client.get("rooms")
        XCTAssertEqual(log.all, ["waiting 429 Retry-After 7.0 93.0", "sleep 7.0"])
        XCTAssertEqual(transport.requests.count, 2)
    }

    /// A transfer's progress goes to the observer, named by the label at each report;
    /// without an observer there is no handler, so curl reports nothing.
    func testProgressIsToldWithTheLabelOfTheMoment() {
        let client = WebexClient(baseURL: "https://api.test/v1", token: "t", transport: ScriptedTransport([]))
        XCTAssertNil(client.progressReporter { "x" })
        let log = Log()
        client.observer = { event in
            if case .progress(let p) = event { log.add("\(p.label) \(p.done)/\(p.total.map(String.init) ?? "?")") }
        }
        var name = "attachment"
        let report = client.progressReporter { name }
        report?(10, 0)
        name = "report.pdf"
        report?(20, 100)
        XCTAssertEqual(log.all, ["attachment 10/?", "report.pdf 20/100"])
    }

    func testA423WaitNamesTheScan() throws {
        let (client, _, log) = scriptedClient([status(423, retryAfter: "5")], maxWait: 60, sleeper: Log())
        client.observer = { event in
            if case .waiting(let reason, let seconds, let left) = event { log.add("\(reason) \(seconds) \(left)") }
        }
        _ = try client.get("contents/x")
        XCTAssertEqual(log.all, ["423 Locked: file being scanned 5.0 55.0", "sleep 5.0"])
    }
}
