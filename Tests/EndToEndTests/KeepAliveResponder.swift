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

    private let listener: Int32
    private(set) var port = 0
    private let respond: (Request, Int) -> Action
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var connections = 0
    private var closed = false

    init(_ respond: @escaping (Request, Int) -> Action) throws {
        self.respond = respond
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(listener, raw, length) == 0, listen(listener, 64) == 0,
                      getsockname(listener, raw, &length) == 0
                else { throw NSError(domain: "KeepAliveResponder", code: Int(errno)) }
            }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { close() }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        shutdown(listener, Int32(SHUT_RDWR))
        _ = Glibc.close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            lock.lock()
            let number = connections
            connections += 1
            lock.unlock()
            Thread { [self] in serve(client, connection: number) }.start()
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer { _ = Glibc.close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = Data()
        while let request = readRequest(fd, &buffer, connection: connection) {
            lock.lock()
            let number = recorded.count
            recorded.append(request)
            lock.unlock()
            guard case .reply(let reply) = respond(request, number) else { return }
            var head = "HTTP/1.1 \(reply.status) Hostile\r\n"
            for (name, value) in reply.headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(reply.body.count)\r\n\r\n"
            guard send(fd, Data(head.utf8) + reply.body) else { return }
        }
    }

    private func send(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// The next request of the connection, with its body (Content-Length only); nil at its end.
    private func readRequest(_ fd: Int32, _ data: inout Data, connection: Int) -> Request? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let separator = Data("\r\n\r\n".utf8)
        while data.range(of: separator) == nil {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0, data.count < 1 << 20 else { return nil }
            data.append(contentsOf: chunk[0..<n])
        }
        let headEnd = data.range(of: separator)!
        let lines = String(decoding: data[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let first = lines[0].split(separator: " ")
        guard first.count >= 2 else { return nil }
        var length = 0
        for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        data = Data(data[headEnd.upperBound...])
        while data.count < length {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            data.append(contentsOf: chunk[0..<n])
        }
        let body = String(decoding: data.prefix(length), as: UTF8.self)
        data = Data(data.dropFirst(length))
        return Request(method: String(first[0]), target: String(first[1]), body: body, connection: connection)
    }
}
