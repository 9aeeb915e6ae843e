import Foundation
import XCTest
@testable import SparkSpace

/// The dlopen loader of Sources/CCurl/shim.h.
final class CurlLoaderTests: XCTestCase {
    func testLoadsTheRealLibcurl() throws {
        XCTAssertNoThrow(try CurlTransport.loadLibrary())
        // Concurrent first (or later) uses agree.
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { try CurlTransport.loadLibrary() } catch { failures.add(error) }
        }
        XCTAssertEqual(failures.count, 0)
    }

    func testMissingLibraryIsAnErrorNotACrash() {
        let failure = CurlTransport.probeLibrary("/nonexistent/libcurl.so.4")
        XCTAssertEqual(failure?.hasPrefix("cannot load /nonexistent/libcurl.so.4: "), true, failure ?? "nil")
        XCTAssertEqual(failure?.contains("No such file"), true, failure ?? "nil")
    }

    func testBareNameDropsTheRepeatedName() {
        let failure = CurlTransport.probeLibrary("libspark-space-no-such-lib.so.9")
        XCTAssertEqual(failure, "cannot load libspark-space-no-such-lib.so.9: cannot open shared object file: No such file or directory")
    }

    func testLibraryWithoutCurlFunctions() {
        #if os(Linux)
        let failure = CurlTransport.probeLibrary("libc.so.6")
        XCTAssertEqual(failure, "cannot load libc.so.6: it has no function curl_global_init")
        #endif
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func add(_ error: Error) { lock.lock(); errors.append(error); lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return errors.count }
}
