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

    private let listener: Int32
    private(set) var port = 0
    private let respond: (Request, Int) -> Reply
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var closed = false

    /// `respond` gets each request and its number (0, 1, ...).
    init(_ respond: @escaping (Request, Int) -> Reply) throws {
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
                else { throw NSError(domain: "HostileResponder", code: Int(errno)) }
            }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { close() }

    var origin: String { "http://127.0.0.1:\(port)" }
    var baseURL: String { origin + "/v1" }

    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// Stops listening; once only (a second close could hit a descriptor reused since).
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
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { _ = Glibc.close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readRequest(fd) else { return }
        lock.lock()
        let number = recorded.count
        recorded.append(request)
        lock.unlock()
        let reply = respond(request, number)
        var head = "HTTP/1.1 \(reply.status) Hostile\r\nConnection: close\r\n"
        for (name, value) in reply.headers { head += "\(name): \(value)\r\n" }
        if !reply.headers.contains(where: { $0.0.lowercased() == "content-length" }) {
            head += "Content-Length: \(reply.body.count * reply.repeats)\r\n"
        }
        guard send(fd, Data((head + "\r\n").utf8)), request.method != "HEAD" else { return }
        for _ in 0..<reply.repeats where send(fd, reply.body) {}
        if reply.stall > 0 { Thread.sleep(forTimeInterval: reply.stall) }
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

    /// The request head (a body is read and dropped).
    private func readRequest(_ fd: Int32) -> Request? {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while data.range(of: Data("\r\n\r\n".utf8)) == nil {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0, data.count < 1 << 20 else { return nil }
            data.append(contentsOf: chunk[0..<n])
        }
        let headEnd = data.range(of: Data("\r\n\r\n".utf8))!
        let lines = String(decoding: data[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let first = lines[0].split(separator: " ")
        guard first.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var remaining = (headers["content-length"].flatMap(Int.init) ?? 0) - (data.count - headEnd.upperBound)
        while remaining > 0 {
            let n = recv(fd, &chunk, min(chunk.count, remaining), 0)
            guard n > 0 else { break }
            remaining -= n
        }
        return Request(method: String(first[0]), target: String(first[1]), headers: headers)
    }
}

/// What every hostile-server test runs with: a token, no retry delays to sit through.
let hostileEnv = ["CISCO_SPARK_BOT_TOKEN": "bot-token"]
