#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// RFC 6455 opcodes.
public enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA

    var isControl: Bool { rawValue >= 0x8 }
}

/// A whole message or control frame read from a server.
public enum WebSocketMessage: Equatable, Sendable {
    /// A text message, checked to be UTF-8.
    case text(String)
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// The peer closes; `code` is nil when the close frame had no body.
    case close(code: UInt16?, reason: String)
}

/// The server broke RFC 6455; `closeCode` is what the client closes with (1002 protocol
/// error, 1007 bad UTF-8, 1009 too big).
public struct WebSocketProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The close code the client sends (1002, 1007 or 1009).
    public var closeCode: UInt16
    /// What was wrong, for the close frame and the error line.
    public var reason: String

    /// The violation `reason`, closed with `closeCode`.
    public init(_ closeCode: UInt16, _ reason: String) {
        self.closeCode = closeCode
        self.reason = reason
    }

    /// The error in one line, with the close code.
    public var description: String { "websocket protocol error (\(closeCode)): \(reason)" }
}

/// Reads the frames a server sends, as hostile input: every length is checked before it is
/// used, frames and messages are bounded, masked server frames, reserved bits, unknown
/// opcodes, fragmented or oversized control frames, stray continuations and invalid UTF-8
/// are errors (never a trap), and memory stays within `maxFrameBytes + maxMessageBytes`
/// plus one read.
public struct WebSocketFrameDecoder: Sendable {
    /// The largest frame payload accepted (bytes; at least 125).
    public let maxFrameBytes: Int
    /// The largest message reassembled from fragments (bytes; at least `maxFrameBytes`).
    public let maxMessageBytes: Int
    /// Bytes received and not yet parsed live in `buffer[start...]`.
    private var buffer: [UInt8] = []
    private var start = 0
    /// The message being reassembled from fragments, and its opcode.
    private var fragments: [UInt8] = []
    private var fragmentOpcode: WebSocketOpcode?

    /// Mercury frames are small JSON objects: 1 MB a frame, 4 MB a message is generous.
    public init(maxFrameBytes: Int = 1 << 20, maxMessageBytes: Int = 4 << 20) {
        self.maxFrameBytes = max(125, maxFrameBytes)
        self.maxMessageBytes = max(self.maxFrameBytes, maxMessageBytes)
    }

    /// Bytes held that `next` has not consumed yet.
    public var pendingBytes: Int { buffer.count - start }

    /// Adds received bytes. Refuses more than one frame's worth of unparsed bytes: the
    /// caller drains with `next` after each read.
    public mutating func feed<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        guard pendingBytes + bytes.count <= maxFrameBytes + 14 + Self.readLimit else {
            throw WebSocketProtocolError(1009, "more unparsed data than one frame may hold")
        }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The most bytes one read hands to `feed`.
    public static let readLimit = 64 << 10

    /// The next complete message or control frame, nil when more bytes are needed.
    public mutating func next() throws -> WebSocketMessage? {
        while let frame = try nextFrame() {
            if let message = try assemble(frame) { return message }
        }
        return nil
    }

    private struct Frame {
        var fin: Bool
        var opcode: WebSocketOpcode
        var payload: [UInt8]
    }

