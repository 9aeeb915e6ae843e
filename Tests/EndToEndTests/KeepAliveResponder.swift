import Foundation
import XCTest

/// A hostile HTTP/1.1 server on 127.0.0.1 (port 0) that keeps connections alive, as Webex does,
/// and may drop one after reading a request, without answering: what makes libcurl re-send a
/// request on a new connection by itself. Every request is recorded with its body.
final class KeepAliveResponder: @unchecked Sendable {
    struct Request {
        var method: String
        var target: String
        var body: String
        /// The connection it came on (0, 1, ...).
        var connection: Int
    }

    enum Action {
        case reply(HostileResponder.Reply)
        /// Close the connection without a byte of answer.
        case drop
    }

    private let listener: LoopbackListener
    var port: Int { listener.port }
    private let respond: (Request, Int) -> Action
    private let lock = NSLock()
    private let log = RequestLog<Request>()
    private var connections = 0

    init(_ respond: @escaping (Request, Int) -> Action) throws {
        self.respond = respond
        listener = try LoopbackListener()
        Thread { [self] in listener.acceptEach(startServing) }.start()
    }

    deinit { close() }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    var requests: [Request] { log.all }

    func close() { listener.close() }

    private func startServing(_ client: Int32) {
        lock.lock()
        let number = connections
        connections += 1
        lock.unlock()
        Thread { [self] in serve(client, connection: number) }.start()
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer { _ = Glibc.close(fd) }
        setReceiveTimeout(fd, seconds: 10)
        var buffer = Data()
        while let request = readRequest(fd, &buffer, connection: connection) {
            guard case .reply(let reply) = respond(request, log.append(request)) else { return }
            var head = "HTTP/1.1 \(reply.status) Hostile\r\n"
            for (name, value) in reply.headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(reply.body.count)\r\n\r\n"
            guard sendAll(fd, Data(head.utf8) + reply.body) else { return }
        }
    }

    /// The next request of the connection, with its body (Content-Length only); nil at its end.
    private func readRequest(_ fd: Int32, _ data: inout Data, connection: Int) -> Request? {
        guard let head = readRequestHead(fd, &data) else { return nil }
        let length = head.headers["content-length"].flatMap(Int.init) ?? 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while data.count < length {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            data.append(contentsOf: chunk[0..<n])
        }
        let body = String(decoding: data.prefix(length), as: UTF8.self)
        data = Data(data.dropFirst(length))
        return Request(method: head.method, target: head.target, body: body, connection: connection)
    }
}
