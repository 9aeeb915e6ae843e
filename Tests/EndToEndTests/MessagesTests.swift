import Foundation
import MockWebex
import XCTest

/// Issue 14: `messages get|edit|delete`.
final class MessagesTests: MockTestCase {
    /// A room "Ops" with one message of the bot's, the requests that made them forgotten.
    private func ownMessage(_ text: String) -> (room: MockRoom, message: MockMessage) {
        let room = mock.addRoom(title: "Ops")
        let own = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: text)
        mock.clearRequests()
        return (room, own)
    }

    /// A delete refused: exit `code`, stderr saying `text`, no request sent and `room` still
    /// holding its one message.
    private func assertRefused(_ status: Int32, _ stderr: String, code: Int32, saying text: String, room: MockRoom,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, code, stderr, file: file, line: line)
        XCTAssertTrue(stderr.contains(text), stderr, file: file, line: line)
        XCTAssertTrue(mock.requests.isEmpty, "\(requestLines)", file: file, line: line)
        XCTAssertEqual(mock.messageCount(roomId: room.id), 1, file: file, line: line)
    }

    /// A well-formed message id that no message has.
    let unknownId = Data("ciscospark://us/MESSAGE/ffffffff-0000-4000-8000-000000000000".utf8).base64EncodedString()
        .replacingOccurrences(of: "=", with: "")

    func testGetPrintsTheMessageAsAnEventOrRaw() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let parent = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "deploy?")
        let reply = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "yes", parentId: parent.id)
        let r = try run(["messages", "get", reply.id, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let event = try r.json() as! [String: Any]
        XCTAssertEqual(event["type"] as? String, "message")
        XCTAssertEqual(event["id"] as? String, reply.id)
        XCTAssertEqual(event["content"] as? String, "yes")
        XCTAssertEqual(event["parent_id"] as? String, parent.id)
        XCTAssertEqual(event["parentId"] as? String, parent.id)
        XCTAssertEqual(event["channel_id"] as? String, room.id)
        XCTAssertEqual(event["hook"] as? String, "shellbot-messages")

        let raw = try run(["messages", "get", reply.id, "--raw", "-o", "json"])
        XCTAssertEqual(raw.code, 0, raw.stderr)
        let object = try raw.json() as! [String: Any]
        XCTAssertNil(object["type"])
        XCTAssertEqual(object as NSDictionary, try JSONSerialization.jsonObject(with: Data(reply.json.utf8)) as! NSDictionary)

        // Not a reply: no parent_id.
        let top = try run(["messages", "get", parent.id, "-o", "json"])
        XCTAssertNil((try top.json() as! [String: Any])["parent_id"])
    }

    func testGetUnknownIsExit4AndANonIdIsExit2WithoutARequest() throws {
        let r = try run(["messages", "get", unknownId])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("spark-space: error:"), r.stderr)
        mock.clearRequests()
        let bad = try run(["messages", "get", "not-an-id"])
        XCTAssertEqual(bad.code, 2, bad.stderr)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testEditOwnMessageGetsTheRoomThenPuts() throws {
        let (room, own) = ownMessage("deploy running")
        let r = try run(["messages", "edit", own.id, "--markdown", "**deploy done**", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(requestLines, ["GET /messages/\(own.id)", "PUT /messages/\(own.id)"])
        let put = try JSONSerialization.jsonObject(with: mock.requests[1].body) as! [String: String]
        XCTAssertEqual(put, ["roomId": room.id, "markdown": "**deploy done**"])
        let printed = try r.json() as! [String: Any]
        XCTAssertEqual(printed["markdown"] as? String, "**deploy done**")
        XCTAssertNotNil(printed["updated"])
        XCTAssertEqual(mock.messages(roomId: room.id).first?["markdown"] as? String, "**deploy done**")

        let text = try run(["messages", "edit", own.id, "--text", "-", "-o", "json"], stdin: "plain now\n")
        XCTAssertEqual(text.code, 0, text.stderr)
        XCTAssertEqual(mock.messages(roomId: room.id).first?["text"] as? String, "plain now")
    }

    func testEditSomeoneElsesMessageIsExit3WithTheAPIsMessage() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let theirs = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "mine")
        let r = try run(["messages", "edit", theirs.id, "--text", "changed"])
        XCTAssertEqual(r.code, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("You can only edit your own messages."), r.stderr)
        XCTAssertEqual(mock.messages(roomId: room.id).first?["text"] as? String, "mine")
    }

    func testEditBadInputIsExit2WithoutARequest() throws {
        let (_, own) = ownMessage("x")
        for args in [["--text", ""], [], ["--text", "a", "--markdown", "b"],
                     ["--text", String(repeating: "é", count: 4000)]] {
            let r = try run(["messages", "edit", own.id] + args, stdin: "")
            XCTAssertEqual(r.code, 2, "\(args.prefix(2)): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("spark-space: error:"), r.stderr)
        }
        let empty = try run(["messages", "edit", own.id, "--text", "-"], stdin: "\n")
        XCTAssertEqual(empty.code, 2, empty.stderr)
        XCTAssertTrue(mock.requests.isEmpty, "\(requestLines)")
    }

    func testEditAMessageWithACardIsRefusedByTheAPI() throws {
        let room = mock.addRoom(title: "Ops")
        let card = try writeFile("card.json", #"{"type": "AdaptiveCard", "version": "1.2", "body": []}"#)
        let posted = try run(["post", room.id, "--card", card, "--text", "fallback", "-o", "json"])
        XCTAssertEqual(posted.code, 0, posted.stderr)
        let id = (try posted.json() as! [String: Any])["id"] as! String
        let r = try run(["messages", "edit", id, "--text", "new"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("not supported"), r.stderr)
    }

    func testDeleteWithYesOneRowPerIdAndAFailedRowDoesNotStopTheOthers() throws {
        let room = mock.addRoom(title: "Ops")
        let first = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "one")
        let second = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "two")
        let r = try run(["messages", "delete", first.id, unknownId, second.id, "--yes", "-o", "json"])
        XCTAssertEqual(r.code, 4, r.stderr)
        let rows = try r.json() as! [[String: Any]]
        XCTAssertEqual(rows.map { $0["id"] as? String }, [first.id, unknownId, second.id])
        XCTAssertEqual(rows.map { $0["status"] as? String }, ["deleted", "failed", "deleted"])
        XCTAssertTrue((rows[1]["error"] as? String ?? "").contains("Could not find a message"), "\(rows[1])")
        XCTAssertEqual(mock.messageCount(roomId: room.id), 0)
        XCTAssertTrue(r.stderr.contains("error: \(unknownId)"), r.stderr)
        // One DELETE per id: a 404 is not retried.
        XCTAssertEqual(mock.requests(method: "DELETE", pathPrefix: "/messages/").count, 3)
    }

    func testEditLimitOfTenIsTheAPIs() throws {
        let room = mock.addRoom(title: "Ops")
        let own = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "v0")
        for version in 1...10 {
            XCTAssertEqual(try run(["messages", "edit", own.id, "--text", "v\(version)"]).code, 0)
        }
        let eleventh = try run(["messages", "edit", own.id, "--text", "v11"])
        XCTAssertEqual(eleventh.code, 1, eleventh.stderr)
        XCTAssertTrue(eleventh.stderr.contains("edit limit"), eleventh.stderr)
        XCTAssertEqual(mock.messages(roomId: room.id).first?["text"] as? String, "v10")
    }

    func testDeleteRetries503ButNot404() throws {
        let room = mock.addRoom(title: "Ops")
        let own = mock.addMessage(roomId: room.id, fromEmail: "bot@example.com", text: "one")
        let settings = try writeFile("s.yaml", "network:\n  retry_delays: [0, 0, 0]\n")
        mock.inject(.status(503), method: "DELETE", pathPrefix: "/messages/", times: 1)
        let r = try run(["-c", settings, "messages", "delete", own.id, "--yes"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests(method: "DELETE", pathPrefix: "/messages/").count, 2)
        XCTAssertEqual(mock.messageCount(roomId: room.id), 0)
    }

    func testDeleteMixedFailuresIsExit1AndTSVRows() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        let theirs = mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "not yours")
        let r = try run(["messages", "delete", theirs.id, unknownId, "--yes", "-o", "tsv"])
        XCTAssertEqual(r.code, 1, r.stderr)
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(lines.count, 2, r.stdout)
        XCTAssertEqual(lines.map { String($0[0]) }, [theirs.id, unknownId])
        XCTAssertEqual(lines.map { String($0[1]) }, ["failed", "failed"])
        XCTAssertEqual(mock.messageCount(roomId: room.id), 1)
    }

    func testDeleteWithoutYesAndStdinNotATerminalIsExit2AndNothingDone() throws {
        let (room, own) = ownMessage("keep")
        let r = try run(["messages", "delete", own.id], stdin: "yes\n")
        assertRefused(r.code, r.stderr, code: 2, saying: "--yes", room: room)
    }

    func testDeleteOnATerminalAsksAndADeclinedAnswerIsExit1() throws {
        let (room, own) = ownMessage("keep")
        let declined = try runOnTerminal(["messages", "delete", own.id], answer: "n\n")
        assertRefused(declined.code, declined.stderr, code: 1, saying: "Delete message \(own.id)? [y/N]", room: room)

        let accepted = try runOnTerminal(["messages", "delete", own.id, "-o", "tsv"], answer: "yes\n")
        XCTAssertEqual(accepted.code, 0, accepted.stderr)
        XCTAssertEqual(mock.messageCount(roomId: room.id), 0)
    }

    /// Runs the binary with stdin a pseudo-terminal that receives `answer`.
    private func runOnTerminal(_ arguments: [String], answer: String) throws -> (code: Int32, stderr: String) {
        // Glibc's module hides the pty functions (they need _XOPEN_SOURCE): look them up.
        typealias IntOfInt = @convention(c) (Int32) -> Int32
        typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        func libc<T>(_ name: String, _ type: T.Type) throws -> T {
            unsafeBitCast(try XCTUnwrap(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name), name), to: type)
        }
        let master = try libc("posix_openpt", IntOfInt.self)(O_RDWR | O_NOCTTY)
        XCTAssertGreaterThanOrEqual(master, 0)
        defer { close(master) }
        XCTAssertEqual(try libc("grantpt", IntOfInt.self)(master), 0)
        XCTAssertEqual(try libc("unlockpt", IntOfInt.self)(master), 0)
        let path = try XCTUnwrap(try libc("ptsname", Name.self)(master))
        let slave = open(String(cString: path), O_RDWR | O_NOCTTY)
        XCTAssertGreaterThanOrEqual(slave, 0)
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = arguments
        process.environment = env.merging(["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]) { $1 }
        let err = Pipe(), out = Pipe()
        process.standardInput = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.standardError = err
        process.standardOutput = out
        try process.run()
        _ = answer.withCString { write(master, $0, strlen($0)) }
        // Drain the echo of the terminal while the process runs.
        let drain = Thread { var buffer = [UInt8](repeating: 0, count: 256); while read(master, &buffer, 256) > 0 {} }
        drain.start()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        _ = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errData, as: UTF8.self))
    }
}
