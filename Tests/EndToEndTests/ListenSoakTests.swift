import Foundation
import MockWebex
import XCTest

/// Issue 7: `listen` under junk and load — no crash, none lost, every bad signature rejected.
extension ListenTests {
    func testTenThousandBadBodiesAndTwoHundredConcurrentValidDeliveries() throws {
        let room = mock.addRoom(title: "Soak", members: ["alice@example.com"])
        let messages = (0..<200).map {
            mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "soak \($0)")
        }
        try startListen(["--secret", "soak-secret"])
        var rng = SplitMix64(state: 7)
        // Bodies: random bytes, truncated JSON, JSON of the wrong shape, huge numbers, deep nesting.
        let junk: [Data] = (0..<10_000).map { i in
            switch i % 5 {
            case 0: return Data((0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            case 1: return messageDelivery(messages[i % 200], from: alice).prefix(Int(rng.next() % 120))
            case 2: return Data(#"{"resource": 5, "event": [], "data": "x"}"#.utf8)
            case 3: return Data(String(repeating: "[", count: Int(rng.next() % 5000)).utf8)
            default: return Data(#"{"data": {"id": 1e99999}, "name": null}"#.utf8)
            }
        }
        let statuses = StatusList()
        let valid = StatusList()
        // Every 50th slot is a valid, signed delivery; the others are junk, half of them
        // wrongly signed (401) and half correctly signed junk (400, or 200 when ignorable).
        DispatchQueue.concurrentPerform(iterations: 10_200) { i in
            if i % 51 == 0, i / 51 < 200 {
                let body = messageDelivery(messages[i / 51], from: alice)
                valid.add(post(body, headers: ["X-Spark-Signature": sign(body, "soak-secret")]))
                return
            }
            let body = junk[i % junk.count]
            let signature = i % 2 == 0 ? sign(body, "wrong-secret") : sign(body, "soak-secret")
            let status = post(body, headers: ["X-Spark-Signature": signature])
            statuses.add(i % 2 == 0 ? (status == 401 ? 1 : -status) : (status == 0 ? -1 : 0))
        }
        XCTAssertEqual(valid.all.count, 200)
        XCTAssertEqual(Set(valid.all), [200])
        XCTAssertFalse(statuses.all.contains { $0 < 0 }, "a bad signature was accepted or a request got no answer: "
            + "\(Set(statuses.all.filter { $0 < 0 }))")
        XCTAssertTrue(listener!.process.isRunning)
        XCTAssertEqual(listener!.stop(SIGTERM), 0, listener!.stderr)
        let events = try listener!.lines()
        XCTAssertEqual(events.count, 200)
        XCTAssertTrue(Set(events.compactMap { $0["id"] as? String }) == Set(messages.map(\.id)),
                      "printed events are not the 200 delivered messages")
    }
}
