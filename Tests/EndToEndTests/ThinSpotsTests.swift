import Foundation
import MockWebex
import SparkSpaceListen
import XCTest

/// Issue 25, the mutation run's thin spots: the confirmation with stdin piped and stderr a
/// terminal, empty or truncated `X-Spark-Signature` end to end, C1 controls in table/tsv/console
/// output, a plain download walk resumed without fetching again.
final class ThinSpotsTests: MockTestCase {
    private var audit: [String: String] { ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"] }
    private var listener: BackgroundRun?

    override func tearDown() {
        if let listener { _ = listener.stop(SIGKILL) }
        super.tearDown()
    }

    /// stdin a pipe (with a `y` in it), stderr a terminal: the answer is never read from the pipe.
    func testAConfirmationIsNotAnsweredFromAPipedStdin() throws {
        let room = mock.addRoom(title: "Keep me", members: [])
        let command = "echo y | '\(binaryURL.path)' rooms delete '\(room.id)'"
        let r = try spark(["-qec", command, "/dev/null"], env: env, executable: "/usr/bin/script")
        XCTAssertTrue(r.stdout.contains("refusing to delete without --yes when stdin is not a terminal"), r.stdout)
        XCTAssertNotNil(mock.rooms().first { $0["id"] as? String == room.id }, "deleted on an answer from a pipe")
        XCTAssertTrue(mock.requests.filter { $0.method == "DELETE" }.isEmpty)
    }

    func testAnEmptyOrTruncatedSignatureIsRefusedEndToEnd() throws {
        let run = try BackgroundRun(["listen", "--binding", "127.0.0.1", "--port", "0", "--secret", "s3cret"], env: env)
        listener = run
        let prefix = "listening on http://127.0.0.1:"
        XCTAssertTrue(run.wait { run.stderr.contains(prefix) }, run.stderr)
        let port = Int(run.stderr.components(separatedBy: prefix).last?.prefix { $0.isNumber } ?? "") ?? 0
        let body = #"{"name":"shellbot-memberships","resource":"memberships","event":"created","data":{"personEmail":"x@example.com"}}"#
        let good = WebhookSignature.sign(Array(body.utf8), secret: "s3cret")
        for signature in ["", String(good.prefix(20)), String(good.dropLast()), " "] {
            let answer = try RawClient.deliver(body, signature: signature, port: port)
            XCTAssertEqual(answer.outcome, .closed)
            XCTAssertTrue(answer.received.hasPrefix("HTTP/1.1 401"), "'\(signature)': \(answer.received)")
        }
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(run.stdout, "", "a delivery with a bad signature was handled")
    }

    func testC1ControlsNeverReachTableTsvOrConsoleRaw() throws {
        let title = "Ops\u{9B}31m\u{85}x\u{9D}0;t\u{9C}"
        let room = mock.addRoom(title: title, members: [])
        for format in ["table", "tsv"] {
            let r = try run(["rooms", "list", "-o", format])
            XCTAssertEqual(r.code, 0, r.stderr)
            for c1 in ["\u{9B}", "\u{85}", "\u{9D}", "\u{9C}"] {
                XCTAssertFalse(r.stdout.contains(c1), "\(format): \(r.stdout.debugDescription)")
            }
            XCTAssertTrue(r.stdout.contains("Ops"), r.stdout)
        }
        // The console: a note naming the room.
        let r = try run(["rooms", "delete", room.id, "--yes"])
        XCTAssertEqual(r.code, 0, r.stderr)
        for c1 in ["\u{9B}", "\u{85}", "\u{9D}", "\u{9C}"] { XCTAssertFalse(r.stderr.contains(c1), r.stderr.debugDescription) }
        // JSON keeps the title exactly, escaped.
        let room2 = mock.addRoom(title: title, members: [])
        let json = try run(["rooms", "get", room2.id, "-o", "json"])
        XCTAssertTrue(json.stdout.contains(#"Ops\u009b31m\u0085x\u009d0;t\u009c"#), json.stdout)
    }

    func testADownloadWalkResumesWithoutFetchingAgain() throws {
        let room = mock.addRoom(title: "Files", members: ["alice@example.com"])
        let a = mock.addContent(filename: "a.bin", data: Data(repeating: 7, count: 3000))
        let b = mock.addContent(filename: "b.txt", data: Data("bee".utf8))
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "two", files: [a, b])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        var r = try run(["walk-messages", room.id, "--download", dir, "-o", "ndjson"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/contents").count, 2)
        mock.clearRequests()
        r = try run(["walk-messages", room.id, "--download", dir, "-o", "ndjson"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/contents").count, 0, "fetched again")
        XCTAssertEqual(try r.lines().first?["saved_paths"] as? [String], ["\(dir)/a.bin", "\(dir)/b.txt"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       [".spark-space-downloads", "a.bin", "b.txt"], "no copies")
    }
}
