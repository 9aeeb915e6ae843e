import CCurl
import XCTest
@testable import SparkSpace

/// The libcurl function table is one per process. It was a `static` inside `static inline`
/// functions of the shim, so each LLVM module (each source file, even in a whole-module release
/// build) had its own copy, loaded only where `ss_curl_load` was called: the release build deleted
/// the websocket's `curl_easy_cleanup`, inlined into another file, as a call through NULL, and every
/// listener crashed when its socket ended. This test module is another LLVM module that never
/// calls `ss_curl_load`: with a copy of its own it would call through NULL and crash.
final class CurlTableTests: XCTestCase {
    func testAModuleThatNeverLoadedLibcurlUsesTheTableTheLibraryLoaded() throws {
        try CurlTransport.loadLibrary()  // in the library's module, as its first request does
        let handle = try XCTUnwrap(ss_easy_init(), "a libcurl handle through this module's view of the table")
        XCTAssertEqual(ss_setopt_long(handle, CURLOPT_NOSIGNAL, 1), CURLE_OK)
        ss_easy_cleanup(handle)
        XCTAssertTrue(String(cString: ss_curl_version()).hasPrefix("libcurl/"))
    }
}
