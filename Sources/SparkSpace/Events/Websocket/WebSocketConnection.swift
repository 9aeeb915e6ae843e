import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a websocket could not be opened or was lost.
public enum WebSocketFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered the upgrade with another status than 101 (404: the device is gone).
    case upgradeRefused(status: Int, message: String)
    /// The server answered 101 without the right `Sec-WebSocket-Accept` or `Upgrade`.
    case badHandshake(String)
    /// No connection, or it broke (libcurl's or the system's words).
    case network(String)
    /// Nothing a retry can change: a rejected certificate, a malformed URL.
    case permanent(String)
    /// The server broke RFC 6455 (the socket was closed with `closeCode`).
    case protocolViolation(WebSocketProtocolError)
    /// The caller asked to stop (Ctrl-C) while connecting, upgrading or sending.
    case cancelled

    /// The failure in one sentence for an error line.
    public var description: String {
        switch self {
        case .upgradeRefused(let status, let message): return "the websocket upgrade was answered \(status) \(message)"
        case .badHandshake(let why): return "bad websocket handshake: \(why)"
        case .network(let why), .permanent(let why): return why
        case .protocolViolation(let error): return error.description
        case .cancelled: return "stopped while connecting"
        }
    }
}

/// One frame sent or received, as `-v` tells it: never its payload (the authorization frame
/// carries the token), only its direction, opcode and length, and a close frame's code and reason.
public struct WebSocketFrameLog: Sendable, Equatable {
    /// True for a frame this client sent, false for one it received.
    public var outgoing: Bool
    /// The frame's opcode (a fragmented message: its first frame's).
    public var opcode: WebSocketOpcode
    /// Payload bytes (a fragmented message: all its fragments').
    public var length: Int
    /// A close frame's status code; nil for other frames and for a close frame without a body.
    public var closeCode: UInt16?
    /// The close frame's reason as the server sent it (not sanitized: the caller does it).
    public var closeReason: String

    /// The log line of one frame; `closeCode` and `closeReason` only for a close frame.
    public init(outgoing: Bool, opcode: WebSocketOpcode, length: Int, closeCode: UInt16? = nil, closeReason: String = "") {
        self.outgoing = outgoing
        self.opcode = opcode
        self.length = length
        self.closeCode = closeCode
        self.closeReason = closeReason
    }

    /// The frame a received message came in.
    init(received message: WebSocketMessage) {
        switch message {
        case .text(let text): self.init(outgoing: false, opcode: .text, length: text.utf8.count)
        case .binary(let bytes): self.init(outgoing: false, opcode: .binary, length: bytes.count)
        case .ping(let bytes): self.init(outgoing: false, opcode: .ping, length: bytes.count)
        case .pong(let bytes): self.init(outgoing: false, opcode: .pong, length: bytes.count)
        case .close(let code, let reason):
            self.init(outgoing: false, opcode: .close, length: code == nil ? 0 : 2 + reason.utf8.count,
                      closeCode: code, closeReason: reason)
        }
    }
}

/// How a websocket connects: the same TLS and timeout rules as every request.
public struct WebSocketOptions: Sendable {
    /// Connect timeout, the longest wait for the upgrade's answer, and the longest a send may stall (seconds;
    /// used within 0.001...86400, and 60 when not a number).
    public var timeout: Double

    /// `timeout` as it is used: a value from a caller cannot trap a conversion or void a deadline.
    var boundedTimeout: Double { timeout.isNaN ? 60 : min(max(timeout, 0.001), 86_400) }
    /// The `User-Agent` header of the upgrade request.
    public var userAgent: String
    /// An extra CA bundle (`--cacert`, `SSL_CERT_FILE`).
    public var caFile: String?
    /// The largest frame payload accepted (bytes; at least 125): a larger one ends the socket with 1009.
    public var maxFrameBytes: Int
    /// The largest message reassembled from fragments (bytes; at least `maxFrameBytes`): more ends it with 1009.
    public var maxMessageBytes: Int

    /// Options with a 60 s timeout, no extra CA bundle, 1 MB frames and 4 MB messages unless given.
    public init(timeout: Double = 60, userAgent: String, caFile: String? = nil,
                maxFrameBytes: Int = 1 << 20, maxMessageBytes: Int = 4 << 20) {
        self.timeout = timeout
        self.userAgent = userAgent
        self.caFile = caFile
        self.maxFrameBytes = maxFrameBytes
        self.maxMessageBytes = maxMessageBytes
    }
}

