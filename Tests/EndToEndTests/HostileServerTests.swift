import Foundation
import MockWebex
import XCTest

/// Issue 12: an API (or anything the tool talks to) that answers with hostile input.
/// Each case runs the binary against its own `HostileResponder`; every answer ends in an
/// exit code and one clean error line, in bounded time and memory.
final class HostileServerTests: XCTestCase {
    private func runAgainst(_ server: HostileResponder, _ arguments: [String], env: [String: String] = [:],
                            timeout: TimeInterval = 60) throws -> RunResult {
        // In process (`inProcessSuites`): a 429 wait takes no time.
        if inProcessSuites.contains("HostileServerTests") { return sparkInProcess(arguments + ["--api-url", server.baseURL], env: hostileEnv.merging(env) { $1 }) }
        return try spark(arguments + ["--api-url", server.baseURL], env: hostileEnv.merging(env) { $1 }, timeout: timeout)
    }

    private func assertOneCleanErrorLine(_ r: RunResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.stderr.split(separator: "\n", omittingEmptySubsequences: false).count, 2,
                       "one line: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr, file: file, line: line)
        XCTAssertFalse(r.stderr.contains("bot-token"), file: file, line: line)
    }

    // MARK: Crashes

    func testAHugeRetryAfterGivesUpWithExit6() throws {
        for value in ["1e19", "9223372036854775807", "1e308"] {
            let server = try HostileResponder { _, _ in .json("{}", status: 429, headers: [("Retry-After", value)]) }
            defer { server.close() }
            let r = try runAgainst(server, ["whoami"])
            XCTAssertEqual(r.code, 6, "Retry-After \(value): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("past --max-wait"), r.stderr)
            assertOneCleanErrorLine(r)
            XCTAssertEqual(server.requests.count, 1)
        }
    }

    func testNumberOptionsOutOfRangeAreUsageErrors() throws {
        let server = try HostileResponder { _, _ in .json("{}") }
        defer { server.close() }
        let cases: [[String]] = [
            ["whoami", "--timeout", "9.3e15"], ["whoami", "--timeout", "0"], ["whoami", "--timeout", "-1"],
            ["whoami", "--max-wait", "1e300"], ["whoami", "--max-wait", "9223372036854775808"],
            ["walk-messages", "Room", "--since", "200000000000d"], ["walk-messages", "Room", "--before", "1e300w"],
            ["walk-messages", "Room", "--limit", "99999999999999999999"],
            ["pull", "Room", "--interval", "1e300"], ["listen", "--port", "65536"],
            ["rooms", "list", "--limit", "-1"],
        ]
        for arguments in cases {
            let r = try runAgainst(server, arguments)
            XCTAssertEqual(r.code, 2, "\(arguments): \(r.stderr)")
            assertOneCleanErrorLine(r)
        }
        XCTAssertTrue(server.requests.isEmpty, "\(server.requests.map(\.target))")
    }

    // MARK: Unbounded work and memory

    func testEndlessRetryAfterZeroEndsWithinMaxWait() throws {
        let server = try HostileResponder { _, _ in .json("{}", status: 429, headers: [("Retry-After", "0")]) }
        defer { server.close() }
        let r = try runAgainst(server, ["whoami", "--max-wait", "3"], timeout: 30)
        XCTAssertEqual(r.code, 6, r.stderr)
        // Each wait is said (SPEC "Feedback on long work"), then one error line.
        XCTAssertEqual(r.stderr.components(separatedBy: "spark-space: waiting ").count - 1, 2, r.stderr)
        assertOneCleanErrorLine(try runAgainst(server, ["whoami", "--max-wait", "3", "-q"], timeout: 30))
        // Waits of 1 s and 2 s use up the 3 s; a past date is the same.
        XCTAssertEqual(server.requests.count, 6, "a request loop (3 a run)")
        let dated = try HostileResponder { _, _ in
            .json("{}", status: 429, headers: [("Retry-After", "Thu, 01 Jan 1970 00:00:00 GMT")])
        }
        defer { dated.close() }
        XCTAssertEqual(try runAgainst(dated, ["whoami", "--max-wait", "1"], timeout: 30).code, 6)
        XCTAssertEqual(dated.requests.count, 2, "a request loop")
    }

    func testAJSONBodyOver64MBIsRefused() throws {
        let megabyte = Data(repeating: UInt8(ascii: " "), count: 1 << 20)
        let server = try HostileResponder { _, _ in
            HostileResponder.Reply(headers: [("Content-Type", "application/json")], body: megabyte, repeats: 65)
        }
        defer { server.close() }
        let r = try runAgainst(server, ["whoami"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("larger than 64 MB"), r.stderr)
        assertOneCleanErrorLine(r)
    }

    func testACompressedBodyIsNotInflatedPastTheCap() throws {
        // 200 MB of zeros in about 200 KB of gzip.
        let bomb = try runTool("sh", ["-c", "head -c 209715200 /dev/zero | gzip -c"]).stdoutData
        XCTAssertLessThan(bomb.count, 1 << 20)
        let server = try HostileResponder { _, _ in
            HostileResponder.Reply(headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                                   body: bomb)
        }
        defer { server.close() }
        let r = try runAgainst(server, ["rooms", "list"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("larger than 64 MB"), r.stderr)
        assertOneCleanErrorLine(r)
    }

    func testALinkBackToTheSamePageStops() throws {
        var port = 0
        let server = try HostileResponder { request, _ in
            .json(#"{"items":[{"id":"a","title":"Loop","type":"group"}]}"#,
                  headers: [("Link", "<http://127.0.0.1:\(port)\(request.target)>; rel=\"next\"")])
        }
        defer { server.close() }
        port = server.port
        let r = try runAgainst(server, ["rooms", "list", "-o", "ndjson"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("page already read"), r.stderr)
        assertOneCleanErrorLine(r)
        XCTAssertEqual(server.requests.count, 1)
    }

    func testALinkCycleStops() throws {
        var port = 0
        let server = try HostileResponder { request, _ in
            let other = request.target.contains("page=b") ? "a" : "b"
            return .json(#"{"items":[{"id":"x","title":"Cycle","type":"group"}]}"#,
                         headers: [("Link", "<http://127.0.0.1:\(port)/v1/rooms?page=\(other)>; rel=\"next\"")])
        }
        defer { server.close() }
        port = server.port
        let r = try runAgainst(server, ["rooms", "list", "-o", "ndjson"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertLessThanOrEqual(server.requests.count, 3)
    }

    // MARK: Talking to what it should not

    func testALinkToAFileOrAnotherOriginIsNotFollowed() throws {
        let elsewhere = try HostileResponder { _, _ in .json(#"{"items":[{"id":"e","title":"Elsewhere"}]}"#) }
        defer { elsewhere.close() }
        for next in ["file:///etc/passwd", "gopher://127.0.0.1:\(elsewhere.port)/x", "dict://127.0.0.1/x",
                     elsewhere.baseURL + "/rooms?page=2"] {
            let server = try HostileResponder { _, _ in
                .json(#"{"items":[{"id":"a","title":"First","type":"group"}]}"#,
                      headers: [("Link", "<\(next)>; rel=\"next\"")])
            }
            defer { server.close() }
            let r = try runAgainst(server, ["rooms", "list", "-o", "ndjson"])
            XCTAssertEqual(r.code, 1, "\(next): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("points away from the API"), r.stderr)
            XCTAssertFalse(r.stdout.contains("root:"), r.stdout)
        }
        XCTAssertTrue(elsewhere.requests.isEmpty, "\(elsewhere.requests.map(\.target))")
    }

    func testOnlyHTTPAttachmentURLsAreDownloaded() throws {
        let dir = try temporaryDirectory()
        let server = try HostileResponder { _, _ in .json("{}") }
        defer { server.close() }
        for url in ["file:///etc/hostname", "gopher://127.0.0.1/x", "ftp://127.0.0.1/x", "/etc/hostname"] {
            let r = try runAgainst(server, ["attachments", "download", url, "-d", dir.path])
            XCTAssertEqual(r.code, 2, "\(url): \(r.stderr)")
            assertOneCleanErrorLine(r)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
        XCTAssertTrue(server.requests.isEmpty)
    }

    func testNoRequestOutsideTheAPIOriginCarriesTheToken() throws {
        let files = try HostileResponder { _, _ in
            HostileResponder.Reply(headers: [("Content-Disposition", "attachment; filename=\"a.txt\"")],
                                   body: Data("hello".utf8))
        }
        defer { files.close() }
        let api = try HostileResponder { _, _ in .json("{}") }
        defer { api.close() }
        let dir = try temporaryDirectory()
        let r = try runAgainst(api, ["attachments", "download", files.baseURL + "/contents/1", "-d", dir.path])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(files.requests.map(\.method), ["GET"])  // one GET per download (issue 11)
        XCTAssertTrue(files.requests.allSatisfy { $0.headers["authorization"] == nil }, "the token left the API origin")
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("a.txt"), encoding: .utf8), "hello")

        // A redirect away from the API is followed without the token.
        let elsewhere = try HostileResponder { _, _ in .json(#"{"id":"x","displayName":"Elsewhere"}"#) }
        defer { elsewhere.close() }
        let redirecting = try HostileResponder { _, _ in
            HostileResponder.Reply(status: 302, headers: [("Location", elsewhere.baseURL + "/people/me")])
        }
        defer { redirecting.close() }
        let w = try runAgainst(redirecting, ["whoami", "-o", "json"])
        XCTAssertEqual(w.code, 0, w.stderr)
        XCTAssertEqual(redirecting.requests.map { $0.headers["authorization"] }, ["Bearer bot-token"])
        XCTAssertEqual(elsewhere.requests.count, 1)
        XCTAssertNil(elsewhere.requests.first?.headers["authorization"], "the token followed the redirect")
    }

    // MARK: Smaller

    func testAnEmptyOr3xxAnswerIsNotASuccess() throws {
        for reply in [HostileResponder.Reply(status: 200), HostileResponder.Reply(status: 304),
                      HostileResponder.Reply(status: 399), .json("[]"), .json("42")] {
            let server = try HostileResponder { _, _ in reply }
            defer { server.close() }
            let r = try runAgainst(server, ["whoami"])
            XCTAssertEqual(r.code, 1, "\(reply.status) \(reply.body.count) bytes: \(r.stdout) \(r.stderr)")
            XCTAssertEqual(r.stdout, "")
            assertOneCleanErrorLine(r)
            XCTAssertEqual(server.requests.count, 1, "not retried")
        }
    }

    func testPermanentFailuresAreNotRetried() throws {
        // Issue 24: a scheme other than http(s) is a usage error before any request.
        for url in ["gopher://127.0.0.1:1/v1", "ftp://127.0.0.1/v1"] {
            let r = try spark(["whoami", "-v", "--api-url", url], env: hostileEnv)
            XCTAssertEqual(r.code, 2, "\(url): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("GET "), r.stderr)
        }
        for url in ["http://127.0.0.1:99999/v1"] {
            let r = try spark(["whoami", "-v", "--api-url", url], env: hostileEnv)
            XCTAssertEqual(r.code, 1, "\(url): \(r.stderr)")
            let attempts = r.stderr.split(separator: "\n").filter { $0.contains("GET ") && !$0.contains("error:") }
            XCTAssertEqual(attempts.count, 1, r.stderr)
        }
    }

    func testAnISO88591FileNameIsDecoded() throws {
        let files = try HostileResponder { _, _ in
            HostileResponder.Reply(headers: [("Content-Disposition",
                                              "attachment; filename=\"x\"; filename*=iso-8859-1''caf%E9.txt")],
                                   body: Data("x".utf8))
        }
        defer { files.close() }
        let dir = try temporaryDirectory()
        let r = try runAgainst(files, ["attachments", "download", files.baseURL + "/contents/1", "-d", dir.path])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["café.txt"])
    }

    // MARK: Terminal injection

    func testAPIErrorTextCannotDriveTheTerminal() throws {
        let evil = #"\u001b]0;pwned\u0007\u001b[2J\r\nspark-space: fake\u202e\u2028\u009b"#
        let body = #"{"message":"bad\#(evil)","errors":[{"description":"more\#(evil)"}],"trackingId":"T\#(evil)"}"#
        let server = try HostileResponder { _, _ in .json(body, status: 400, headers: [("TrackingID", "H\u{1B}[31m")]) }
        defer { server.close() }
        let r = try runAgainst(server, ["whoami"])
        XCTAssertEqual(r.code, 1, r.stderr)
        assertOneCleanErrorLine(r)
        assertNoTerminalControls(r.stderr)
        XCTAssertTrue(r.stderr.contains("\\x1b]0;pwned\\x07"), r.stderr)

        let headerOnly = try HostileResponder { _, _ in
            HostileResponder.Reply(status: 404, headers: [("TrackingID", "H\u{1B}[31m\u{7}")])
        }
        defer { headerOnly.close() }
        let h = try runAgainst(headerOnly, ["whoami"])
        XCTAssertEqual(h.code, 4, h.stderr)
        assertNoTerminalControls(h.stderr)
        XCTAssertTrue(h.stderr.contains("H\\x1b[31m"), h.stderr)
    }

    func testVerboseLinkURLsAreSanitized() throws {
        var port = 0
        let server = try HostileResponder { request, _ in
            request.target.contains("next")
                ? .json(#"{"items":[]}"#)
                : .json(#"{"items":[]}"#, headers: [("Link", "<http://127.0.0.1:\(port)/v1/rooms?next=\u{1B}[2J\u{202E}>; rel=\"next\"")])
        }
        defer { server.close() }
        port = server.port
        let r = try runAgainst(server, ["rooms", "list", "-v"])
        assertNoTerminalControls(r.stderr)
        XCTAssertTrue(r.stderr.contains("\\x1b"), r.stderr)
    }
}

/// Issue 12, hostile conditions around local state: concurrent `pull`s, signals during a
/// download, titles that are escape sequences, certificates.
final class HostileStateTests: MockTestCase {
    func testTwoPullsOnTwoRoomsSharingAStateFileKeepBothCursors() throws {
        let rooms = ["One", "Two"].map { mock.addRoom(title: $0, members: ["alice@example.com"]) }
        for room in rooms {
            mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hi", mentionedEmails: ["bot@example.com"])
        }
        let state = try temporaryDirectory().appendingPathComponent("state.json").path
        // Both runs read the (empty) file before either writes it.
        mock.inject(.delay(1), method: "GET", pathPrefix: "/messages", times: 2)
        let group = DispatchGroup()
        let codes = StatusList()
        // The runs only read the test's settings: shared across the two threads as they are.
        nonisolated(unsafe) let test = self
        for id in rooms.map(\.id) {
            DispatchQueue.global().async(group: group) {
                let r = try? test.run(["pull", id, "--once", "--state", state])
                codes.add(Int(r?.code ?? -1))
            }
        }
        group.wait()
        XCTAssertEqual(codes.all, [0, 0])
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as! [String: Any]
        XCTAssertEqual(Set(saved.keys), Set(rooms.map(\.id)), "a cursor was lost")
    }

    func testHangupAndOtherEndingSignalsRemovePartialDownloads() throws {
        let files = try HostileResponder.stallingFile("big.bin")
        defer { files.close() }
        try assertSignalsRemovePartialDownloads(from: files, [(SIGHUP, 129), (SIGUSR1, 138), (SIGALRM, 142)])
    }

    func testRoomTitlesInNotesAreSanitized() throws {
        let room = mock.addRoom(title: "Evil\u{1B}]0;x\u{7}\u{202E}\r\nspark-space: fake", members: [])
        let r = try run(["rooms", "delete", room.id, "--yes"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        assertNoTerminalControls(r.stderr)
        XCTAssertTrue(r.stderr.contains("Evil\\x1b]0;x\\x07\\u202e\\x0d\\x0aspark-space: fake"), r.stderr)
    }

    /// An HTTPS API with a self-signed certificate: refused at once without the CA (exit 1, the
    /// certificate named, no retry), accepted with `--cacert` or `SSL_CERT_FILE`.
    func testASelfSignedCertificateNeedsCacert() throws {
        try XCTSkipIf(!FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "no openssl")
        let dir = try temporaryDirectory()
        let made = try runTool("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                           "-keyout", "key.pem", "-out", "cert.pem"], directory: dir)
        XCTAssertEqual(made.code, 0, made.stderr)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("v1/people"),
                                                withIntermediateDirectories: true)
        try #"{"id":"Y2lzY29zcGFyazovL3VzL1BFT1BMRS8x","displayName":"TLS Bot","emails":["tls@example.com"]}"#
            .write(to: dir.appendingPathComponent("v1/people/me"), atomically: true, encoding: .utf8)
        let port = try LoopbackListener.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", "cert.pem", "-key", "key.pem",
                            "-WWW", "-quiet"]
        server.currentDirectoryURL = dir
        server.standardInput = Pipe()
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        var listening = false
        for _ in 0..<100 where !listening {
            if let probe = try? RawClient(port: port) { probe.close(); listening = true } else { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertTrue(listening, "openssl s_server did not start")
        let api = ["--api-url", "https://127.0.0.1:\(port)/v1"]
        var r = try spark(["whoami", "-v"] + api, env: hostileEnv)
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.lowercased().contains("certificate"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.contains("GET ") && !$0.contains("error:") }.count, 1,
                       "retried: \(r.stderr)")
        let cert = dir.appendingPathComponent("cert.pem").path
        r = try spark(["whoami", "--cacert", cert, "-o", "json"] + api, env: hostileEnv)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("TLS Bot"), r.stdout)
        r = try spark(["whoami", "-o", "json"] + api, env: hostileEnv.merging(["SSL_CERT_FILE": cert]) { $1 })
        XCTAssertEqual(r.code, 0, r.stderr)
        r = try spark(["whoami", "--cacert", dir.appendingPathComponent("missing.pem").path] + api, env: hostileEnv)
        XCTAssertEqual(r.code, 2, r.stderr)
    }

    func testALimitEndingOnAPageBoundaryAsksForNoFurtherPage() throws {
        XCTAssertEqual(try walkWithLimit("Paged", messages: 2500, limit: 2000).count, 2, "\(requestLines)")

        for n in 0..<1500 { _ = mock.addRoom(title: "Room \(n)") }
        mock.clearRequests()
        let rooms = try run(["rooms", "list", "--limit", "1000", "-o", "ndjson"])
        XCTAssertEqual(rooms.code, 0, rooms.stderr)
        XCTAssertEqual(try rooms.lines().count, 1000)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/rooms").count, 1, "\(requestLines)")
    }
}

/// Fails when `text` holds what could drive a terminal or disguise a line.
func assertNoTerminalControls(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
    let bad = text.unicodeScalars.filter { scalar in
        let v = scalar.value
        return (v < 0x20 && v != 0x0A) || (0x7F...0x9F).contains(v) || [0x200E, 0x200F, 0x2028, 0x2029].contains(v)
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
    XCTAssertTrue(bad.isEmpty, "controls \(bad.map { String($0.value, radix: 16) }) in: \(text.debugDescription)",
                  file: file, line: line)
}
