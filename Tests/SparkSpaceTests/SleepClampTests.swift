import XCTest
@testable import SparkSpace

/// Issue 25: a wait over Int32.max seconds is clamped where it converts, not a trap.
final class SleepClampTests: XCTestCase {
    func testLongWaitsAreClampedAndFractionsKept() {
        for seconds in [Double(Int32.max) + 0.5, 1e10, 9.3e15, 1e300] {
            let request = sleepRequest(seconds: seconds)
            XCTAssertEqual(request.tv_sec, Int(Int32.max), "\(seconds)")
            XCTAssertEqual(request.tv_nsec, 0, "\(seconds)")
        }
        let short = sleepRequest(seconds: 1.25)
        XCTAssertEqual(short.tv_sec, 1)
        XCTAssertEqual(short.tv_nsec, 250_000_000)
        XCTAssertEqual(sleepRequest(seconds: 0.000_000_000_1).tv_nsec, 0)
    }
}
