import Foundation
import MockWebex
import XCTest

/// What one run of the binary produced.
struct RunResult {
    var code: Int32
    var stdout: String
    var stderr: String
    var stdoutData: Data

    /// stdout parsed as JSON.
    func json(file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        try JSONSerialization.jsonObject(with: stdoutData, options: [.fragmentsAllowed])
    }

    /// stdout as NDJSON objects.
    func lines() throws -> [[String: Any]] {
        try stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
    }

    /// stdout's lines as bytes, without the newlines: splitting the bytes, not the `String`
    /// (by grapheme), is what keeps a 20,000-line walk's check from costing seconds.
    var stdoutLines: [ArraySlice<UInt8>] { Array(stdoutData).split(separator: UInt8(ascii: "\n")) }

    /// The number of lines on stdout.
    var stdoutLineCount: Int { stdoutData.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
}

/// The built `spark-space` binary, next to the test bundle.
var binaryURL: URL {
    // On Linux the test bundle is an executable in the build directory; on macOS a
    // directory inside it. Walk up from either until the binary is beside us.
    let starts = [Bundle(for: Marker.self).bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).absoluteURL]
    for start in starts {
        var dir = start
        while dir.path != "/" {
            let candidate = dir.deletingLastPathComponent().appendingPathComponent("spark-space")
            // A directory is "executable" too: a checkout named spark-space must not be taken for it.
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
    }
    fatalError("spark-space binary not found next to the test bundle")
}

private final class Marker {}

/// Both pipes' contents, filled from two reader threads.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()

    func set(_ data: Data, isOut: Bool) {
        lock.lock()
        if isOut { out = data } else { err = data }
        lock.unlock()
    }

    func get() -> (Data, Data) {
        lock.lock()
        defer { lock.unlock() }
        return (out, err)
    }
}

/// Runs the binary with `arguments`, feeding `stdin`, draining both pipes while it runs.
/// The environment holds only what is given (plus PATH/HOME pointing at a scratch dir),
/// so a developer's own settings never leak in.
func spark(
    _ arguments: [String], env: [String: String] = [:], stdin: String? = nil, timeout: TimeInterval = 60,
    executable: String? = nil
) throws -> RunResult {
    let process = Process()
    process.executableURL = executable.map(URL.init(fileURLWithPath:)) ?? binaryURL
    process.arguments = arguments
    var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory() + "spark-space-home-none",
                       "LANG": "C.UTF-8"]
    environment.merge(env) { _, new in new }
    process.environment = environment
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    let collected = Collected()
    let group = DispatchGroup()
    for (pipe, isOut) in [(out, true), (err, false)] {
        group.enter()
        DispatchQueue.global().async {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            collected.set(data, isOut: isOut)
            group.leave()
        }
    }
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    let deadline = DispatchTime.now() + timeout
    if group.wait(timeout: deadline) == .timedOut {
        process.terminate()
        group.wait()
        throw NSError(domain: "spark", code: 1, userInfo: [NSLocalizedDescriptionKey: "timed out: \(arguments)"])
    }
    process.waitUntilExit()
    let (outData, errData) = collected.get()
    return RunResult(code: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self), stdoutData: outData)
}

/// A test case with its own mock server.
class MockTestCase: XCTestCase {
    var mock: MockWebexServer!

    override func setUpWithError() throws {
        mock = MockWebexServer()
        try mock.start()
    }

    override func tearDown() {
        mock.stop()
        mock = nil
    }

    /// The environment that points the binary at the mock with the bot token.
    var env: [String: String] {
        ["SPARK_API_URL": mock.baseURL, "CISCO_SPARK_BOT_TOKEN": "bot-token"]
    }

    /// Runs the command line against this test's mock: in this process for the suites that need
    /// no process of their own (`inProcessSuites`), else the binary.
    func run(_ arguments: [String], env extra: [String: String] = [:], stdin: String? = nil) throws -> RunResult {
        let environment = env.merging(extra) { _, new in new }
        if runsInProcess { return sparkInProcess(arguments, env: environment, stdin: stdin) }
        return try spark(arguments, env: environment, stdin: stdin)
    }

    /// A settings file in a temp dir, returned as a path.
    func writeFile(_ name: String, _ contents: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Requests the mock received, as "METHOD path".
    var requestLines: [String] { mock.requests.map { "\($0.method) \($0.path)" } }
}

extension MockTestCase {
    /// Runs the binary with stdin, stdout and stderr on a terminal (`script` makes a pty) and
    /// `answer` typed at it; both outputs come back mixed in `stdout`.
    func runOnTerminal(_ arguments: [String], answer: String, env extra: [String: String] = [:]) throws -> RunResult {
        let quoted = ([binaryURL.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try spark(["-qec", quoted.joined(separator: " "), "/dev/null"], env: env.merging(extra) { $1 },
                         stdin: answer + "\n", executable: "/usr/bin/script")
    }
}
