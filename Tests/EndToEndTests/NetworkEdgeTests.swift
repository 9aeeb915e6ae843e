import Foundation
import MockWebex
import XCTest

/// SPEC "Network behaviour" cases the other suites leave out: the connect timeout,
/// and `HTTPS_PROXY`.
final class NetworkEdgeTests: MockTestCase {
    private func noRetries() throws -> String { try writeFile("s.yaml", "network:\n  retry_delays: []\n") }

    /// `--timeout` bounds connecting too: a server whose accept queue is full drops the
    /// SYN, so connecting hangs until curl gives up.
    func testTimeoutBoundsConnecting() throws {
        let server = try BlackHoleServer()
        defer { server.close() }
        let started = Date()
        let r = try spark(["whoami", "--timeout", "1", "--api-url", "http://127.0.0.1:\(server.port)/v1",
                           "-c", try noRetries()],
                          env: ["CISCO_SPARK_BOT_TOKEN": "bot-token"])
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertNotEqual(r.code, 0, r.stdout)
        XCTAssertLessThan(elapsed, 10, "the 60 s default or no bound at all: \(r.stderr)")
        XCTAssertGreaterThan(elapsed, 0.9, "it did wait for the timeout: \(r.stderr)")
        XCTAssertTrue(r.stderr.lowercased().contains("time"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }

    /// An https API URL goes through `HTTPS_PROXY` with `CONNECT`, and the token is not
    /// given to the proxy; `NO_PROXY` bypasses it.
    func testHTTPSProxyVariableIsUsedForHTTPSAndGetsNoToken() throws {
        let proxy = "http://127.0.0.1:\(mock.port)"
        var r = try spark(["whoami", "--api-url", "https://api.example.invalid/v1", "-c", try noRetries()],
                          env: ["CISCO_SPARK_BOT_TOKEN": "bot-token", "HTTPS_PROXY": proxy])
        XCTAssertNotEqual(r.code, 0)  // the mock is no real proxy; what matters is that it was asked
        let connects = mock.requests.filter { $0.method == "CONNECT" }
        XCTAssertEqual(connects.map(\.target), ["api.example.invalid:443"], "\(mock.requests.map(\.target))")
        XCTAssertNil(connects.first?.headers["authorization"], "the proxy must not see the token")
        XCTAssertFalse(r.stderr.contains("bot-token"), r.stderr)

        mock.clearRequests()
        r = try spark(["whoami", "--api-url", "https://api.example.invalid/v1", "-c", try noRetries()],
                      env: ["CISCO_SPARK_BOT_TOKEN": "bot-token", "HTTPS_PROXY": proxy,
                            "NO_PROXY": "api.example.invalid"])
        XCTAssertNotEqual(r.code, 0)
        XCTAssertTrue(mock.requests.isEmpty, "\(mock.requests.map(\.target))")
    }
}

/// A TCP listener that never accepts, its queue filled: new connections hang in SYN-SENT.
private final class BlackHoleServer {
    private let listener: LoopbackListener
    private var fillers: [Int32] = []
    var port: Int { listener.port }

    init() throws {
        listener = try LoopbackListener(backlog: 0)
        var address = loopbackAddress(port: listener.port)
        // Backlog 0 still queues a connection or two: fill the queue.
        for _ in 0..<4 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    _ = connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(client)
        }
        Thread.sleep(forTimeInterval: 0.2)
    }

    func close() {
        for fd in fillers { _ = Glibc.close(fd) }
        listener.close()
    }
}
