import Foundation
import MockWebex
import XCTest

/// The two halves of issue 25 item 2 that every kind of create shares.
extension MockTestCase {
    /// Runs `arguments`, a create whose POST to `path` the mock carries out but whose answer it cuts
    /// off, and checks that it ends well: exit 0, one POST, `made()` (what the mock holds of that
    /// name) exactly one object, and that one printed.
    @discardableResult
    func runCutOffCreate(_ arguments: [String], path: String, made: () -> [[String: Any]],
                         file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        mock.inject(.truncateBody, method: "POST", pathPrefix: path, times: 1)
        let r = try run(arguments)
        XCTAssertEqual(r.code, 0, r.stderr, file: file, line: line)
        let objects = made()
        XCTAssertEqual(objects.count, 1, "created twice or not at all", file: file, line: line)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: path).count, 1, file: file, line: line)
        if let id = objects.first?["id"] as? String {
            XCTAssertTrue(r.stdout.contains(id), r.stdout, file: file, line: line)
        }
        return r
    }

    /// Runs `arguments`, a create whose POST to `path` fails with 500 having made nothing, and
    /// checks that it fails (exit 1) saying that a look-up found no such `noun`.
    func runFailedCreate(_ arguments: [String], path: String, noun: String,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        mock.inject(.status(500), method: "POST", pathPrefix: path, times: 1)
        let r = try run(arguments)
        XCTAssertEqual(r.code, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains("a look-up found no such \(noun): it was not made"), r.stderr,
                      file: file, line: line)
    }
}
