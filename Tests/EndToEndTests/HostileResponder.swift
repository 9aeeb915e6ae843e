import Foundation
import XCTest

/// A tiny HTTP/1.1 server on 127.0.0.1 (port 0) that answers every request with what a
/// test scripts, however hostile: one connection per request (`Connection: close`),
/// blocking sockets, a thread per connection. Every request is recorded.
final class HostileResponder: @unchecked Sendable {
    struct Request {
        var method: String
        var target: String
        /// Header names in lower case.
        var headers: [String: String]
    }

    /// One answer: status line and headers as given, then `body` written `repeats` times
    /// (a big body costs the test no memory). `Content-Length` is added unless given.
    struct Reply {
        var status: Int = 200
        var headers: [(String, String)] = []
        var body: Data = Data()
        var repeats = 1
        /// Seconds to keep the connection open, silent, after the body (a stalled transfer).
        var stall: TimeInterval = 0

        static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Reply {
            Reply(status: status, headers: [("Content-Type", "application/json")] + headers, body: Data(text.utf8))
        }
    }

    private let listener: LoopbackListener
    var port: Int { listener.port }
    private let respond: (Request, Int) -> Reply
    private let log = RequestLog<Request>()

    /// `respond` gets each request and its number (0, 1, ...).
    init(_ respond: @escaping (Request, Int) -> Reply) throws {
        self.respond = respond
        listener = try LoopbackListener()
        Thread { [self] in listener.acceptEach { client in Thread { [self] in serve(client) }.start() } }.start()
    }

    deinit { close() }

    /// A file `name` of 100 MB announced, 64 KB sent, then silence: only a transfer that stops at
    /// the headers ends soon.
    static func stallingFile(_ name: String) throws -> HostileResponder {
        try HostileResponder { _, _ in
            Reply(headers: [("Content-Disposition", "attachment; filename=\"\(name)\""), ("Content-Length", "100000000")],
                  body: Data(repeating: 1, count: 1 << 16), stall: 30)
        }
    }

    var origin: String { "http://127.0.0.1:\(port)" }
    var baseURL: String { origin + "/v1" }

    var requests: [Request] { log.all }

    /// Stops listening.
    func close() { listener.close() }

    private func serve(_ fd: Int32) {
        defer { _ = Glibc.close(fd) }
        setReceiveTimeout(fd, seconds: 10)
        guard let request = readRequest(fd) else { return }
        let reply = respond(request, log.append(request))
        var head = "HTTP/1.1 \(reply.status) Hostile\r\nConnection: close\r\n"
        for (name, value) in reply.headers { head += "\(name): \(value)\r\n" }
        if !reply.headers.contains(where: { $0.0.lowercased() == "content-length" }) {
            head += "Content-Length: \(reply.body.count * reply.repeats)\r\n"
        }
        guard sendAll(fd, Data((head + "\r\n").utf8)), request.method != "HEAD" else { return }
        for _ in 0..<reply.repeats where sendAll(fd, reply.body) {}
        if reply.stall > 0 { Thread.sleep(forTimeInterval: reply.stall) }
    }

    /// The request head (a body is read and dropped).
    private func readRequest(_ fd: Int32) -> Request? {
        var data = Data()
        guard let head = readRequestHead(fd, &data) else { return nil }
        var remaining = (head.headers["content-length"].flatMap(Int.init) ?? 0) - data.count
        var chunk = [UInt8](repeating: 0, count: 4096)
        while remaining > 0 {
            let n = recv(fd, &chunk, min(chunk.count, remaining), 0)
            guard n > 0 else { break }
            remaining -= n
        }
        return Request(method: head.method, target: head.target, headers: head.headers)
    }
}

/// What every hostile-server test runs with: a token, no retry delays to sit through.
let hostileEnv = ["CISCO_SPARK_BOT_TOKEN": "bot-token"]