/// A client websocket over libcurl: libcurl connects (TCP, TLS verified, `--cacert`, proxy
/// variables) with `CURLOPT_CONNECT_ONLY` and HTTP/1.1 forced (ALPN would choose h2, which
/// has no upgrade); the upgrade request, its `Sec-WebSocket-Accept` check and RFC 6455
/// framing are done here over `curl_easy_send`/`curl_easy_recv`. This works with libcurl
/// 7.88 (Debian 12), which has no usable `curl_ws_*`. One thread uses a connection.
public final class WebSocketConnection {
    private let curl: UnsafeMutableRawPointer
    private let fd: Int32
    private var decoder: WebSocketFrameDecoder
    private let sendTimeout: Double
    private var closed = false
    /// Asked during the connection and the upgrade (Ctrl-C): true ends them within ~0.1 s.
    private let cancel: CancelCheck
    /// Told of every frame sent and received once the socket is up (`-v`).
    public var onFrame: ((WebSocketFrameLog) -> Void)?

    /// Connects to `url` (`wss://` or `ws://`), sends the upgrade with `headers` and checks the answer.
    /// `cancelled` is asked while connecting and waiting for the upgrade's answer (every ~0.1 s):
    /// true ends the attempt with `WebSocketFailure.cancelled`, instead of waiting up to `options.timeout`.
    public init(url: String, headers: [(String, String)] = [], options: WebSocketOptions,
                cancelled: @escaping @Sendable () -> Bool = { false }) throws {
        if let failure = ss_curl_load() { throw WebSocketFailure.permanent(String(cString: failure)) }
        let target = try WebSocketTarget(url)
        guard let handle = ss_easy_init() else { throw WebSocketFailure.network("cannot make a libcurl handle") }
        curl = handle
        decoder = WebSocketFrameDecoder(maxFrameBytes: options.maxFrameBytes, maxMessageBytes: options.maxMessageBytes)
        sendTimeout = options.boundedTimeout
        cancel = CancelCheck(cancelled)
        do {
            fd = try Self.connect(handle, target: target, options: options, cancel: cancel)
        } catch {
            ss_easy_cleanup(handle)
            throw error
        }
        do {
            try upgrade(target, headers: headers, options: options)
        } catch {
            ss_easy_cleanup(handle)
            closed = true
            throw error
        }
    }

    deinit {
        if !closed { ss_easy_cleanup(curl) }
    }

    private static func connect(_ curl: UnsafeMutableRawPointer, target: WebSocketTarget,
                                options: WebSocketOptions, cancel: CancelCheck) throws -> Int32 {
        ss_setopt_string(curl, CURLOPT_URL, target.curlURL)
        ss_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        ss_setopt_long(curl, CURLOPT_CONNECT_ONLY, 1)
        ss_setopt_long(curl, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        // Through an HTTP proxy a ws:// URL needs a CONNECT tunnel too (https gets one anyway).
        ss_setopt_long(curl, CURLOPT_HTTPPROXYTUNNEL, 1)
        ss_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        ss_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(options.boundedTimeout * 1000))
        if let caFile = options.caFile {
            ss_setopt_string(curl, CURLOPT_CAINFO, caFile)
            if FileManager.default.fileExists(atPath: CurlTransport.systemCADirectory) {
                ss_setopt_string(curl, CURLOPT_CAPATH, CurlTransport.systemCADirectory)
            }
        }
        // libcurl calls the progress function while it connects (about every second, and on each
        // socket event): a Ctrl-C ends a connection attempt that would otherwise wait out the timeout.
        ss_setopt_long(curl, CURLOPT_NOPROGRESS, 0)
        ss_setopt_xferinfo_function(curl, cancelProgress)
        ss_setopt_pointer(curl, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(cancel).toOpaque())
        let code = withExtendedLifetime(cancel) { ss_easy_perform(curl) }
        ss_setopt_long(curl, CURLOPT_NOPROGRESS, 1)
        guard code == CURLE_OK else {
            if code == CURLE_ABORTED_BY_CALLBACK || cancel.isSet { throw WebSocketFailure.cancelled }
            let message = String(cString: ss_easy_strerror(code))
            switch code {
            case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
                 CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
                throw WebSocketFailure.permanent(message)
            default:
                throw WebSocketFailure.network(message)
            }
        }
        let fd = ss_getinfo_active_socket(curl)
        guard fd >= 0 else { throw WebSocketFailure.network("libcurl gave no socket") }
        return Int32(fd)
    }