    private mutating func nextFrame() throws -> Frame? {
        let available = pendingBytes
        guard available >= 2 else { return nil }
        let b0 = buffer[start], b1 = buffer[start + 1]
        guard b0 & 0x70 == 0 else { throw WebSocketProtocolError(1002, "reserved bits set (no extension was agreed)") }
        guard let opcode = WebSocketOpcode(rawValue: b0 & 0x0F) else {
            throw WebSocketProtocolError(1002, "unknown opcode \(b0 & 0x0F)")
        }
        guard b1 & 0x80 == 0 else { throw WebSocketProtocolError(1002, "the server masked a frame") }
        let fin = b0 & 0x80 != 0
        var header = 2
        var length = UInt64(b1 & 0x7F)
        if length == 126 {
            header = 4
            guard available >= header else { return nil }
            length = UInt64(buffer[start + 2]) << 8 | UInt64(buffer[start + 3])
        } else if length == 127 {
            header = 10
            guard available >= header else { return nil }
            length = 0
            for i in 2..<10 { length = length << 8 | UInt64(buffer[start + i]) }
            guard length >> 63 == 0 else { throw WebSocketProtocolError(1002, "a frame length with its top bit set") }
        }
        if opcode.isControl {
            guard fin else { throw WebSocketProtocolError(1002, "a fragmented control frame") }
            guard length <= 125 else { throw WebSocketProtocolError(1002, "a control frame over 125 bytes") }
        }
        guard length <= UInt64(maxFrameBytes) else {
            throw WebSocketProtocolError(1009, "a frame of \(length) bytes (the limit is \(maxFrameBytes))")
        }
        let count = Int(length)
        guard available >= header + count else { return nil }
        let from = start + header
        let payload = Array(buffer[from..<(from + count)])
        start = from + count
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 2 * Self.readLimit)
            start = 0
        }
        return Frame(fin: fin, opcode: opcode, payload: payload)
    }

    private mutating func assemble(_ frame: Frame) throws -> WebSocketMessage? {
        switch frame.opcode {
        case .close: return try Self.closeMessage(frame.payload)
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .continuation:
            guard let opcode = fragmentOpcode else {
                throw WebSocketProtocolError(1002, "a continuation frame outside a fragmented message")
            }
            guard fragments.count + frame.payload.count <= maxMessageBytes else {
                throw WebSocketProtocolError(1009, "a message over \(maxMessageBytes) bytes")
            }
            fragments.append(contentsOf: frame.payload)
            guard frame.fin else { return nil }
            let whole = fragments
            fragments = []
            fragmentOpcode = nil
            return try Self.dataMessage(opcode, whole)
        case .text, .binary:
            guard fragmentOpcode == nil else {
                throw WebSocketProtocolError(1002, "a new message inside a fragmented one")
            }
            guard frame.fin else {
                fragmentOpcode = frame.opcode
                fragments = frame.payload
                return nil
            }
            return try Self.dataMessage(frame.opcode, frame.payload)
        }
    }

    private static func dataMessage(_ opcode: WebSocketOpcode, _ payload: [UInt8]) throws -> WebSocketMessage {
        guard opcode == .text else { return .binary(payload) }
        guard let text = validUTF8(payload) else { throw WebSocketProtocolError(1007, "a text message that is not UTF-8") }
        return .text(text)
    }

    private static func closeMessage(_ payload: [UInt8]) throws -> WebSocketMessage {
        guard !payload.isEmpty else { return .close(code: nil, reason: "") }
        guard payload.count >= 2 else { throw WebSocketProtocolError(1002, "a close frame with a 1-byte body") }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard isValidCloseCode(code) else { throw WebSocketProtocolError(1002, "close code \(code) is not allowed") }
        guard let reason = validUTF8(Array(payload[2...])) else {
            throw WebSocketProtocolError(1007, "a close reason that is not UTF-8")
        }
        return .close(code: code, reason: reason)
    }

    /// Codes a close frame may carry (RFC 6455 7.4): 1000-1003, 1007-1011, 3000-4999.
    static func isValidCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 3000...4999: return true
        default: return false
        }
    }
}

/// `bytes` as a String when they are well-formed UTF-8, else nil.
func validUTF8(_ bytes: [UInt8]) -> String? {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    loop: while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: break loop
        case .error: return nil
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Builds the frames a client sends: always masked (RFC 6455 5.3), never fragmented.
public enum WebSocketFrameEncoder {
    /// One final frame of `opcode` carrying `payload`, masked with `mask` (its first 4 bytes; random
    /// when nil or shorter, as RFC 6455 requires: a fixed mask is for tests).
    public static func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], mask: [UInt8]? = nil) -> [UInt8] {
        let key = mask.flatMap { $0.count >= 4 ? Array($0.prefix(4)) : nil } ?? (0..<4).map { _ in UInt8.random(in: 0...255) }
        var out: [UInt8] = [0x80 | opcode.rawValue]
        out.reserveCapacity(payload.count + 14)
        let n = payload.count
        if n < 126 {
            out.append(0x80 | UInt8(n))
        } else if n <= 0xFFFF {
            out += [0x80 | 126, UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            out.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(n) >> UInt64(shift)) & 0xFF)) }
        }
        out += key
        for (i, byte) in payload.enumerated() { out.append(byte ^ key[i & 3]) }
        return out
    }

    /// A close frame with `code` and a short reason (cut to fit the 125-byte control limit, at a
    /// character's end).
    public static func close(code: UInt16, reason: String = "") -> [UInt8] {
        [UInt8](frame(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + closeReason(reason)))
    }

    /// `reason` as a close frame carries it: its first whole characters within 123 bytes of UTF-8.
    public static func closeReason(_ reason: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for character in reason {
            let utf8 = Array(character.utf8)
            guard bytes.count + utf8.count <= 123 else { break }
            bytes += utf8
        }
        return bytes
    }
}

/// The opening handshake's key and the accept value the server must answer with.
public enum WebSocketHandshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
    public static func makeKey() -> String {
        Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    /// The `Sec-WebSocket-Accept` a server must send for `key`.
    public static func accept(for key: String) -> String {
        Data(SHA1.hash(Array((key + guid).utf8))).base64EncodedString()
    }
}

/// SHA-1 (FIPS 180-4), only for the handshake's accept value, where RFC 6455 requires it;
/// never for anything secret.
enum SHA1 {
    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        var data = message
        let bitLength = UInt64(message.count) &* 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8((bitLength >> UInt64(shift)) & 0xFF)) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(data[j]) << 24 | UInt32(data[j + 1]) << 16 | UInt32(data[j + 2]) << 8 | UInt32(data[j + 3])
            }
            for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for i in 0..<80 {
                let (f, k): (UInt32, UInt32)
                switch i {
                case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                }
                let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
                (e, d, c, b, a) = (d, c, rotl(b, 30), a, t)
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d; h[4] = h[4] &+ e
        }
        return h.flatMap { v in [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    }

    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
}
