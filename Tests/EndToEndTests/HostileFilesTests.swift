import Foundation
import XCTest

/// Issue 25 (and 24): downloads against a hostile file server.
final class HostileFilesTests: XCTestCase {
    private func bigFile(_ name: String) throws -> HostileResponder {
        // 100 MB announced, 64 KB sent, then silence: only a transfer that stops at the headers ends soon.
        try HostileResponder { _, _ in
            HostileResponder.Reply(headers: [("Content-Disposition", "attachment; filename=\"\(name)\""),
                                              ("Content-Length", "100000000")],
                                   body: Data(repeating: 1, count: 1 << 16), stall: 30)
        }
    }

    func testADownloadOntoAnExistingFileIsRefusedAtTheHeaders() throws {
        let files = try bigFile("big.bin")
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
        let files = try bigFile("big.bin")
        defer { files.close() }
        for signal in [SIGQUIT, SIGXCPU, SIGXFSZ] {
            let dir = try temporaryDirectory()
            let run = try BackgroundRun(["attachments", "download", files.baseURL + "/contents/1", "-d", dir.path,
                                         "--api-url", files.baseURL], env: hostileEnv)
            let started = run.wait {
                ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).contains { $0.hasSuffix(".part") }
            }
            XCTAssertTrue(started, run.stderr)
            Thread.sleep(forTimeInterval: 0.3)
            XCTAssertEqual(run.stop(signal), 128 + signal, run.stderr)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "signal \(signal)")
        }
    }
}
