import Foundation
import XCTest

@testable import SparkSpace

final class TimeSpecTests: XCTestCase {
    func testRFC3339Forms() {
        XCTAssertEqual(RFC3339.millis("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(RFC3339.millis("1970-01-01T00:00:01.5Z"), 1500)
        XCTAssertEqual(RFC3339.millis("2026-11-25T10:00:00.123Z"), 1_795_600_800_123)
        XCTAssertEqual(RFC3339.millis("2026-11-25T12:00:00+02:00"), 1_795_600_800_000)
        XCTAssertEqual(RFC3339.millis("2026-11-25T05:30:00-04:30"), 1_795_600_800_000)
        XCTAssertEqual(RFC3339.millis("2026-11-25 10:00:00z"), 1_795_600_800_000)
        XCTAssertEqual(RFC3339.millis("2000-02-29T00:00:00Z"), 951_782_400_000)
    }

    func testRFC3339Rejects() {
        for bad in ["", "2026-11-25", "2026-11-25T10:00:00", "2026-13-01T00:00:00Z", "2026-11-25T25:00:00Z",
                    "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00Zjunk", "2026/11/25T10:00:00Z", "7d"] {
            XCTAssertNil(RFC3339.millis(bad), bad)
        }
    }

    func testFormatRoundTrips() {
        for ms: Int64 in [0, 1500, 951_782_400_000, 1_795_600_800_123, -1] {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            XCTAssertEqual(RFC3339.millis(RFC3339.format(date)), ms, RFC3339.format(date))
        }
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: 1_795_600_800.123)), "2026-11-25T10:00:00.123Z")
    }

    func testRelativeAges() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        XCTAssertEqual(TimeSpec.parse("30m", now: now), now.addingTimeInterval(-1800))
        XCTAssertEqual(TimeSpec.parse("2h", now: now), now.addingTimeInterval(-7200))
        XCTAssertEqual(TimeSpec.parse("7d", now: now), now.addingTimeInterval(-7 * 86400))
        XCTAssertEqual(TimeSpec.parse("45s", now: now), now.addingTimeInterval(-45))
        XCTAssertEqual(TimeSpec.parse("1w", now: now), now.addingTimeInterval(-7 * 86400))
        XCTAssertEqual(TimeSpec.parse("1.5h", now: now), now.addingTimeInterval(-5400))
        XCTAssertEqual(TimeSpec.parse("2026-11-25T10:00:00Z", now: now), Date(timeIntervalSince1970: 1_795_600_800))
        for bad in ["", "m", "30", "30x", "-5m", "abc", "3 d", "Y2lzY29zcGFyazovL3VzL01FU1NBR0UvMTIz"] {
            XCTAssertNil(TimeSpec.parse(bad, now: now), bad)
        }
    }
}

final class AttachmentNameTests: XCTestCase {
    func testContentDisposition() {
        let parse = AttachmentName.parse(contentDisposition:)
        XCTAssertEqual(parse("attachment; filename=\"report.pdf\""), "report.pdf")
        XCTAssertEqual(parse("attachment; filename=report.pdf"), "report.pdf")
        XCTAssertEqual(parse("attachment;filename=\"a; b.txt\""), "a; b.txt")
        XCTAssertEqual(parse("attachment; filename=\"say \\\"hi\\\".txt\""), "say \"hi\".txt")
        XCTAssertEqual(parse("attachment; filename*=UTF-8''na%C3%AFve%20file.txt"), "naïve file.txt")
        XCTAssertEqual(parse("attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC.txt"), "€.txt")
        XCTAssertEqual(parse("attachment; FILENAME=\"upper.txt\""), "upper.txt")
        XCTAssertNil(parse("attachment"))
        XCTAssertNil(parse(nil))
        XCTAssertNil(parse("inline; size=3"))
    }

    func testSanitize() {
        let s = AttachmentName.sanitize
        XCTAssertEqual(s("report.pdf"), "report.pdf")
        XCTAssertEqual(s("../../x"), "x")
        XCTAssertEqual(s("/etc/passwd"), "passwd")
        XCTAssertEqual(s("a/b"), "b")
        XCTAssertEqual(s("a\\b.txt"), "b.txt")
        XCTAssertEqual(s(".."), "downloadable")
        XCTAssertEqual(s("."), "downloadable")
        XCTAssertEqual(s(".bashrc"), "bashrc")
        XCTAssertEqual(s("a\u{0}b\u{1B}[31m\nc\u{7F}.txt"), "ab[31mc.txt")
        XCTAssertEqual(s(""), "downloadable")
        XCTAssertEqual(s("   "), "downloadable")
        XCTAssertEqual(s("dir/"), "dir")
        XCTAssertEqual(s(nil), "downloadable")
        let long = String(repeating: "é", count: 300) + ".pdf"
        let cut = s(long)
        XCTAssertLessThanOrEqual(cut.utf8.count, AttachmentName.maxBytes)
        XCTAssertTrue(cut.hasSuffix(".pdf"))
    }
}

