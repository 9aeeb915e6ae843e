import Foundation
import MockWebex
import XCTest

/// Issue 4: `post`.
final class PostTests: MockTestCase {
    private func tempFile(_ name: String, _ data: Data) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    private var posts: [MockRequest] { mock.requests(method: "POST", pathPrefix: "/messages") }

    func testTextToRoomById() throws {
        let room = mock.addRoom(title: "Ops")
        let r = try run(["post", room.id, "--text", "deploy done", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let created = try r.json() as! [String: Any]
        let stored = try XCTUnwrap(mock.messages(roomId: room.id).first)
        XCTAssertEqual(stored["text"] as? String, "deploy done")
        XCTAssertEqual(created["id"] as? String, stored["id"] as? String)
        XCTAssertEqual(created["roomId"] as? String, room.id)
        XCTAssertNotNil(created["created"])
        XCTAssertEqual(posts.count, 1)
        XCTAssertEqual(posts[0].token, "bot-token")
    }

    func testMarkdownToRoomByTitleAsTSV() throws {
        let room = mock.addRoom(title: "Ops room")
        let r = try run(["post", "Ops room", "--markdown", "**bold** move\nsecond line", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let stored = try XCTUnwrap(mock.messages(roomId: room.id).first)
        XCTAssertEqual(stored["markdown"] as? String, "**bold** move\nsecond line")
        let body = try JSONSerialization.jsonObject(with: posts[0].body) as! [String: Any]
        XCTAssertEqual(body["markdown"] as? String, "**bold** move\nsecond line")
        XCTAssertNil(body["text"])
        // created, personEmail, text (first line), id
        let cells = r.stdout.trimmingCharacters(in: .newlines).components(separatedBy: "\t")
        XCTAssertEqual(cells.count, 4, r.stdout)
        XCTAssertEqual(cells[1], "bot@example.com")
        XCTAssertEqual(cells[2], (stored["text"] as? String)?.components(separatedBy: "\n").first)
        XCTAssertFalse(cells[2].contains("second line"))
        XCTAssertEqual(cells[3], stored["id"] as? String)
    }

    func testTextFromStdin() throws {
        let room = mock.addRoom(title: "Ops")
        let r = try run(["post", "--room", room.id, "--text", "-", "-o", "json"], stdin: "line one\nline two\n")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.messages(roomId: room.id).first?["text"] as? String, "line one\nline two")
    }

    func testDefaultRoomFromSettings() throws {
        let room = mock.addRoom(title: "Collab")
        let r = try run(["post", "--text", "hi"], env: ["CHAT_ROOM_TITLE": "Collab"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.messageCount(roomId: room.id), 1)
    }

    func testLocalFileIsUploadedByteForByte() throws {
        let room = mock.addRoom(title: "Files")
        var bytes = Data((0...255).map { UInt8($0) })
        bytes += Data("\r\n--boundary\r\n\r\n".utf8)
        bytes += Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        let path = try tempFile("chart.png", bytes)
        let r = try run(["post", room.id, "--text", "see attached", "--file", path, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let upload = try XCTUnwrap(mock.uploads.first)
        XCTAssertEqual(upload.fileData, bytes)
        XCTAssertEqual(upload.fileName, "chart.png")
        XCTAssertEqual(upload.contentType, "image/png")
        XCTAssertEqual(upload.fields["roomId"], room.id)
        XCTAssertEqual(upload.fields["text"], "see attached")
        let created = try r.json() as! [String: Any]
        XCTAssertEqual(created["files"] as? [String], [upload.contentURL!])
        XCTAssertTrue(posts[0].headers["content-type"]?.hasPrefix("multipart/form-data") ?? false)
    }

    func testUnknownExtensionIsOctetStream() throws {
        let room = mock.addRoom(title: "Files")
        let path = try tempFile("data.zzq", Data("x".utf8))
        let r = try run(["post", room.id, "--file", path])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.uploads.first?.contentType, "application/octet-stream")
    }

    func testURLFileIsSentAsFilesList() throws {
        let room = mock.addRoom(title: "Files")
        let r = try run(["post", room.id, "--text", "linked", "--file", "https://example.com/report.pdf"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let body = try JSONSerialization.jsonObject(with: posts[0].body) as! [String: Any]
        XCTAssertEqual(body["files"] as? [String], ["https://example.com/report.pdf"])
        XCTAssertEqual(body["roomId"] as? String, room.id)
        XCTAssertEqual(mock.messages(roomId: room.id).first?["files"] as? [String], ["https://example.com/report.pdf"])
    }

    func testDirectToPerson() throws {
        let r = try run(["post", "--person", "bob@example.com", "--text", "hello guy", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let created = try r.json() as! [String: Any]
        XCTAssertEqual(created["roomType"] as? String, "direct")
        let body = try JSONSerialization.jsonObject(with: posts[0].body) as! [String: Any]
        XCTAssertEqual(body["toPersonEmail"] as? String, "bob@example.com")
        XCTAssertNil(body["roomId"])
        XCTAssertEqual(mock.messages(roomId: created["roomId"] as! String).first?["text"] as? String, "hello guy")
    }

    // MARK: Limits: exit 2, nothing sent

    private func assertRefused(_ args: [String], stdin: String? = nil, mentions: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try run(args, stdin: stdin)
        XCTAssertEqual(r.code, 2, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(mentions), r.stderr, file: file, line: line)
        XCTAssertTrue(mock.requests.isEmpty, "\(requestLines)", file: file, line: line)
    }

    func testLimitErrorsSendNothing() throws {
        let room = mock.addRoom(title: "Ops")
        let ok = String(repeating: "a", count: 7439)
        try assertRefused(["post", room.id, "--text", ok + "b"], mentions: "7439")
        try assertRefused(["post", room.id, "--markdown", String(repeating: "€", count: 2480)], mentions: "7439")
        try assertRefused(["post", room.id, "--text", "-"], stdin: ok + "€", mentions: "7439")
        try assertRefused(["post", room.id, "--file", "/nonexistent/file.pdf"], mentions: "/nonexistent/file.pdf")
        try assertRefused(["post", room.id, "--file", NSTemporaryDirectory()], mentions: "directory")
        // a sparse file just over 100 MB
        let big = try tempFile("big.bin", Data())
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: big))
        try handle.truncate(atOffset: 100 * 1024 * 1024 + 1)
        try handle.close()
        try assertRefused(["post", room.id, "--file", big], mentions: "100 MB")
        try assertRefused(["post", room.id], mentions: "--text")
        try assertRefused(["post", room.id, "--person", "bob@example.com", "--text", "x"], mentions: "--person")
        try assertRefused(["post", "--person", "bob", "--text", "x"], mentions: "e-mail")
        // exactly 7439 bytes is fine
        let r = try run(["post", room.id, "--text", ok])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(posts.count, 1)
    }

    // MARK: POST is not retried once sent

    /// Posts `text` to a new room "Ops" (retries without delays) after the first `POST /messages`
    /// is set to meet `fault`.
    private func post(_ text: String, firstMeeting fault: MockWebexServer.Fault) throws
        -> (room: MockRoom, settings: String, result: RunResult) {
        let room = mock.addRoom(title: "Ops")
        let settings = try writeFile("s.yaml", "network:\n  retry_delays: [0, 0, 0]\n")
        mock.inject(fault, method: "POST", pathPrefix: "/messages", times: 1)
        return (room, settings, try run(["post", room.id, "--text", text, "-c", settings]))
    }

    func testServerErrorAfterSendIsNotRetried() throws {
        let (room, settings, first) = try post("once", firstMeeting: .status(500))
        var r = first
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertEqual(posts.count, 1)
        mock.clearRequests()
        mock.inject(.drop, method: "POST", pathPrefix: "/messages", times: 1)
        r = try run(["post", room.id, "--text", "once", "-c", settings])
        XCTAssertNotEqual(r.code, 0)
        XCTAssertEqual(posts.count, 1, "a POST whose request was sent must not be retried")
        XCTAssertEqual(mock.messageCount(roomId: room.id), 0)
    }

    func testServiceUnavailableIsRetried() throws {
        let (room, _, r) = try post("after 503", firstMeeting: .status(503))
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(posts.count, 2)
        XCTAssertEqual(mock.messageCount(roomId: room.id), 1)
    }
}
