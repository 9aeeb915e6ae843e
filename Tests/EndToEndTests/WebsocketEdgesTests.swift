import Foundation
import MockWebex
import XCTest

/// Edges of the websocket (session 2026-12-07 b): Ctrl-C while a connection attempt waits, `-v`'s frame
/// lines (never the token), and a token refresh that fails on the network after close 4401.
final class WebsocketEdgesTests: MockTestCase {
    override var env: [String: String] {
        super.env.merging(["SPARK_U2C_URL": mock.u2cURL, "SPARK_SPACE_TEST_BACKOFF": "0.1"]) { $1 }
    }

    private func start(_ arguments: [String], env extra: [String: String] = [:]) throws -> Spawned {
        let spawned = try Spawned(arguments, env: env.merging(extra) { $1 })
        addTeardownBlock { spawned.kill() }
        return spawned
    }

    // MARK: Ctrl-C while connecting

    /// A server that accepts TCP connections and never answers anything on them.
    private final class SilentServer: @unchecked Sendable {
        let listener: LoopbackListener
        private let lock = NSLock()
        private var accepted: [Int32] = []

        init() throws {
            listener = try LoopbackListener()
            Thread.detachNewThread { [self] in
                listener.acceptEach { fd in
                    lock.lock()
                    accepted.append(fd)
                    lock.unlock()
                }
            }
        }

        var connections: Int {
            lock.lock()
            defer { lock.unlock() }
            return accepted.count
        }

        func waitForConnection(timeout: TimeInterval = 20) -> Bool {
            let end = Date().addingTimeInterval(timeout)
            while connections == 0 && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
            return connections > 0
        }

        func close() {
            listener.close()
            lock.lock()
            accepted.forEach { _ = Glibc.close($0) }
            accepted = []
            lock.unlock()
        }
    }

    /// Ctrl-C while the upgrade waits for an answer that never comes ends the run at once (not after
    /// --timeout), exit 130, and the device is deleted on the way out.
    private func assertCtrlCEndsAWaitingUpgrade(_ arguments: [String], file: StaticString = #filePath,
                                                line: UInt = #line) throws {
        let silent = try SilentServer()
        defer { silent.close() }
        mock.socketURLOverride = "ws://127.0.0.1:\(silent.listener.port)/never"
        let run = try start(["--timeout", "60"] + arguments)
        XCTAssertTrue(silent.waitForConnection(), "no connection attempt: \(run.stderr)", file: file, line: line)
        XCTAssertEqual(mock.devices(token: "bot-token").count, 1, file: file, line: line)
        let interrupted = Date()
        run.signal(SIGINT)
        XCTAssertEqual(run.waitForExit(timeout: 10), 130, run.stderr, file: file, line: line)
        let took = Date().timeIntervalSince(interrupted)
        XCTAssertLessThan(took, 1.5, "Ctrl-C took \(took) s to end a connection attempt", file: file, line: line)
        XCTAssertEqual(mock.deletedDevices.count, 1, "the device was not deleted: \(run.stderr)", file: file, line: line)
        XCTAssertEqual(run.stdout, "", file: file, line: line)
    }