final class OutgoingMessageTests: XCTestCase {
    private func temp(_ bytes: Int) throws -> String {
        let path = NSTemporaryDirectory() + "spark-space-unit-\(UUID().uuidString).txt"
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 65, count: bytes))
        return path
    }

    func testValidate() throws {
        let room = MessageTarget.room(id: "R")
        XCTAssertNoThrow(try OutgoingMessage(target: room, text: String(repeating: "a", count: 7439)).validate())
        XCTAssertThrowsError(try OutgoingMessage(target: room, text: String(repeating: "a", count: 7440)).validate())
        // Bytes, not characters: 2480 × "€" is 7440 bytes.
        XCTAssertThrowsError(try OutgoingMessage(target: room, markdown: String(repeating: "€", count: 2480)).validate())
        XCTAssertThrowsError(try OutgoingMessage(target: room).validate())
        XCTAssertThrowsError(try OutgoingMessage(target: room, file: .local(path: "/nonexistent/x")).validate())
        XCTAssertThrowsError(try OutgoingMessage(target: room, file: .local(path: NSTemporaryDirectory())).validate())
        let path = try temp(10)
        defer { unlink(path) }
        XCTAssertNoThrow(try OutgoingMessage(target: room, file: .local(path: path)).validate())
        XCTAssertNoThrow(try OutgoingMessage(target: room, file: .url("https://example.com/x.pdf")).validate())
    }

    func testBodies() throws {
        let json = OutgoingMessage(target: .person(email: "b@x.com"), text: "hi", file: .url("https://e.com/a.png")).body
        guard case .json(let bytes) = json else { return XCTFail("not JSON") }
        XCTAssertEqual(try JSON.parse(bytes), ["toPersonEmail": "b@x.com", "text": "hi", "files": ["https://e.com/a.png"]])
        let multi = OutgoingMessage(target: .room(id: "R"), markdown: "**m**", file: .local(path: "/tmp/dir/r.PDF")).body
        XCTAssertEqual(multi, .multipart([
            .field(name: "roomId", value: "R"), .field(name: "markdown", value: "**m**"),
            .file(name: "files", path: "/tmp/dir/r.PDF", fileName: "r.PDF", contentType: "application/pdf"),
        ]))
        XCTAssertEqual(MessageFile("HTTPS://x/y"), .url("HTTPS://x/y"))
        XCTAssertEqual(MessageFile("./http-notes.txt"), .local(path: "./http-notes.txt"))
        XCTAssertEqual(MIMEType.of(fileName: "a.unknownext"), "application/octet-stream")
        XCTAssertEqual(MIMEType.of(fileName: "noext"), "application/octet-stream")
        XCTAssertEqual(MIMEType.of(fileName: "p.JPG"), "image/jpeg")
    }

    func testRepliesMentionsAndCards() throws {
        var message = OutgoingMessage(target: .room(id: "R"), text: "ping")
        message.parentId = "P"
        message.mentions = ["a@x.com", "b@x.com"]
        let card: JSON = ["type": "AdaptiveCard", "body": []]
        message.card = card
        XCTAssertNoThrow(try message.validate())
        guard case .json(let bytes) = message.body else { return XCTFail("not JSON") }
        XCTAssertEqual(try JSON.parse(bytes), [
            "roomId": "R", "text": "ping", "parentId": "P",
            "markdown": "<@personEmail:a@x.com> <@personEmail:b@x.com> ping",
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "content": card]],
        ])
        message.text = ""
        XCTAssertThrowsError(try message.validate())  // a card needs its fallback text
        message.markdown = "**fallback**"
        XCTAssertEqual(message.sentMarkdown, "<@personEmail:a@x.com> <@personEmail:b@x.com> **fallback**")
        message.mentions = ["not-an-email"]
        XCTAssertThrowsError(try message.validate())
        XCTAssertThrowsError(try AdaptiveCard.check(["type": "MessageCard"]))
        XCTAssertThrowsError(try AdaptiveCard.check(["AdaptiveCard"]))
        XCTAssertThrowsError(try AdaptiveCard.parse(Array("{".utf8), source: "x"))
        XCTAssertThrowsError(try AdaptiveCard.parse([UInt8](repeating: 32, count: AdaptiveCard.maxFileBytes + 1),
                                                    source: "x"))
        XCTAssertThrowsError(try OutgoingMessage(target: .room(id: "R"), text: "").validate())
    }

    func testThreadAndDirectQueries() {
        var thread = MessageQuery(roomId: "R")
        thread.parentId = "P"
        XCTAssertEqual(thread.path, "messages")
        XCTAssertEqual(thread.queryItems.map { "\($0.0)=\($0.1)" }, ["roomId=R", "max=1000", "parentId=P"])
        var direct = MessageQuery(personEmail: "b@x.com")
        direct.limit = 5
        XCTAssertEqual(direct.path, "messages/direct")
        XCTAssertEqual(direct.queryItems.map { "\($0.0)=\($0.1)" }, ["personEmail=b@x.com"])
        direct.parentId = "P"
        XCTAssertEqual(direct.queryItems.map { "\($0.0)=\($0.1)" }, ["personEmail=b@x.com", "parentId=P"])
    }

    func testMessageQuery() {
        var q = MessageQuery(roomId: "R")
        XCTAssertEqual(q.pageSize, 1000)
        q.limit = 30
        XCTAssertEqual(q.pageSize, 30)
        q.limit = 5000
        q.mentionsMe = true
        XCTAssertEqual(q.pageSize, 100)
        q.before = Date(timeIntervalSince1970: 1_795_600_800)
        XCTAssertEqual(q.queryItems.map { "\($0.0)=\($0.1)" },
                       ["roomId=R", "max=100", "mentionedPeople=me", "before=2026-11-25T10:00:00.000Z"])
    }
}