    /// Sends the upgrade request and reads the answer's head (at most 16 KB); bytes after
    /// it are the first frames.
    private func upgrade(_ target: WebSocketTarget, headers: [(String, String)], options: WebSocketOptions) throws {
        let key = WebSocketHandshake.makeKey()
        var request = "GET \(target.requestPath) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
        request += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\n"
        request += "Sec-WebSocket-Version: 13\r\nUser-Agent: \(options.userAgent)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        try sendAll(Array(request.utf8))
        var head: [UInt8] = []
        let deadline = Date().addingTimeInterval(options.boundedTimeout)
        while true {
            if let end = Self.headEnd(head) {
                let rest = Array(head[end...])
                try checkAnswer(Array(head[..<end]), key: key)
                try decoder.feed(rest)
                return
            }
            guard head.count < 16 << 10 else { throw WebSocketFailure.badHandshake("an answer head over 16 KB") }
            if cancel.isSet { throw WebSocketFailure.cancelled }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw WebSocketFailure.network("no answer to the websocket upgrade") }
            let chunk = try receiveBytes(timeout: min(remaining, 0.1), limit: 4096)
            if chunk == nil { throw WebSocketFailure.network("the server closed the connection during the upgrade") }
            head += chunk!
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    private func checkAnswer(_ head: [UInt8], key: String) throws {
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.") else {
            throw WebSocketFailure.badHandshake("the answer is not HTTP/1.1")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        guard status == 101 else {
            let reason = parts.count > 2 ? printable(String(parts[2]), limit: 80) : ""
            throw WebSocketFailure.upgradeRefused(status: status, message: reason)
        }
        var fields = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces())
        }
        guard fields["Upgrade"]?.lowercased() == "websocket" else {
            throw WebSocketFailure.badHandshake("no 'Upgrade: websocket' in the answer")
        }
        guard fields["Sec-WebSocket-Accept"] == WebSocketHandshake.accept(for: key) else {
            throw WebSocketFailure.badHandshake("Sec-WebSocket-Accept does not match the key sent")
        }
        guard fields["Sec-WebSocket-Extensions"] == nil else {
            throw WebSocketFailure.badHandshake("the server chose an extension that was not offered")
        }
    }

    // MARK: Sending

    /// Sends `text` as one masked text frame; throws `WebSocketFailure` when the socket is closed or stalls.
    public func send(text: String) throws {
        let payload = Array(text.utf8)
        try sendAll(WebSocketFrameEncoder.frame(.text, payload))
        onFrame?(WebSocketFrameLog(outgoing: true, opcode: .text, length: payload.count))
    }

    /// Answers a ping with a pong carrying its `payload` (cut to the 125 bytes a control frame may hold).
    public func send(pong payload: [UInt8]) throws {
        let kept = Array(payload.prefix(125))
        try sendAll(WebSocketFrameEncoder.frame(.pong, kept))
        onFrame?(WebSocketFrameLog(outgoing: true, opcode: .pong, length: kept.count))
    }

    /// Sends a close frame (best effort) and closes the connection.
    public func close(code: UInt16 = 1000, reason: String = "") {
        guard !closed else { return }
        let frame = WebSocketFrameEncoder.close(code: code, reason: reason)
        if (try? sendAll(frame)) != nil {
            onFrame?(WebSocketFrameLog(outgoing: true, opcode: .close, length: frame.count - 6,  // a close payload is < 126 bytes: 2 head + 4 mask
                                       closeCode: code,
                                       closeReason: String(decoding: WebSocketFrameEncoder.closeReason(reason), as: UTF8.self)))
        }
        ss_easy_cleanup(curl)
        closed = true
    }

    private func sendAll(_ bytes: [UInt8]) throws {
        guard !closed else { throw WebSocketFailure.network("the websocket is closed") }
        var offset = 0
        let deadline = Date().addingTimeInterval(sendTimeout)
        while offset < bytes.count {
            var sent = 0
            let code = bytes.withUnsafeBytes { buffer in
                ss_easy_send(curl, buffer.baseAddress! + offset, bytes.count - offset, &sent)
            }
            if code == CURLE_AGAIN {
                if cancel.isSet { throw WebSocketFailure.cancelled }
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else { throw WebSocketFailure.network("sending stalled for \(Int(sendTimeout)) s") }
                _ = wait(POLLOUT, timeout: min(remaining, 0.1))
                continue
            }
            guard code == CURLE_OK else { throw WebSocketFailure.network(String(cString: ss_easy_strerror(code))) }
            offset += sent
        }
    }

    // MARK: Receiving

    /// Waits up to `timeout` seconds for data, then returns every whole message it
    /// completed (maybe none). Throws when the connection ends or the server breaks the protocol.
    public func receive(timeout: Double) throws -> [WebSocketMessage] {
        var messages: [WebSocketMessage] = []
        if let message = try decodeNext() { messages.append(message) }
        if !messages.isEmpty { return try messages + drain() }
        guard let chunk = try receiveBytes(timeout: timeout, limit: WebSocketFrameDecoder.readLimit) else {
            throw WebSocketFailure.network("the server closed the connection")
        }
        try feed(chunk)
        return try drain()
    }

    private func drain() throws -> [WebSocketMessage] {
        var messages: [WebSocketMessage] = []
        while let message = try decodeNext() { messages.append(message) }
        return messages
    }

    private func feed(_ bytes: [UInt8]) throws {
        do { try decoder.feed(bytes) } catch let error as WebSocketProtocolError {
            close(code: error.closeCode, reason: error.reason)
            throw WebSocketFailure.protocolViolation(error)
        }
    }

    private func decodeNext() throws -> WebSocketMessage? {
        do {
            let message = try decoder.next()
            if let message, let onFrame { onFrame(WebSocketFrameLog(received: message)) }
            return message
        } catch let error as WebSocketProtocolError {
            close(code: error.closeCode, reason: error.reason)
            throw WebSocketFailure.protocolViolation(error)
        }
    }

    /// Up to `limit` bytes: [] when nothing came within `timeout`, nil when the peer closed.
    private func receiveBytes(timeout: Double, limit: Int) throws -> [UInt8]? {
        guard !closed else { throw WebSocketFailure.network("the websocket is closed") }
        var buffer = [UInt8](repeating: 0, count: limit)
        var waited = false
        while true {
            var got = 0
            let code = buffer.withUnsafeMutableBytes { ss_easy_recv(curl, $0.baseAddress!, limit, &got) }
            if code == CURLE_AGAIN {
                // TLS may hold decrypted bytes poll cannot see: curl_easy_recv was asked first.
                if waited { return [] }
                waited = true
                if !wait(POLLIN, timeout: timeout) { return [] }
                continue
            }
            guard code == CURLE_OK else { throw WebSocketFailure.network(String(cString: ss_easy_strerror(code))) }
            if got == 0 { return nil }
            return Array(buffer.prefix(got))
        }
    }

    /// Polls the socket for `events`; false on a timeout.
    private func wait(_ events: Int32, timeout: Double) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
        let ms = Int32(max(0, min(timeout, 3600)) * 1000)
        while true {
            let n = poll(&entry, 1, ms)
            if n < 0 && errno == EINTR { continue }
            return n > 0
        }
    }
}

