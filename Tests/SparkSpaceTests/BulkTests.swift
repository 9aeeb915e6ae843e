import Foundation
import XCTest
@testable import SparkSpace

final class BulkTests: XCTestCase {
    func testLooksLikeEmail() {
        XCTAssertTrue(looksLikeEmail("bob@example.com"))
        XCTAssertTrue(looksLikeEmail("x@y"))
        XCTAssertFalse(looksLikeEmail("Build status"))
        XCTAssertFalse(looksLikeEmail("@example.com"))
        XCTAssertFalse(looksLikeEmail("bob@"))
        XCTAssertFalse(looksLikeEmail("bob @example.com"))
        XCTAssertFalse(looksLikeEmail("-"))
    }

    func testConcurrentMapKeepsOrderAndBoundsConcurrency() {
        let lock = NSLock()
        var running = 0, peak = 0
        let items = (0..<50).map(String.init)
        let results = concurrentMap(items, workers: 4) { item -> String in
            lock.lock(); running += 1; peak = max(peak, running); lock.unlock()
            usleep(2_000)
            lock.lock(); running -= 1; lock.unlock()
            return "r" + item
        }
        XCTAssertEqual(results, items.map { "r" + $0 })
        XCTAssertLessThanOrEqual(peak, 4)
        XCTAssertGreaterThan(peak, 1)
    }

    /// `onResult` sees every result once, in input order, one call at a time, and the first ones
    /// before the last items have finished (items finish in scrambled order).
    func testConcurrentMapDeliversInInputOrderWhileRunning() {
        let lock = NSLock()
        var delivered: [Int] = [], finished = 0, finishedAtFirstDelivery = -1, inside = 0, overlap = false
        let items = (0..<40).map(String.init)
        let results = concurrentMap(items, workers: 4, onResult: { (index: Int, result: String) in
            lock.lock()
            inside += 1
            if inside > 1 { overlap = true }
            if delivered.isEmpty { finishedAtFirstDelivery = finished }
            delivered.append(index)
            XCTAssertEqual(result, "r\(index)")
            lock.unlock()
            usleep(500)
            lock.lock(); inside -= 1; lock.unlock()
        }) { item -> String in
            usleep(useconds_t((Int(item)! * 7919) % 5 + 1) * 1_000)
            lock.lock(); finished += 1; lock.unlock()
            return "r" + item
        }
        XCTAssertEqual(results, items.map { "r" + $0 })
        XCTAssertEqual(delivered, Array(0..<40))
        XCTAssertFalse(overlap)
        XCTAssertLessThan(finishedAtFirstDelivery, 10)
    }

    func testSettingsBecomeAOneRoomManifest() {
        var settings = Settings()
        settings.team = "T"
        settings.participants = ["a@example.com"]
        var manifest = SpacesManifest(settings: settings)
        XCTAssertEqual(manifest.teams, [SpacesManifest.Team(name: "T")], "a team without members: created when missing")
        XCTAssertEqual(manifest.rooms, [SpacesManifest.Room(title: "Collaboration space", team: "T",
                                                            participants: ["a@example.com"])])
        let id = "Y2lzY29zcGFyazovL3VzL1JPT00vYWJjZGVm"
        settings.room = id
        settings.team = nil
        settings.participants = []
        manifest = SpacesManifest(settings: settings)
        XCTAssertTrue(manifest.teams.isEmpty)
        XCTAssertEqual(manifest.rooms, [SpacesManifest.Room(id: id)], "an id pins the room; no participants listed")
    }

    func testPageSize() {
        XCTAssertEqual(Space.pageSize(for: nil), 1000)
        XCTAssertEqual(Space.pageSize(for: 10), 10)
        XCTAssertEqual(Space.pageSize(for: 5000), 1000)
    }
}