final class FileSinkTests: XCTestCase {
    func testDiskFullIsAClearError() throws {
        let fd = open("/dev/full", O_WRONLY)
        try XCTSkipIf(fd < 0, "no /dev/full")
        defer { close(fd) }
        let sink = FileSink(fd: fd, label: "out/x.bin", rewindable: true)
        let bytes = [UInt8](repeating: 1, count: 4096)
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try sink.write($0) }) { error in
            XCTAssertEqual(error as? SparkError, .io("disk full while writing out/x.bin"))
        }
    }

    func testResetRewindsAFileButNotAStream() throws {
        let path = NSTemporaryDirectory() + "spark-space-sink-\(UUID().uuidString)"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        defer { close(fd); unlink(path) }
        let sink = FileSink(fd: fd, label: path, rewindable: true)
        try Array("partial".utf8).withUnsafeBytes { try sink.write($0) }
        try sink.reset()
        try Array("whole".utf8).withUnsafeBytes { try sink.write($0) }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "whole")
        let stream = FileSink(fd: fd, label: "stdout", rewindable: false)
        try stream.reset()  // nothing written yet: fine
        try Array("x".utf8).withUnsafeBytes { try stream.write($0) }
        XCTAssertThrowsError(try stream.reset())
    }
}

final class CardEventTests: XCTestCase {
    func testCardEventFields() {
        let action: JSON = ["id": "A", "type": "submit", "messageId": "M", "inputs": ["answer": "yes"], "personId": "P",
                            "roomId": "R", "created": "2026-11-30T10:00:00.000Z"]
        let event = Events.card(action, hook: "ci-cards")
        XCTAssertEqual(event["type"], "card")
        XCTAssertEqual(event["action_id"], "A")
        XCTAssertEqual(event["message_id"], "M")
        XCTAssertEqual(event["inputs"], ["answer": "yes"])
        XCTAssertEqual(event["actor_id"], "P")
        XCTAssertEqual(event["channel_id"], "R")
        XCTAssertEqual(event["stamp"], "2026-11-30T10:00:00.000Z")
        XCTAssertEqual(event["hook"], "ci-cards")
        // Missing or null inputs are an empty object; missing ids are null.
        XCTAssertEqual(Events.card(["id": "A", "inputs": .null])["inputs"], JSON.object([:]))
        XCTAssertEqual(Events.card(["id": "A"])["message_id"], JSON.null)
    }
}