    /// Ctrl-C while the TCP connection itself waits (a server whose accept queue is full drops the
    /// SYNs: libcurl's connect phase) ends the run at once too.
    func testCtrlCDuringTheTCPConnectEndsListenAtOnce() throws {
        let full = try LoopbackListener(backlog: 0)
        defer { full.close() }
        // Fill the accept queue (nobody accepts): later connections get no answer to their SYN.
        var fillers: [Int32] = []
        defer { fillers.forEach { _ = Glibc.close($0) } }
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var address = loopbackAddress(port: full.port)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(fd)
        }
        mock.socketURLOverride = "ws://127.0.0.1:\(full.port)/never"
        let run = try start(["--timeout", "60", "listen", "--websocket", "-v"])
        XCTAssertTrue(run.waitForStderr("registered device"), run.stderr)
        // Ready when a connection to the port waits for the answer to its SYN (SYN_SENT in /proc/net/tcp).
        let hex = String(full.port, radix: 16, uppercase: true)
        let port = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let ours = Set(fillers.map { fd -> String in
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            let hex = String(UInt16(bigEndian: address.sin_port), radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        })
        let end = Date().addingTimeInterval(20)
        func synSent() -> Bool {
            let table = procText("/proc/net/tcp")
            return table.split(separator: "\n").contains { line in
                let fields = line.split(separator: " ")
                return fields.count > 3 && fields[2].hasSuffix(":" + port) && fields[3] == "02"
                    && !ours.contains(String(fields[1].suffix(4)))
            }
        }
        while !synSent() && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertTrue(synSent(), "no connection waiting: \(run.stderr)")
        XCTAssertTrue(run.isRunning, run.stderr)
        let interrupted = Date()
        run.signal(SIGINT)
        XCTAssertEqual(run.waitForExit(timeout: 10), 130, run.stderr)
        let took = Date().timeIntervalSince(interrupted)
        XCTAssertLessThan(took, 1.5, "Ctrl-C took \(took) s to end a TCP connect")
        XCTAssertEqual(mock.deletedDevices.count, 1, run.stderr)
    }

