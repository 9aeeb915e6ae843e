import XCTest
@testable import SparkSpace

/// Issue 24: `--max-wait` is the time spent waiting on the clock, not the sum of the waits.
final class WallClockBudgetTests: XCTestCase {
    final class Clock: @unchecked Sendable {
        var now = 100.0
    }

    func testOverlappingWaitsSpendTheOverlapOnce() {
        let clock = Clock()
        let budget = WaitBudget(seconds: 7, now: { clock.now })
        var told: [Double] = []
        // Twelve 3 s waits begun together: 3 s of the budget, not 36.
        for _ in 0..<12 { XCTAssertTrue(budget.take(3, then: { told.append($0) })) }
        XCTAssertEqual(budget.remaining, 4)
        XCTAssertEqual(told, [4] + Array(repeating: 4, count: 11))
        // One second later, a 3 s wait overlaps 2 s of the others: 1 s more.
        clock.now += 1
        XCTAssertTrue(budget.take(3))
        XCTAssertEqual(budget.remaining, 3)
        // After every wait ended, nothing is covered: a wait pays in full, and past the budget it is refused.
        for _ in 0..<13 { budget.ended() }
        clock.now += 10
        XCTAssertFalse(budget.take(3.5))
        XCTAssertEqual(budget.remaining, 3)
        XCTAssertTrue(budget.take(3))
        XCTAssertEqual(budget.remaining, 0)
    }
}
