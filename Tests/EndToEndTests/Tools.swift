import Foundation
import XCTest

/// The repository's root (this file is Tests/EndToEndTests/Tools.swift).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A file of the repository as text.
func repoFile(_ path: String) throws -> String {
    try String(contentsOf: repoRoot.appendingPathComponent(path), encoding: .utf8)
}

/// Runs a program (found on PATH) with `arguments`. The environment is only what
/// is given plus a PATH and a scratch HOME. Output goes through files, so no
/// pipe can fill up and block the program.
func runTool(
    _ program: String, _ arguments: [String], env: [String: String] = [:], directory: URL? = nil,
    timeout: TimeInterval = 120
) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": try scratchHome().path,
                       "LANG": "C.UTF-8", "TERM": "dumb"]
    environment.merge(env) { _, new in new }
    process.environment = environment
    process.currentDirectoryURL = directory
    let dir = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
        throw NSError(domain: "tool", code: 1, userInfo: [NSLocalizedDescriptionKey: "timed out: \(program) \(arguments)"])
    }
    process.waitUntilExit()
    let outData = try Data(contentsOf: outURL)
    return RunResult(code: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self), stdoutData: outData)
}

/// One HOME for every tool run, so a developer's own settings never leak in.
func scratchHome() throws -> URL {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("spark-space-tools-home")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    return home
}

/// A new empty directory under the temporary directory.
func scratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spark-space-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes an executable script and returns its URL.
@discardableResult
func writeExecutable(_ url: URL, _ text: String) throws -> URL {
    try text.write(to: url, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    return url
}

extension XCTestCase {
    /// A new empty directory, removed when the test ends.
    func temporaryDirectory() throws -> URL {
        let dir = try scratchDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}
