import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 and websocket (RFC 6455, masked client frames) client over a plain TCP socket,
/// for the tests of the mock's websocket. Independent of the code under test.
final class TestSocket {
    enum Frame: Equatable {
        case text(String)
        case close(code: Int?, reason: String)
        case ping([UInt8])
        case pong([UInt8])
        case other(opcode: UInt8, payload: [UInt8])
    }

    struct HTTPReply {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var closedByPeer = false

    init(port: Int) throws {
        fd = try connectLoopback(port: port, name: "TestSocket")
    }

    deinit { _ = Glibc.close(fd) }

    func sendAll(_ bytes: [UInt8]) { EndToEndTests.sendAll(fd, bytes) }

    /// Reads what is there (waiting at most until `deadline`); false on timeout or end of stream.
    private func readMore(until deadline: Date) -> Bool {
        let left = deadline.timeIntervalSinceNow
        guard left > 0, !closedByPeer else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(min(left * 1000, 60_000)) + 1) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n <= 0 {
            closedByPeer = true
            return false
        }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// True when the peer closed the TCP connection within `timeout` (everything before is discarded).
    func waitForEOF(timeout: TimeInterval = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !closedByPeer && Date() < deadline { _ = readMore(until: deadline); buffer.removeAll() }
        return closedByPeer
    }

    // MARK: HTTP

    /// One request on a new connection (`Connection: close`).
    static func http(port: Int, _ method: String, _ path: String, token: String?, json: String? = nil,
                     contentType: String = "application/json") throws -> HTTPReply {
        let s = try TestSocket(port: port)
        var req = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let token { req += "Authorization: Bearer \(token)\r\n" }
        if let json { req += "Content-Type: \(contentType)\r\nContent-Length: \(json.utf8.count)\r\n" }
        req += "\r\n" + (json ?? "")
        s.sendAll(Array(req.utf8))
        let deadline = Date().addingTimeInterval(10)
        while s.readMore(until: deadline) {}
        return parse(String(decoding: s.buffer, as: UTF8.self))
    }

    /// The path and query of an absolute URL.
    static func pathOf(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let slash = url[scheme.upperBound...].firstIndex(of: "/") else { return url }
        return String(url[slash...])
    }

    private static func parse(_ text: String) -> HTTPReply {
        let split = text.components(separatedBy: "\r\n\r\n")
        let head = split.first ?? ""
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? -1
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPReply(status: status, headers: headers, body: split.dropFirst().joined(separator: "\r\n\r\n"))
    }

    // MARK: Websocket

    /// Upgrades a new connection at `url` (ws://...). Returns the socket after a 101, else the status.
    static func upgrade(_ url: String, port: Int, headers: [String] = []) throws -> (socket: TestSocket?, status: Int) {
        let s = try TestSocket(port: port)
        var req = "GET \(pathOf(url)) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for h in headers { req += h + "\r\n" }
        s.sendAll(Array((req + "\r\n").utf8))
        let deadline = Date().addingTimeInterval(10)
        let end = Array("\r\n\r\n".utf8)
        while findSubsequence(end, in: s.buffer) == nil {
            guard s.readMore(until: deadline) else { return (nil, -1) }
        }
        let cut = findSubsequence(end, in: s.buffer)! + 4
        let reply = parse(String(decoding: s.buffer[..<cut], as: UTF8.self))
        s.buffer.removeFirst(cut)
        guard reply.status == 101,
              reply.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" else { return (nil, reply.status) }
        return (s, 101)
    }

    private static func findSubsequence(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<i + needle.count]) == needle {
            return i
        }
        return nil
    }

    func sendFrame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true) {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let bit: UInt8 = masked ? 0x80 : 0
        let n = payload.count
        if n < 126 {
            out.append(bit | UInt8(n))
        } else if n < 65536 {
            out += [bit | 126, UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            out.append(bit | 127)
            for i in stride(from: 56, through: 0, by: -8) { out.append(UInt8((n >> i) & 0xFF)) }
        }
        guard masked else { return sendAll(out + payload) }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        out += mask
        out += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        sendAll(out)
    }

    func sendText(_ text: String) { sendFrame(opcode: 1, Array(text.utf8)) }

    func sendJSON(_ obj: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
        sendFrame(opcode: 1, [UInt8](data))
    }

    func authorize(_ token: String) { sendJSON(["id": UUID().uuidString, "type": "authorization", "data": ["token": "Bearer \(token)"]]) }

    /// The next whole frame (server frames are unmasked and, from this mock, unfragmented); nil on timeout or EOF.
    func readFrame(timeout: TimeInterval = 5) -> Frame? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let f = takeFrame() { return f }
            guard readMore(until: deadline) else { return nil }
        }
    }

    private func takeFrame() -> Frame? {
        guard buffer.count >= 2 else { return nil }
        let opcode = buffer[0] & 0x0F
        var len = Int(buffer[1] & 0x7F)
        var at = 2
        if len == 126 {
            guard buffer.count >= 4 else { return nil }
            len = Int(buffer[2]) << 8 | Int(buffer[3])
            at = 4
        } else if len == 127 {
            guard buffer.count >= 10 else { return nil }
            len = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }
            at = 10
        }
        guard buffer.count >= at + len else { return nil }
        let payload = Array(buffer[at..<at + len])
        buffer.removeFirst(at + len)
        switch opcode {
        case 1: return .text(String(decoding: payload, as: UTF8.self))
        case 8:
            let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
            return .close(code: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
        case 9: return .ping(payload)
        case 10: return .pong(payload)
        default: return .other(opcode: opcode, payload: payload)
        }
    }

    /// The next text frame as JSON (other frames skipped); nil on timeout, EOF or a close frame.
    func nextJSON(timeout: TimeInterval = 5) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        while let f = readFrame(timeout: max(0.01, deadline.timeIntervalSinceNow)) {
            switch f {
            case .text(let t): return (try? JSONSerialization.jsonObject(with: Data(t.utf8))) as? [String: Any]
            case .close: return nil
            default: continue
            }
        }
        return nil
    }

    /// The next close frame's code (text frames before it skipped); nil when none came.
    func closeCode(timeout: TimeInterval = 5) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while let f = readFrame(timeout: max(0.01, deadline.timeIntervalSinceNow)) {
            if case .close(let code, _) = f { return code }
        }
        return nil
    }
}
