import Foundation
import MockWebex
import XCTest

/// Issue 7: libcurl is loaded on first use, not at start-up, and a missing or
/// broken libcurl is a one-line error (exit 1), never a crash.
final class StartupTests: MockTestCase {
    /// A directory holding `libcurl.so.4` made of `contents` (or a copy of `copyOf`),
    /// to be put first on LD_LIBRARY_PATH.
    private func fakeLibcurl(contents: String? = nil, copyOf: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("libcurl.so.4").path
        if let copyOf {
            // The real file, not a (relative) symlink that would dangle in `dir`.
            let real = URL(fileURLWithPath: copyOf).resolvingSymlinksInPath().path
            try FileManager.default.copyItem(atPath: real, toPath: path)
        } else {
            try (contents ?? "").write(toFile: path, atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    private func libz() throws -> String {
        let candidates = ["/usr/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/aarch64-linux-gnu/libz.so.1",
                          "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib64/libz.so.1", "/usr/lib/libz.so.1"]
        guard let found = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
            throw XCTSkip("no libz.so.1 to stand in for a libcurl without curl functions")
        }
        return found
    }

    func testVersionAndHelpDoNotLoadLibcurl() throws {
        #if os(Linux)
        for args in [["--version"], ["help"], ["rooms", "--bogus"]] {
            let r = try spark(args, env: ["LD_DEBUG": "files"])
            XCTAssertFalse(r.stderr.contains("libcurl"), "\(args) loaded libcurl")
        }
        // The same probe does see libcurl when a command talks to the API.
        let r = try run(["whoami"], env: ["LD_DEBUG": "files"])
        XCTAssertTrue(r.stderr.contains("libcurl.so.4"), "LD_DEBUG shows no libcurl for whoami")
        #else
        throw XCTSkip("LD_DEBUG is glibc's")
        #endif
    }

    func testUnloadableLibcurlIsOneLineErrorExit1() throws {
        #if os(Linux)
        let dir = try fakeLibcurl(contents: "not a shared object\n")
        let r = try run(["whoami"], env: ["LD_LIBRARY_PATH": dir])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertEqual(r.stderr, "spark-space: error: cannot load libcurl.so.4: \(dir)/libcurl.so.4: file too short\n")
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(mock.requests.isEmpty)
        // Commands that need no network still work with it.
        let version = try spark(["--version"], env: ["LD_LIBRARY_PATH": dir])
        XCTAssertEqual(version.code, 0, version.stderr)
        #else
        throw XCTSkip("LD_LIBRARY_PATH is the Linux loader's")
        #endif
    }

    func testLibcurlWithoutCurlFunctionsIsOneLineErrorExit1() throws {
        #if os(Linux)
        let dir = try fakeLibcurl(copyOf: try libz())
        let r = try run(["rooms", "list"], env: ["LD_LIBRARY_PATH": dir])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertEqual(r.stderr, "spark-space: error: cannot load libcurl.so.4: it has no function curl_global_init\n")
        XCTAssertFalse(r.stderr.contains("bot-token"))
        XCTAssertTrue(mock.requests.isEmpty)
        #else
        throw XCTSkip("LD_LIBRARY_PATH is the Linux loader's")
        #endif
    }
}
