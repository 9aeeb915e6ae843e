#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SparkSpace

/// The console of an in-process test: what stdin holds (the answers to prompts, or `-` input),
/// whether each stream is a terminal, the width, and the environment (nothing of the process's).
/// Tests (`@testable`) build it with the memberwise initialiser Swift writes, every field optional.
public struct TestConsole: Sendable {
    public var stdin = ""
    public var stdinIsTerminal = false
    public var stdoutIsTerminal = false
    public var stderrIsTerminal = false
    public var width: Int?
    public var environment: [String: String] = [:]
}

extension TestConsole {
    /// Nothing on stdin, no terminal, no width, an empty environment (the default of `runInProcess`).
    public static let plain = TestConsole()
}

/// What an in-process run printed, and its exit code.
public struct CapturedRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// stdout as written (bytes that are not UTF-8 kept).
    public let stdoutBytes: [UInt8]
}

/// Runs a command line in this process, as `spark-space` would, against `console` and, for the
/// API, `transport` (tests; nil: libcurl, e.g. to a mock on 127.0.0.1): stdout and stderr go to
/// unnamed temporary files read back at the end, stdin comes from one. No signal handlers are
/// installed. Waits on `Retry-After` and between retries go to `sleeper`: by default they take no
/// time (`InstantSleeper`), so a test of 429s costs no wall time.
public func runInProcess(_ arguments: [String], console: TestConsole = .plain,
                         transport: HTTPTransport? = nil, sleeper: Sleeper = InstantSleeper()) -> CapturedRun {
    let stdin = scratchFile(holding: console.stdin)
    let stdout = scratchFile(holding: "")
    let stderr = scratchFile(holding: "")
    defer { for fd in [stdin, stdout, stderr] { close(fd) } }
    var terminal = Terminal()
    (terminal.stdin, terminal.stdout, terminal.stderr) = (stdin, stdout, stderr)
    terminal.environment = console.environment
    terminal.stdinIsTerminal = console.stdinIsTerminal
    terminal.stdoutIsTerminal = console.stdoutIsTerminal
    terminal.stderrIsTerminal = console.stderrIsTerminal
    terminal.width = console.width
    let status = run(arguments, terminal: terminal, transport: transport, sleeper: sleeper)
    let bytes = contents(of: stdout)
    return CapturedRun(status: status, stdout: String(decoding: bytes, as: UTF8.self),
                       stderr: String(decoding: contents(of: stderr), as: UTF8.self), stdoutBytes: bytes)
}

/// A sleeper of tests: each wait is recorded and returns at once.
public final class InstantSleeper: Sleeper, @unchecked Sendable {
    private let lock = ThreadLock()
    private var asked: [Double] = []

    public init() {}

    public func sleep(seconds: Double) {
        lock.lock()
        asked.append(seconds)
        lock.unlock()
    }

    /// The waits asked for so far, in order.
    public var waits: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return asked
    }
}

/// A temporary file, already unlinked, holding `text` and positioned at its start.
private func scratchFile(holding text: String) -> Int32 {
    let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    var template = Array("\(directory)/spark-space-run-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    precondition(fd >= 0, "cannot make a temporary file in \(directory)")
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    lseek(fd, 0, SEEK_SET)
    return fd
}

/// Everything written to `fd` so far.
private func contents(of fd: Int32) -> [UInt8] {
    lseek(fd, 0, SEEK_SET)
    return (try? readToEnd(fd: fd)) ?? []
}
