import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 requests to 127.0.0.1:`port` over kept-alive connections, as a webhook sender
/// reuses its connections: plain sockets, so that what a soak test costs is the server's work
/// (URLSession's machinery, or a new connection a request, cost more than the listener).
final class LoopbackHTTPClient: @unchecked Sendable {
    let port: Int
    private let lock = NSLock()
    private var idle: [Int32] = []

    init(port: Int) { self.port = port }

    deinit { idle.forEach { _ = Glibc.close($0) } }

    /// Sends one request; its status, 0 when no answer came within 30 s.
    func send(_ method: String, _ path: String, headers: [String: String], body: Data) -> Int {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method != "GET" { head += "Content-Length: \(body.count)\r\n" }
        let request = Data((head + "\r\n").utf8) + (method == "GET" ? Data() : body)
        // A kept connection the server has closed meanwhile gets no answer at all: once more on a new one.
        for attempt in 0..<2 {
            guard let (fd, reused) = connection(fresh: attempt > 0) else { return 0 }
            switch exchange(fd, request) {
            case .answered(let status, let keep):
                if keep { give(fd) } else { _ = Glibc.close(fd) }
                return status
            case .nothing where reused && attempt == 0:
                _ = Glibc.close(fd)
            case .nothing, .broken:
                _ = Glibc.close(fd)
                return 0
            }
        }
        return 0
    }

    private enum Outcome { case answered(Int, keep: Bool), nothing, broken }

    private func connection(fresh: Bool) -> (Int32, reused: Bool)? {
        lock.lock()
        let kept = fresh ? nil : idle.popLast()
        lock.unlock()
        if let kept { return (kept, true) }
        guard let fd = try? connectLoopback(port: port, name: "post") else { return nil }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return (fd, false)
    }

    private func give(_ fd: Int32) {
        lock.lock()
        idle.append(fd)
        lock.unlock()
    }

    /// Writes the request and reads the whole answer (head, then Content-Length bytes).
    private func exchange(_ fd: Int32, _ request: Data) -> Outcome {
        guard sendAll(fd, request) else { return .nothing }
        var buffer = Data()
        guard let head = readResponseHead(fd, &buffer) else { return buffer.isEmpty ? .nothing : .broken }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.count < head.length {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return .broken }
            buffer.append(contentsOf: chunk[0..<n])
        }
        return .answered(head.status, keep: !head.close && buffer.count == head.length)
    }

    /// The status, Content-Length and whether the server closes, from the answer's head (see `readHead`).
    private func readResponseHead(_ fd: Int32, _ buffer: inout Data) -> (status: Int, length: Int, close: Bool)? {
        guard let head = readHead(fd, &buffer), head.words[0].hasPrefix("HTTP/1."), let status = Int(head.words[1])
        else { return nil }
        let length = head.headers["content-length"].flatMap { Int($0) } ?? 0
        return (status, length, head.headers["connection"]?.lowercased() == "close")
    }
}

/// One client a port, made on first use from any thread.
final class LoopbackHTTPClients: @unchecked Sendable {
    private let lock = NSLock()
    private var byPort: [Int: LoopbackHTTPClient] = [:]

    func client(port: Int) -> LoopbackHTTPClient {
        lock.lock()
        defer { lock.unlock() }
        if let client = byPort[port] { return client }
        let client = LoopbackHTTPClient(port: port)
        byPort[port] = client
        return client
    }
}
