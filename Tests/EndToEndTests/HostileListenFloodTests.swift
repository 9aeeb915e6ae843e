import Foundation
import MockWebex
import SparkSpace
import SparkSpaceListen
import XCTest

/// Issue 25 item 3: one unauthenticated client must not freeze `listen`: with stderr a pipe
/// nobody reads (and full), a flood of refused requests neither keeps a signed delivery out nor
/// keeps SIGTERM from ending the process.
final class HostileListenFloodTests: MockTestCase {
    func testAFloodWithStderrAFullPipeNeitherKeepsADeliveryOutNorStopsSIGTERM() throws {
        let port = try LoopbackListener.freePort()
        let stderrPipe = fullPipe()
        defer { _ = Glibc.close(stderrPipe.read) }
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = ["listen", "--binding", "127.0.0.1", "--port", String(port), "--secret", "s3cret"]
        process.environment = env.merging(["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                                           "HOME": NSTemporaryDirectory() + "spark-space-home-none"]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(fileDescriptor: stderrPipe.write, closeOnDealloc: true)
        process.standardInput = FileHandle.nullDevice
        let lines = LineCollector(out.fileHandleForReading)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Up: the port answers.
        var up = false
        for _ in 0..<200 where !up {
            if let probe = try? RawClient(port: port) { probe.close(); up = true } else { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(up, "listen did not start")

        // The flood: 2,000 refused requests (wrong path, wrong method, bad signature) on a few connections.
        let flood = "GET /hook HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /x HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /hook HTTP/1.1\r\nHost: x\r\nX-Spark-Signature: 00\r\nContent-Length: 2\r\n\r\n{}"
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                guard let client = try? RawClient(port: port) else { return }
                for _ in 0..<170 { client.send(flood) }
                client.send("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                _ = client.readUntilClosed(timeout: 20)
                client.close()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "the flood was not answered")

        // A signed delivery is still answered and printed.
        let body = #"{"name":"shellbot-memberships","resource":"memberships","event":"created","data":{"roomId":"R","personEmail":"new@example.com","personId":"P"}}"#
        let signature = WebhookSignature.sign(Array(body.utf8), secret: "s3cret")
        let answer = try RawClient.deliver(body, signature: signature, port: port, timeout: 15)
        XCTAssertEqual(answer.outcome, .closed)
        XCTAssertTrue(answer.received.hasPrefix("HTTP/1.1 200"), "delivery: \(answer.received)")
        XCTAssertTrue(lines.wait(timeout: 15) { $0.contains("new@example.com") }, "the join event was not printed")

        // SIGTERM ends it although stderr is still full.
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(process.isRunning, "SIGTERM did not end listen")
    }
}

/// Collects the lines of a pipe as they come.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    init(_ handle: FileHandle) {
        readOnThread(handle) { [self] data in
            lock.lock()
            text += String(decoding: data, as: UTF8.self)
            lock.unlock()
        }
    }

    /// Waits until `condition` holds for the text so far.
    func wait(timeout: Double, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            lock.lock()
            let now = text
            lock.unlock()
            if condition(now) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
