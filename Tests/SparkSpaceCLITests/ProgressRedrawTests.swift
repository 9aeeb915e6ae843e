#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XCTest
@testable import SparkSpaceCLI

/// Issue 24: a note written over the progress line (a wait notice) gives the line back after it.
final class ProgressRedrawTests: XCTestCase {
    func testANoteOverTheProgressLineIsFollowedByTheLineAgain() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]) }
        var terminal = Terminal()
        terminal.stderr = fds[1]
        terminal.stdout = fds[1]
        terminal.stdinIsTerminal = false
        terminal.stdoutIsTerminal = false
        terminal.stderrIsTerminal = true
        terminal.width = 80
        terminal.environment = [:]
        let console = Console(terminal: terminal).with(quiet: false, verbose: false)
        console.status.show("3/10 people done", force: true)
        console.note("waiting 2 s (429 Retry-After), 298 s of --max-wait left")
        // At the end of the work the line goes for good: a note after that is not followed by it.
        console.status.clear()
        console.note("added 10")
        close(fds[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let n = read(fds[0], &buffer, buffer.count), n > 0 { bytes += buffer[0..<n] }
        let erase = "\r\u{1B}[K"
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self),
                       erase + "3/10 people done" + erase
                       + "spark-space: waiting 2 s (429 Retry-After), 298 s of --max-wait left\n"
                       + erase + "3/10 people done" + erase + "spark-space: added 10\n")
    }
}
