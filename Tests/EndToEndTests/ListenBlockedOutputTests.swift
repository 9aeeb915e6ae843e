import Foundation
import MockWebex
import XCTest

/// `listen` whose stdout is a pipe nobody reads (the reader stopped, or is paused): the server goes on
/// answering, accepted deliveries wait in a bounded queue and past it are answered 503 (not taken: Webex
/// may send them again), SIGTERM still ends it within seconds, and no accepted event is lost silently:
/// a reader that comes back gets every one whole, once; a stop before that says how many were not printed
/// and exits 1.
final class ListenBlockedOutputTests: MockTestCase {
    private func startListen() throws -> (listener: BlockedListener, port: Int) {
        let port = try LoopbackListener.freePort()
        let listener = try startWithBlockedStdout(["listen", "--binding", "127.0.0.1", "--port", String(port)],
                                                  ready: "listening on")
        return (listener, port)
    }

    private func joinDelivery(_ email: String) -> String {
        #"{"name":"shellbot-memberships","resource":"memberships","event":"created","data":{"roomId":"R","personEmail":"\#(email)","personId":"P"}}"#
    }

    /// Posts joins until one is answered 503; returns the e-mails answered 200 and the 503's answer.
    private func deliverUntilBusy(port: Int, limit: Int = 1000) throws -> (accepted: [String], busy: String?) {
        var accepted: [String] = []
        for i in 0..<limit {
            let email = "p\(i)@example.com"
            let answer = try RawClient.deliver(joinDelivery(email), signature: "", port: port, timeout: 10)
            XCTAssertEqual(answer.outcome, .closed, "not answered: \(answer.received)")
            if answer.received.hasPrefix("HTTP/1.1 503") { return (accepted, answer.received) }
            XCTAssertTrue(answer.received.hasPrefix("HTTP/1.1 200"), answer.received)
            accepted.append(email)
        }
        return (accepted, nil)
    }

    func testStdoutNobodyReadsNeitherStopsAnswersNorSIGTERM() throws {
        let (listener, port) = try startListen()
        let (accepted, busy) = try deliverUntilBusy(port: port)
        // Bounded: past the queue's bound (256 deliveries) a delivery is refused, not kept.
        let answer = try XCTUnwrap(busy, "every delivery was accepted although nothing was printed")
        XCTAssertFalse(accepted.isEmpty)
        XCTAssertLessThanOrEqual(accepted.count, 256)
        XCTAssertTrue(answer.contains("Retry-After:"), answer)
        XCTAssertTrue(listener.stderr.wait(timeout: 10) { $0.contains("refused a request (503)") }, "no notice of the 503")

        // Still answering: another refusal, and a request of another kind, at once.
        let again = try RawClient.deliver(joinDelivery("late@example.com"), signature: "", port: port, timeout: 5)
        XCTAssertTrue(again.received.hasPrefix("HTTP/1.1 503"), again.received)
        let client = try RawClient(port: port)
        client.send("GET /hook HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(client.readUntilClosed(timeout: 5), .closed)
        XCTAssertTrue(client.received.hasPrefix("HTTP/1.1 405"), client.received)
        client.close()

        // SIGTERM ends it (the stop waits 5 s for a stuck printer), saying how many events were not printed.
        let signalled = Date()
        kill(listener.process.processIdentifier, SIGTERM)
        XCTAssertTrue(listener.process.exits(within: 15), "SIGTERM did not end listen")
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 10)
        XCTAssertEqual(listener.process.terminationReason, .exit)
        XCTAssertEqual(listener.process.terminationStatus, 1, "events were lost: not a success")
        XCTAssertTrue(listener.stderr.wait(timeout: 5) { $0.contains("accepted events were not printed") },
                      "the loss was not said")
    }

