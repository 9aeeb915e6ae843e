import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket bound to 127.0.0.1 on a port the system picks, for the tests' own servers
/// (independent of the code under test). Closed once only: a second close could hit a
/// descriptor reused since.
final class LoopbackListener: @unchecked Sendable {
    let fd: Int32
    private(set) var port = 0
    private let lock = NSLock()
    private var closed = false

    /// Listening with `backlog`, or only bound when it is nil.
    init(backlog: Int32? = 64) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && (backlog.map { listen(fd, $0) == 0 } ?? true)
                    && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            let code = Int(errno)
            _ = Glibc.close(fd)
            throw NSError(domain: "LoopbackListener", code: code)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close() }

    /// A port free a moment ago (bound, then let go).
    static func freePort() throws -> Int {
        let probe = try LoopbackListener(backlog: nil)
        defer { probe.close() }
        return probe.port
    }

    /// Accepts connections until closed, each handed to `accepted` on the accepting thread.
    func acceptEach(_ accepted: (Int32) -> Void) {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            accepted(client)
        }
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        shutdown(fd, Int32(SHUT_RDWR))
        _ = Glibc.close(fd)
    }
}

func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return address
}

/// A blocking TCP connection to 127.0.0.1:`port`.
func connectLoopback(port: Int, name: String) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        let code = Int(errno)
        _ = Glibc.close(fd)
        throw NSError(domain: name, code: code)
    }
    return fd
}

/// Writes all of `bytes` (no SIGPIPE); false when the peer is gone.
@discardableResult
func sendAll(_ fd: Int32, _ bytes: some ContiguousBytes) -> Bool {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

/// The head of the next HTTP/1.1 message on `fd`, a request or an answer: the words of its first line
/// (method, target, version; or version, status, reason) and its headers (names in lower case). Read
/// into `buffer`, which keeps what came after the head; nil at the connection's end, past 1 MiB
/// without a whole head, or with fewer than two words in the first line.
func readHead(_ fd: Int32, _ buffer: inout Data) -> (words: [String], headers: [String: String])? {
    var chunk = [UInt8](repeating: 0, count: 4096)
    let separator = Data("\r\n\r\n".utf8)
    while buffer.range(of: separator) == nil {
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0, buffer.count < 1 << 20 else { return nil }
        buffer.append(contentsOf: chunk[0..<n])
    }
    let headEnd = buffer.range(of: separator)!
    let lines = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
    buffer = Data(buffer[headEnd.upperBound...])
    let words = lines[0].split(separator: " ", maxSplits: 2).map(String.init)
    guard words.count >= 2 else { return nil }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return (words, headers)
}

/// The head of the next HTTP/1.1 request on `fd` (see `readHead`): its method, target and headers.
func readRequestHead(_ fd: Int32, _ buffer: inout Data) -> (method: String, target: String, headers: [String: String])? {
    guard let head = readHead(fd, &buffer) else { return nil }
    return (head.words[0], head.words[1], head.headers)
}

/// What a test server received, in order, shared by its connections' threads.
final class RequestLog<Request>: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Request] = []

    /// Records `request`; its number (0, 1, ...).
    func append(_ request: Request) -> Int {
        lock.lock()
        defer { lock.unlock() }
        recorded.append(request)
        return recorded.count - 1
    }

    var all: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}

/// A `recv` on `fd` gives up after `seconds` (a test server never hangs on a silent client).
func setReceiveTimeout(_ fd: Int32, seconds: Int) {
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
}
