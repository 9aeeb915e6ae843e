import Foundation
import MockWebex
import XCTest

/// `listen` whose stdout reader has gone (`spark-space listen | head -1` after head exits): like every
/// other command (SPEC Output: a closed stdout ends the command quietly with exit 0) it stops cleanly
/// after the first event it cannot print: no crash (SIGPIPE), no spinning, exit 0, and with
/// `--register` its webhooks are deregistered on the way out.
extension ListenTests {
    /// Starts `listen` with a stdout pipe whose reading end is closed at once; returns the process
    /// and a way to read its stderr.
    private func startListenWithClosedStdout(_ extra: [String], env more: [String: String] = [:]) throws
        -> (Process, () -> String) {
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = ["listen", "--binding", "127.0.0.1", "--port", "0"] + extra
        var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory() + "spark-space-home-none",
                           "LANG": "C.UTF-8"]
        environment.merge(env.merging(more) { $1 }) { $1 }
        process.environment = environment
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        let collected = StderrText()
        let handle = errPipe.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected.append(chunk)
            }
        }
        try process.run()
        // The reader goes away: every write to stdout now fails with EPIPE.
        try outPipe.fileHandleForReading.close()
        try? outPipe.fileHandleForWriting.close()
        addTeardownBlock { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let prefix = "listening on http://127.0.0.1:"
        let deadline = Date().addingTimeInterval(20)
        while !collected.text.contains(prefix) && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let rest = collected.text.components(separatedBy: prefix).last ?? ""
        port = Int(rest.prefix { $0.isNumber }) ?? 0
        XCTAssertGreaterThan(port, 0, collected.text)
        return (process, { collected.text })
    }

    func testClosedStdoutStopsCleanlyAfterTheFirstEvent() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let message = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "nobody reads this")
        let (process, stderr) = try startListenWithClosedStdout(
            ["--register", "https://bot.example.com/hook"], env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        let registered = Date().addingTimeInterval(20)
        while !stderr().contains("registered") && Date() < registered { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertEqual(mock.webhooks(token: "bot-token").count, 2, stderr())

        // Not a signal: the delivery it cannot print is what ends it.
        XCTAssertTrue(process.isRunning)
        XCTAssertEqual(post(messageDelivery(message, from: alice)), 200)
        guard process.exits(within: 15) else {
            return XCTFail("still running after a write to a closed stdout: \(stderr())")
        }
        XCTAssertEqual(process.terminationReason, .exit, "killed by a signal (SIGPIPE?)")
        XCTAssertEqual(process.terminationStatus, 0, stderr())
        XCTAssertFalse(stderr().contains("error"), stderr())
        XCTAssertFalse(stderr().contains("warning"), stderr())
        // It cleaned up as on SIGTERM: webhooks deregistered, and the delivery was fetched once.
        XCTAssertEqual(mock.webhooks(token: "bot-token").count, 0, stderr())
        XCTAssertEqual(mock.webhooks(token: "audit-token").count, 0, stderr())
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/messages/").count, 1)
    }

    func testClosedStdoutIsNotTouchedByIgnoredDeliveries() throws {
        // Deliveries that print nothing (the bot's own message) do not end it; the first printable one does.
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let own = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "mine")
        let theirs = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "theirs")
        let (process, stderr) = try startListenWithClosedStdout([])
        XCTAssertEqual(post(messageDelivery(own, from: mock.botId)), 200)
        XCTAssertFalse(process.exits(within: 1), "stopped without writing anything: \(stderr())")
        XCTAssertEqual(post(messageDelivery(theirs, from: alice)), 200)
        guard process.exits(within: 15) else { return XCTFail("still running: \(stderr())") }
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0, stderr())
    }
}

/// stderr text gathered from a reader thread.
private final class StderrText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) { lock.lock(); data.append(chunk); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
