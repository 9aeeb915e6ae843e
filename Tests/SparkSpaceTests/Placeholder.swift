import XCTest
final class PSparkSpaceTests: XCTestCase { func testNothing() {} }