    /// Ctrl-C while the device service does not answer (its request cannot be cancelled): the run
    /// still ends within the stop's grace (5 s), exit 130, saying the device is left to expire.
    func testCtrlCWhileTheDeviceServiceStallsEndsWithinTheGrace() throws {
        mock.inject(.delay(30), method: "POST", pathPrefix: "/wdm/api/v1/devices", times: 1)
        let run = try start(["--timeout", "60", "listen", "--websocket"])
        let asked = Date().addingTimeInterval(20)
        while mock.requests(method: "POST", pathPrefix: "/wdm/api/v1/devices").isEmpty && Date() < asked {
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertFalse(mock.requests(method: "POST", pathPrefix: "/wdm/api/v1/devices").isEmpty, run.stderr)
        let interrupted = Date()
        run.signal(SIGINT)
        XCTAssertEqual(run.waitForExit(timeout: 15), 130, run.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(interrupted), 7, run.stderr)
        XCTAssertTrue(run.stderr.contains("left to expire"), run.stderr)
    }

    // MARK: A stdout nobody reads

    /// `listen --websocket` whose stdout nobody reads: SIGTERM still ends it (it waits 5 s for an event
    /// to be printed, not for ever), the device is deleted, and the events not printed are said: exit 1.
    func testSIGTERMEndsAWebsocketListenerWhoseStdoutIsNotRead() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let listener = try startWithBlockedStdout(["listen", "--websocket"], ready: "websocket ready")
        let (process, stderr) = (listener.process, listener.stderr)
        let reply = try TestSocket.http(port: mock.port, "POST", "/v1/messages", token: "audit-token",
                                        json: #"{"roomId":"\#(room.id)","text":"nobody reads this"}"#)
        XCTAssertEqual(reply.status, 200, reply.body)
        // The event is made (its message fetched), then its write blocks.
        let fetched = Date().addingTimeInterval(20)
        while mock.requests(method: "GET", pathPrefix: "/messages/").isEmpty && Date() < fetched {
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertFalse(mock.requests(method: "GET", pathPrefix: "/messages/").isEmpty, stderr.text)

        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        guard process.exits(within: 15) else { return XCTFail("SIGTERM did not end listen --websocket: \(stderr.text)") }
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 10)
        XCTAssertEqual(process.terminationStatus, 1, stderr.text)
        XCTAssertTrue(stderr.wait(timeout: 5) { $0.contains("1 event was not printed") }, stderr.text)
        XCTAssertEqual(mock.deletedDevices.count, 1, "the device was not deleted: \(stderr.text)")
    }

    /// Activities waiting while stdout is not read are bounded by their frames' bytes (16 MB), not
    /// only by count: large ones past it are dropped and said, so memory stays bounded.
    func testLargeActivitiesWaitingForAnUnreadStdoutAreBoundedByBytes() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let listener = try startWithBlockedStdout(["listen", "--websocket"], ready: "websocket ready")
        let (process, stderr) = (listener.process, listener.stderr)
        let large = String(repeating: "x", count: 700_000)  // a frame of about 950 KB
        for _ in 0..<30 { mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: large) }
        XCTAssertTrue(stderr.wait(timeout: 20) { $0.contains("dropped a post activity") }, stderr.text)
        kill(process.processIdentifier, SIGTERM)
        guard process.exits(within: 15) else { return XCTFail("SIGTERM did not end listen --websocket: \(stderr.text)") }
        XCTAssertEqual(process.terminationStatus, 1, stderr.text)
        // What waited was at most 16 MB of frames: about 17 of the 30, one of them being written.
        let said = stderr.text.components(separatedBy: " events were not printed").first?
            .components(separatedBy: "error: ").last.flatMap { Int($0) }
        XCTAssertNotNil(said, stderr.text)
        XCTAssertLessThanOrEqual(said ?? 99, 18, stderr.text)
    }

    // MARK: -v

    /// `-v` tells each frame (direction, opcode, length; a close's code and reason, sanitized) and never a
    /// payload: the token of the authorization frame appears nowhere.
    func testVerboseTellsFramesButNeverTheToken() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let run = try start(["listen", "--websocket", "-v"])
        XCTAssertTrue(run.waitForStderr("websocket ready"), run.stderr)
        let reply = try TestSocket.http(port: mock.port, "POST", "/v1/messages", token: "audit-token",
                                        json: #"{"roomId":"\#(room.id)","text":"framed"}"#)
        XCTAssertEqual(reply.status, 200, reply.body)
        XCTAssertEqual(run.waitForLines(1).first?["text"] as? String, "framed", run.stderr)
        // A close from the server with a reason that tries to drive the terminal.
        XCTAssertEqual(mock.closeSocket(code: 1011, reason: "gone\u{1b}]0;pwned\u{07}"), 1)
        XCTAssertTrue(run.waitForStderr("websocket back after"), run.stderr)
        run.signal(SIGTERM)
        XCTAssertEqual(run.waitForExit(), 0, run.stderr)

        let stderr = run.stderr
        // The authorization frame (and acks, pings) out, Mercury's frames in, both closes.
        XCTAssertTrue(stderr.contains("websocket > text "), stderr)
        XCTAssertTrue(stderr.contains("websocket < text "), stderr)
        XCTAssertTrue(stderr.contains("websocket < close 1011 (gone"), stderr)
        XCTAssertTrue(stderr.contains("websocket > close 1000"), stderr)
        XCTAssertNotNil(stderr.range(of: #"websocket > text [0-9]+ bytes"#, options: .regularExpression), stderr)
        XCTAssertFalse(stderr.contains("\u{1b}"), "a terminal control from the server reached stderr")
        XCTAssertFalse(stderr.contains("\u{07}"), "a terminal control from the server reached stderr")
        for secret in ["bot-token", "Bearer"] {
            XCTAssertFalse(stderr.contains(secret) || run.stdout.contains(secret), "\(secret) in the output")
        }
    }

    func testCtrlCDuringTheUpgradeEndsListenAtOnce() throws {
        try assertCtrlCEndsAWaitingUpgrade(["listen", "--websocket"])
    }

    func testCtrlCDuringTheUpgradeEndsWaitAtOnce() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let message = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "approve?")
        try assertCtrlCEndsAWaitingUpgrade(["wait", "--card", message.id])
    }
}

/// A /proc file's text (its size reads as 0, so it is read to the end, not by its size).
func procText(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { _ = Glibc.close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
