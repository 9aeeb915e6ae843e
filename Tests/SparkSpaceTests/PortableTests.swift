import Foundation
import XCTest
@testable import SparkSpace

/// The Foundation replacements of `Portable.swift` agree with what Foundation did.
final class PortableTests: XCTestCase {
    func testFixedAndZeroPadded() {
        XCTAssertEqual(fixed(1.26, digits: 1), String(format: "%.1f", 1.26))
        XCTAssertEqual(fixed(0.05, digits: 1), "0.1")
        XCTAssertEqual(fixed(12.0, digits: 1), "12.0")
        XCTAssertEqual(fixed(-0.04, digits: 1), "0.0")
        XCTAssertEqual(fixed(-2.5, digits: 2), "-2.50")
        XCTAssertEqual(fixed(1023.96, digits: 1), "1024.0")
        XCTAssertEqual(zeroPadded(7, width: 3), "007")
        XCTAssertEqual(zeroPadded(2026, width: 4), "2026")
        XCTAssertEqual(zeroPadded(12345, width: 2), "12345")
    }

    func testPercentEncodingRoundTrips() {
        XCTAssertEqual(percentEncoded("a b/ü~-._"), "a%20b%2F%C3%BC~-._")
        XCTAssertEqual(percentDecoded("na%C3%AFve.txt"), "naïve.txt")
        XCTAssertNil(percentDecoded("bad%2"))
        XCTAssertNil(percentDecoded("%FF"), "not UTF-8")
        for text in ["", "Y2lz/+=", "spaces and ✓"] { XCTAssertEqual(percentDecoded(percentEncoded(text)), text) }
    }

    func testTrimmingAndPaths() {
        XCTAssertEqual(" \t a b \u{3000}".trimmingSpaces(), "a b")
        XCTAssertEqual("\n tok \r\n".trimmingSpacesAndNewlines(), "tok")
        XCTAssertEqual("\n x \n".trimmingSpaces(), "\n x \n")
        XCTAssertEqual("\"next\",".trimming(charactersIn: "\","), "next")
        XCTAssertEqual("   ".trimmingSpaces(), "")
        XCTAssertEqual(joinedPath("dir/", "f"), "dir/f")
        XCTAssertEqual(joinedPath("dir", "f"), "dir/f")
        XCTAssertEqual(lastPathComponent("/a/b.txt/"), "b.txt")
        XCTAssertEqual(pathExtension("/a/b.tar.gz"), "gz")
        XCTAssertEqual(pathExtension(".bashrc"), "")
        XCTAssertTrue(isControl("\u{1B}") && isControl("\u{200B}") && isControl("\u{FEFF}") && !isControl("a"))
    }

    func testHTTPDates() {
        XCTAssertEqual(httpDateSeconds("Sun, 06 Nov 1994 08:49:37 GMT"), 784_111_777)
        XCTAssertNil(httpDateSeconds("Sunday, 06-Nov-94 08:49:37 GMT"))
        XCTAssertNil(httpDateSeconds("Sun, 06 Nov 1994 25:49:37 GMT"))
        XCTAssertNil(httpDateSeconds("Sun, 06 Foo 1994 08:49:37 GMT"))
    }

    func testRecursiveLockAndSleep() {
        let lock = ThreadLock(recursive: true)
        let value = lock.withLock { lock.withLock { 42 } }
        XCTAssertEqual(value, 42)
        let started = Date()
        sleepThread(seconds: 0.05)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.05)
    }
}
