import XCTest
@testable import SparkSpace

/// The RFC 6455 codec of `listen --websocket` as hostile-input code (issue 26).
final class WebSocketFrameTests: XCTestCase {
    /// A server frame (unmasked) with `opcode` and `payload`.
    private func serverFrame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            out.append(UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        return out + payload
    }

    private func decodeAll(_ bytes: [UInt8], decoder: inout WebSocketFrameDecoder) throws -> [WebSocketMessage] {
        try decoder.feed(bytes)
        var out: [WebSocketMessage] = []
        while let m = try decoder.next() { out.append(m) }
        return out
    }

    func testTheAcceptValueOfRFC6455() {
        XCTAssertEqual(WebSocketHandshake.accept(for: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        XCTAssertEqual(SHA1.hash(Array("abc".utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(),
                       "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    func testClientFramesAreMaskedAndDecodeBack() {
        for size in [0, 5, 125, 126, 65535, 65536, 70000] {
            let payload = (0..<size).map { UInt8($0 & 0xFF) }
            let frame = WebSocketFrameEncoder.frame(.text, payload, mask: [1, 2, 3, 4])
            XCTAssertEqual(frame[0], 0x81)
            XCTAssertEqual(frame[1] & 0x80, 0x80, "a client frame is masked")
            let header = size < 126 ? 2 : size <= 0xFFFF ? 4 : 10
            XCTAssertEqual(Array(frame[header..<(header + 4)]), [1, 2, 3, 4])
            let unmasked = frame[(header + 4)...].enumerated().map { $0.element ^ [1, 2, 3, 4][$0.offset & 3] }
            XCTAssertEqual(unmasked, payload)
        }
    }

    func testFragmentsWithAPingBetweenThemAndByteByByteFeeding() throws {
        let bytes = serverFrame(0x1, Array("{\"a\":".utf8), fin: false) + serverFrame(0x9, [7])
            + serverFrame(0x0, Array("1}".utf8)) + serverFrame(0x8, [0x03, 0xE8] + Array("bye".utf8))
        var decoder = WebSocketFrameDecoder()
        var got: [WebSocketMessage] = []
        for byte in bytes {
            try decoder.feed([byte])
            while let m = try decoder.next() { got.append(m) }
        }
        XCTAssertEqual(got, [.ping([7]), .text("{\"a\":1}"), .close(code: 1000, reason: "bye")])
        XCTAssertEqual(decoder.pendingBytes, 0)
    }

    func testEveryMalformedFrameIsAProtocolError() {
        let cases: [(String, [UInt8], UInt16)] = [
            ("masked server frame", [0x81, 0x81, 1, 2, 3, 4, 0x41], 1002),
            ("reserved bit", [0xC1, 0x01, 0x41], 1002),
            ("unknown opcode", [0x83, 0x00], 1002),
            ("fragmented ping", [0x09, 0x00], 1002),
            ("long ping", serverFrame(0x9, [UInt8](repeating: 0, count: 126)), 1002),
            ("stray continuation", [0x80, 0x00], 1002),
            ("text inside a fragmented text", serverFrame(0x1, [0x41], fin: false) + serverFrame(0x1, [0x42]), 1002),
            ("top bit of the length", [0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1], 1002),
            ("frame over the limit", [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0], 1009),
            ("bad UTF-8", serverFrame(0x1, [0xC3, 0x28]), 1007),
            ("1-byte close", serverFrame(0x8, [3]), 1002),
            ("close code 1005", serverFrame(0x8, [0x03, 0xED]), 1002),
            ("close reason not UTF-8", serverFrame(0x8, [0x03, 0xE8, 0xFF]), 1007),
        ]
        for (name, bytes, code) in cases {
            var decoder = WebSocketFrameDecoder()
            XCTAssertThrowsError(try decodeAll(bytes, decoder: &decoder), name) { error in
                XCTAssertEqual((error as? WebSocketProtocolError)?.closeCode, code, name)
            }
        }
    }

    func testAMessageOverTheLimitIsRefusedWhileItArrives() {
        var decoder = WebSocketFrameDecoder(maxFrameBytes: 1000, maxMessageBytes: 2500)
        var bytes = serverFrame(0x2, [UInt8](repeating: 1, count: 1000), fin: false)
        for _ in 0..<3 { bytes += serverFrame(0x0, [UInt8](repeating: 1, count: 1000), fin: false) }
        XCTAssertThrowsError(try decodeAll(bytes, decoder: &decoder)) { error in
            XCTAssertEqual((error as? WebSocketProtocolError)?.closeCode, 1009)
        }
    }

    func testFeedingMoreThanOneFrameWithoutDrainingIsRefused() {
        var decoder = WebSocketFrameDecoder(maxFrameBytes: 1000)
        XCTAssertThrowsError(try decoder.feed([UInt8](repeating: 0, count: 1000 + 14 + WebSocketFrameDecoder.readLimit + 1)))
    }

    /// Random and mutated frames: never a trap, every failure a protocol error, memory within the bounds.
    func testFuzzRandomAndMutatedFrames() throws {
        var rng = SeededGenerator(seed: 26)
        let valid = serverFrame(0x1, Array("{\"id\":\"1\",\"data\":{\"eventType\":\"x\"}}".utf8))
            + serverFrame(0x2, [UInt8](repeating: 9, count: 300), fin: false) + serverFrame(0x0, [1, 2, 3])
            + serverFrame(0x9, [1]) + serverFrame(0xA, []) + serverFrame(0x8, [0x0F, 0xA0])
        var outcomes = [0, 0]
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            var decoder = WebSocketFrameDecoder(maxFrameBytes: 4096, maxMessageBytes: 8192)
            do {
                var offset = 0
                while offset < bytes.count {
                    let n = min(bytes.count - offset, Int.random(in: 1...97, using: &rng))
                    try decoder.feed(bytes[offset..<(offset + n)])
                    offset += n
                    while let message = try decoder.next() {
                        if case .text(let text) = message { XCTAssertLessThanOrEqual(text.utf8.count, 8192) }
                    }
                    XCTAssertLessThanOrEqual(decoder.pendingBytes, 4096 + 14 + WebSocketFrameDecoder.readLimit)
                }
                outcomes[0] += 1
            } catch is WebSocketProtocolError {
                outcomes[1] += 1
            }
        }
        XCTAssertGreaterThan(outcomes[1], 100, "malformed input is refused")
        XCTAssertGreaterThan(outcomes[0], 10, "some input decodes")
    }

    func testRestIdsOfActivities() {
        let id = RestIds.make("MESSAGE", "92db3be0-43bd-11e6-8ae9-dd5b3dfc565d", cluster: "us")
        XCTAssertEqual(id, "Y2lzY29zcGFyazovL3VzL01FU1NBR0UvOTJkYjNiZTAtNDNiZC0xMWU2LThhZTktZGQ1YjNkZmM1NjVk")
        XCTAssertEqual(RestIds.parts(id)?.uuid, "92db3be0-43bd-11e6-8ae9-dd5b3dfc565d")
        XCTAssertEqual(RestIds.parts(id)?.cluster, "us")
        XCTAssertNil(RestIds.parts("not an id"))
    }

    func testSocketURLsAndTargets() throws {
        let target = try WebSocketTarget("wss://mercury.example.com/v1/apps/wx2/registrations/abc/messages?x=1")
        XCTAssertEqual(target.curlURL, "https://mercury.example.com:443/")
        XCTAssertEqual(target.hostHeader, "mercury.example.com")
        XCTAssertEqual(target.requestPath, "/v1/apps/wx2/registrations/abc/messages?x=1")
        let local = try WebSocketTarget("ws://127.0.0.1:8080/socket")
        XCTAssertEqual(local.curlURL, "http://127.0.0.1:8080/")
        XCTAssertEqual(local.hostHeader, "127.0.0.1:8080")
        XCTAssertThrowsError(try WebSocketTarget("ftp://x/"))
        XCTAssertTrue(MercurySession.socketURL("wss://h/p").hasPrefix(
            "wss://h/p?outboundWireFormat=text&bufferStates=true&aliasHttpStatus=true&clientTimestamp="))
        XCTAssertThrowsError(try MercuryDevices.checkTrusted("http://evil/", from: "https://u2c", what: "x"))
        XCTAssertNoThrow(try MercuryDevices.checkTrusted("http://127.0.0.1:1/", from: "http://127.0.0.1:1/", what: "x"))
    }

    /// Values a library caller gives are bounded, never a trap: a short mask, a long reason cut at
    /// a character's end (not dropped), a timeout that is not a number.
    func testCallerValuesAreBounded() {
        let frame = WebSocketFrameEncoder.frame(.text, Array("hi".utf8), mask: [1])
        XCTAssertEqual(frame.count, 2 + 4 + 2)
        let reason = String(repeating: "é", count: 100)  // 200 bytes: cut within 123, between two é
        let bytes = WebSocketFrameEncoder.closeReason(reason)
        XCTAssertEqual(bytes.count, 122)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(repeating: "é", count: 61))
        var options = WebSocketOptions(timeout: .nan, userAgent: "t", caFile: nil)
        XCTAssertEqual(options.boundedTimeout, 60)
        options.timeout = 1e300
        XCTAssertEqual(options.boundedTimeout, 86_400)
    }
}

/// A reproducible random source (SplitMix64) for the fuzz test.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