/// Where a websocket URL connects and what its upgrade request names.
struct WebSocketTarget {
    /// The URL libcurl connects to: `wss` as `https`, `ws` as `http`.
    var curlURL: String
    var hostHeader: String
    /// Path and query of the request line.
    var requestPath: String

    init(_ url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { throw WebSocketFailure.permanent("not a websocket URL: \(printable(url))") }
        let secure: Bool
        switch scheme {
        case "wss", "https": secure = true
        case "ws", "http": secure = false
        default: throw WebSocketFailure.permanent("not a websocket URL (ws:// or wss://): \(printable(url))")
        }
        // A header line is built from these: no CR, LF or space may get in.
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        requestPath = path + query
        guard !requestPath.utf8.contains(where: { $0 <= 32 || $0 == 127 }), !host.utf8.contains(where: { $0 <= 32 }) else {
            throw WebSocketFailure.permanent("a websocket URL with spaces or control characters")
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let defaultPort = secure ? 443 : 80
        let port = components.port ?? defaultPort
        hostHeader = port == defaultPort ? hostPart : "\(hostPart):\(port)"
        curlURL = (secure ? "https://" : "http://") + hostPart + ":\(port)/"
    }
}

/// The stop question of a connection attempt, reachable from libcurl's progress callback.
final class CancelCheck: @unchecked Sendable {
    private let check: @Sendable () -> Bool

    init(_ check: @escaping @Sendable () -> Bool) { self.check = check }

    var isSet: Bool { check() }
}

/// libcurl's progress callback during the connection: non-zero aborts it.
private let cancelProgress: curl_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    return Unmanaged<CancelCheck>.fromOpaque(userdata).takeUnretainedValue().isSet ? 1 : 0
}
