import Foundation
import XCTest

extension XCTestCase {
    /// A download from `files` (a stalling file) ended by each signal once its `.part` is there:
    /// the exit code paired with the signal, and no file left behind.
    func assertSignalsRemovePartialDownloads(from files: HostileResponder, _ signals: [(Int32, Int32)],
                                             file: StaticString = #filePath, line: UInt = #line) throws {
        for (signal, code) in signals {
            let dir = try temporaryDirectory()
            let run = try BackgroundRun(["attachments", "download", files.baseURL + "/contents/1", "-d", dir.path,
                                         "--api-url", files.baseURL], env: hostileEnv)
            let started = run.wait {
                ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).contains { $0.hasSuffix(".part") }
            }
            XCTAssertTrue(started, run.stderr, file: file, line: line)
            Thread.sleep(forTimeInterval: 0.3)
            XCTAssertEqual(run.stop(signal), code, run.stderr, file: file, line: line)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "signal \(signal)",
                           file: file, line: line)
        }
    }
}

/// Issue 25 (and 24): downloads against a hostile file server.
final class HostileFilesTests: XCTestCase {
    func testADownloadOntoAnExistingFileIsRefusedAtTheHeaders() throws {
        let files = try HostileResponder.stallingFile("big.bin")
        defer { files.close() }
        let dir = try temporaryDirectory()
        let existing = dir.appendingPathComponent("big.bin")
        try Data("mine".utf8).write(to: existing)
        let started = Date()
        let r = try spark(["attachments", "download", files.baseURL + "/contents/1", "-d", dir.path,
                           "--api-url", files.baseURL], env: hostileEnv, timeout: 25)
        XCTAssertEqual(r.code, 5, r.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the body was read before refusing")
        XCTAssertEqual(try Data(contentsOf: existing), Data("mine".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["big.bin"], "a .part was left")
    }

    func testQuitCPUAndFileSizeSignalsRemovePartialDownloads() throws {
        let files = try HostileResponder.stallingFile("big.bin")
        defer { files.close() }
        try assertSignalsRemovePartialDownloads(from: files, [SIGQUIT, SIGXCPU, SIGXFSZ].map { ($0, 128 + $0) })
    }
}
