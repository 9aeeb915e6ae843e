import XCTest
final class PSparkSpaceCLITests: XCTestCase { func testNothing() {} }
