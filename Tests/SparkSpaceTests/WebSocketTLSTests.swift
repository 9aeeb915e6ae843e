import Foundation
import XCTest
@testable import SparkSpace

/// The websocket over libcurl CONNECT_ONLY against a TLS server that offers h2 first (ALPN):
/// HTTP/1.1 is forced, the certificate is verified (`caFile`), frames go both ways (issue 26).
final class WebSocketTLSTests: XCTestCase {
    /// A one-connection wss server (Python's ssl): upgrade, "hello", echo one frame, close 1000.
    private static let server = #"""
import socket, ssl, base64, hashlib, struct, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain("cert.pem", "key.pem")
ctx.set_alpn_protocols(["h2", "http/1.1"])
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(2)
print(s.getsockname()[1], flush=True)
while True:
    raw, _ = s.accept()
    try:
        c = ctx.wrap_socket(raw, server_side=True)
    except Exception:
        continue
    req = b""
    while b"\r\n\r\n" not in req: req += c.recv(1024)
    lines = req.decode().split("\r\n")
    key = [l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("sec-websocket-key")][0]
    acc = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    alpn = c.selected_alpn_protocol() or "none"
    c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: %s\r\n\r\n" % acc).encode())
    hello = ("hello over " + alpn + " " + lines[0].split(" ")[1]).encode()
    c.sendall(bytes([0x81, len(hello)]) + hello)
    h = c.recv(2); n = h[1] & 0x7f; mask = c.recv(4); data = b""
    while len(data) < n: data += c.recv(n - len(data))
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    c.sendall(bytes([0x81, len(data)]) + data + bytes([0x88, 2, 0x03, 0xE8]))
    c.close()
"""#

    private func tool(_ path: String, _ arguments: [String], in dir: URL, output: Pipe? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func testWssWithAVerifiedCertificateAndHTTP11() throws {
        try XCTSkipIf(!FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "no openssl")
        try XCTSkipIf(!FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "no python3")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let made = try tool("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                                 "-keyout", "key.pem", "-out", "cert.pem"], in: dir)
        made.waitUntilExit()
        XCTAssertEqual(made.terminationStatus, 0)
        try Self.server.write(to: dir.appendingPathComponent("server.py"), atomically: true, encoding: .utf8)
        let portPipe = Pipe()
        let server = try tool("/usr/bin/python3", ["server.py"], in: dir, output: portPipe)
        defer { server.terminate(); server.waitUntilExit() }
        let line = String(decoding: portPipe.fileHandleForReading.availableData, as: UTF8.self)
        let port = try XCTUnwrap(Int(line.trimmingCharacters(in: .whitespacesAndNewlines)))
        let url = "wss://127.0.0.1:\(port)/mercury/x?outboundWireFormat=text"

        // Without the CA: refused, and not worth retrying.
        XCTAssertThrowsError(try WebSocketConnection(url: url, options: WebSocketOptions(timeout: 10, userAgent: "t"))) {
            guard case WebSocketFailure.permanent = $0 else { return XCTFail("\($0)") }
        }

        let options = WebSocketOptions(timeout: 10, userAgent: "t", caFile: dir.appendingPathComponent("cert.pem").path)
        let socket = try WebSocketConnection(url: url, options: options)
        var got: [WebSocketMessage] = []
        func receive(_ count: Int) throws {
            let end = Date().addingTimeInterval(10)
            while got.count < count && Date() < end { got += try socket.receive(timeout: 0.2) }
        }
        try receive(1)
        XCTAssertEqual(got.first, .text("hello over http/1.1 /mercury/x?outboundWireFormat=text"))
        try socket.send(text: "{\"type\":\"ping\"}")
        try receive(3)
        XCTAssertEqual(Array(got.dropFirst()), [.text("{\"type\":\"ping\"}"), .close(code: 1000, reason: "")])
        socket.close()
    }
}