    func testAReaderThatComesBackGetsEveryAcceptedEventWholeAndOnce() throws {
        let (listener, port) = try startListen()
        let (accepted, busy) = try deliverUntilBusy(port: port)
        XCTAssertNotNil(busy)

        // The reader comes back: every accepted event comes, once, each a whole line.
        let stdout = FDText(dup(listener.stdoutRead))
        let events = { () -> [String] in
            // The pipe was filled with x's before the listener started.
            let lines = stdout.text.drop { $0 == "x" }.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.dropLast().map(String.init)  // the last one is empty or not complete yet
        }
        let deadline = Date().addingTimeInterval(30)
        while events().count < accepted.count && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let lines = events()
        XCTAssertEqual(lines.count, accepted.count, "events lost or added")
        var emails: [String] = []
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertEqual(object?["type"] as? String, "join", line)
            emails.append(object?["actor_address"] as? String ?? line)
        }
        XCTAssertEqual(Set(emails).count, emails.count, "an event twice")
        XCTAssertEqual(Set(emails), Set(accepted))

        // Taking deliveries again, and a clean stop.
        let answer = try RawClient.deliver(joinDelivery("back@example.com"), signature: "", port: port)
        XCTAssertTrue(answer.received.hasPrefix("HTTP/1.1 200"), answer.received)
        XCTAssertTrue(stdout.wait(timeout: 10) { $0.contains("back@example.com") })
        kill(listener.process.processIdentifier, SIGTERM)
        XCTAssertTrue(listener.process.exits(within: 15), "SIGTERM did not end listen")
        XCTAssertEqual(listener.process.terminationStatus, 0)
    }
}

/// A spawned process whose stdout is a full pipe nobody reads (until a test reads `stdoutRead`).
struct BlockedListener {
    let process: Process
    let stdoutRead: Int32
    let stderr: FDText
}

extension MockTestCase {
    /// Runs the binary with `arguments`, its stdout a full pipe (`fullPipe`) and its stderr gathered;
    /// returns once stderr says `ready`. The process is killed and the pipe closed at teardown.
    func startWithBlockedStdout(_ arguments: [String], ready: String) throws -> BlockedListener {
        let stdoutPipe = fullPipe()
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = arguments
        process.environment = env.merging(["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                                           "HOME": NSTemporaryDirectory() + "spark-space-home-none"]) { $1 }
        let errPipe = Pipe()
        process.standardOutput = FileHandle(fileDescriptor: stdoutPipe.write, closeOnDealloc: true)
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        let stderr = FDText(dup(errPipe.fileHandleForReading.fileDescriptor))
        try? errPipe.fileHandleForReading.close()
        try process.run()
        addTeardownBlock {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            _ = Glibc.close(stdoutPipe.read)
        }
        XCTAssertTrue(stderr.wait(timeout: 20) { $0.contains(ready) }, "not started: \(stderr.text)")
        return BlockedListener(process: process, stdoutRead: stdoutPipe.read, stderr: stderr)
    }
}

extension Process {
    /// True when it exited within `timeout` seconds (then its status can be read).
    func exits(within timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        guard !isRunning else { return false }
        waitUntilExit()
        return true
    }
}

/// A pipe whose buffer is already full of `x`: the next write on it blocks until someone reads.
func fullPipe() -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    precondition(pipe(&fds) == 0)
    let flags = fcntl(fds[1], F_GETFL)
    _ = fcntl(fds[1], F_SETFL, flags | O_NONBLOCK)
    let junk = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
    while write(fds[1], junk, junk.count) > 0 {}
    _ = fcntl(fds[1], F_SETFL, flags)  // the listener gets a blocking pipe, as a shell gives it
    return (fds[0], fds[1])
}

/// The text read from a descriptor by a thread of its own (a plain `read`, retried on EINTR); closes it at the end.
final class FDText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    init(_ fd: Int32) {
        Thread.detachNewThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = Glibc.read(fd, &chunk, chunk.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.lock()
                data.append(contentsOf: chunk[0..<n])
                lock.unlock()
            }
            _ = Glibc.close(fd)
        }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits until `condition` holds for the text so far; false after `timeout` seconds.
    func wait(timeout: Double, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if condition(text) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < deadline
        return condition(text)
    }
}
