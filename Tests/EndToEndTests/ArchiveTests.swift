import Foundation
import MockWebex
import XCTest

/// `archive` against the mock (issue 28): incremental, crash-safe, renames, a failing room, hostile pages.
final class ArchiveTests: MockTestCase {
    private var audit: [String: String] { ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"] }

    /// A fresh directory for an archive.
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("archive-" + UUID().uuidString).path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Three rooms: a long one (three pages), a short one, an empty one; alice (the audit person) in each.
    private func threeRooms() -> [MockRoom] {
        let long = mock.addRoom(title: "Long room", members: ["alice@example.com"])
        mock.addMessages(roomId: long.id, count: 2500, fromEmail: "alice@example.com")
        let short = mock.addRoom(title: "Short room", members: ["alice@example.com"])
        for text in ["one", "two", "three"] {
            mock.addMessage(roomId: short.id, fromEmail: "bob@example.com", text: text)
        }
        let empty = mock.addRoom(title: "Empty room", members: ["alice@example.com"])
        return [long, short, empty]
    }

    private func archive(_ dir: String, _ rooms: [MockRoom], _ extra: [String] = []) throws -> RunResult {
        try run(["archive", dir] + rooms.map(\.id) + extra, env: audit)
    }

    private func folder(_ dir: String, of room: MockRoom) throws -> String {
        let state = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir + "/.spark-space-archive.json"))) as! [String: Any]
        let rooms = state["rooms"] as! [String: [String: Any]]
        return dir + "/" + (rooms[room.id]!["folder"] as! String)
    }

    private func lines(_ dir: String, of room: MockRoom) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: folder(dir, of: room) + "/messages.ndjson", encoding: .utf8)
        return try Array(text.utf8).split(separator: UInt8(ascii: "\n")).map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
    }

    func testReRunAppendsOnlyTheNewMessagesInOrder() throws {
        let rooms = threeRooms()
        let dir = try scratch()
        let first = try archive(dir, rooms)
        XCTAssertEqual(first.code, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("archived 3 of 3 rooms: 2503 new messages"), first.stderr)
        let long = try lines(dir, of: rooms[0])
        XCTAssertEqual(long.count, 2500)
        XCTAssertEqual(long.first?["text"] as? String, "message 1")
        XCTAssertEqual(long.last?["text"] as? String, "message 2500")
        XCTAssertEqual(try lines(dir, of: rooms[1]).map { $0["text"] as? String }, ["one", "two", "three"])
        XCTAssertEqual(try lines(dir, of: rooms[2]).count, 0)
        XCTAssertEqual(long.first?["type"] as? String, "message", "normalized events, as walk-messages")
        let longBefore = try Data(contentsOf: URL(fileURLWithPath: folder(dir, of: rooms[0]) + "/messages.ndjson"))

        // New messages, a reply and a file in two rooms.
        let parent = mock.addMessage(roomId: rooms[1].id, fromEmail: "bob@example.com", text: "four")
        mock.addMessage(roomId: rooms[1].id, fromEmail: "carol@example.com", text: "re: four", parentId: parent.id)
        let url = mock.addContent(filename: "notes.txt", contentType: "text/plain", data: Data("notes".utf8))
        mock.addMessage(roomId: rooms[1].id, fromEmail: "bob@example.com", text: "five", files: [url])
        mock.addMessage(roomId: rooms[2].id, fromEmail: "bob@example.com", text: "first words")
        mock.clearRequests()
        let second = try archive(dir, rooms, ["--attachments"])
        XCTAssertEqual(second.code, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("4 new messages, 1 files"), second.stderr)
        XCTAssertEqual(try lines(dir, of: rooms[1]).map { $0["text"] as? String },
                       ["one", "two", "three", "four", "re: four", "five"])
        XCTAssertEqual(try lines(dir, of: rooms[1])[4]["parent_id"] as? String, parent.id)
        XCTAssertEqual(try lines(dir, of: rooms[2]).map { $0["text"] as? String }, ["first words"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder(dir, of: rooms[0]) + "/messages.ndjson")),
                       longBefore, "a room without news is untouched")
        XCTAssertEqual(try String(contentsOfFile: folder(dir, of: rooms[1]) + "/files/notes.txt", encoding: .utf8), "notes")
        // One page per room: the position is on the first page.
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/messages").count, 3, requestLines.joined(separator: "\n"))

        // No news: one request per room plus the room lookups (by id here), nothing appended, no file again.
        mock.clearRequests()
        let third = try archive(dir, rooms, ["--attachments"])
        XCTAssertEqual(third.code, 0, third.stderr)
        XCTAssertTrue(third.stderr.contains("0 new messages, 0 files"), third.stderr)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/messages").count, 3)
        XCTAssertEqual(mock.requests(pathPrefix: "/contents").count, 0)
        XCTAssertEqual(try lines(dir, of: rooms[1]).count, 6)
    }

    func testNoChangeReRunWithAllIsOneRequestPerRoomPlusTheListing() throws {
        let rooms = threeRooms()
        let dir = try scratch()
        XCTAssertEqual(try run(["archive", dir, "--all"], env: audit).code, 0)
        mock.clearRequests()
        let again = try run(["archive", dir, "--all"], env: audit)
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertEqual(requestLines.filter { $0.hasPrefix("GET /rooms") }.count, 1, requestLines.joined(separator: "\n"))
        XCTAssertEqual(requestLines.count, 1 + rooms.count, requestLines.joined(separator: "\n"))
    }

    func testARenamedRoomKeepsItsFolder() throws {
        let rooms = threeRooms()
        let dir = try scratch()
        XCTAssertEqual(try archive(dir, rooms).code, 0)
        let before = try folder(dir, of: rooms[1])
        XCTAssertTrue(before.hasSuffix("/short-room-" + String(rooms[1].id.suffix(8))), before)
        let renamed = try run(["rooms", "rename", rooms[1].id, "Brand new title"])
        XCTAssertEqual(renamed.code, 0, renamed.stderr)
        mock.addMessage(roomId: rooms[1].id, fromEmail: "bob@example.com", text: "after the rename")
        let again = try archive(dir, rooms, ["--html"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertEqual(try folder(dir, of: rooms[1]), before)
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertEqual(entries.count, 4, "\(entries)")  // three folders and index.html
        let room = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: before + "/room.json")))
        XCTAssertEqual((room as? [String: Any])?["title"] as? String, "Brand new title")
        XCTAssertEqual(try lines(dir, of: rooms[1]).last?["text"] as? String, "after the rename")
        XCTAssertTrue(try String(contentsOfFile: dir + "/index.html", encoding: .utf8).contains("Brand new title"))
    }

    /// A room's page is made again only when its messages or its title changed: a run without
    /// news leaves every page as it is (a large room's page is not rebuilt each night).
    func testAPageIsRewrittenOnlyWhenItsRoomChanged() throws {
        let rooms = threeRooms()
        let dir = try scratch()
        XCTAssertEqual(try archive(dir, rooms, ["--html"]).code, 0)
        let page = try folder(dir, of: rooms[1]) + "/index.html"
        let longPage = try folder(dir, of: rooms[0]) + "/index.html"
        func inode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as! NSNumber).intValue
        }
        let (first, firstLong) = (try inode(page), try inode(longPage))
        XCTAssertEqual(try archive(dir, rooms, ["--html"]).code, 0)
        XCTAssertEqual(try inode(page), first, "no news: the page is not replaced")
        XCTAssertEqual(try inode(longPage), firstLong)

        mock.addMessage(roomId: rooms[1].id, fromEmail: "bob@example.com", text: "news")
        XCTAssertEqual(try archive(dir, rooms, ["--html"]).code, 0)
        XCTAssertNotEqual(try inode(page), first)
        XCTAssertTrue(try String(contentsOfFile: page, encoding: .utf8).contains(">news<"))
        XCTAssertEqual(try inode(longPage), firstLong)

        XCTAssertEqual(try run(["rooms", "rename", rooms[0].id, "Renamed long room"]).code, 0)
        XCTAssertEqual(try archive(dir, rooms, ["--html"]).code, 0)
        XCTAssertNotEqual(try inode(longPage), firstLong, "a new title is a new page")
        XCTAssertTrue(try String(contentsOfFile: longPage, encoding: .utf8).contains("<h1>Renamed long room</h1>"))
    }

    func testARoomFailingMidRunLeavesTheOthersCompleteAndExits1() throws {
        let rooms = threeRooms()
        mock.addMessage(roomId: rooms[2].id, fromEmail: "bob@example.com", text: "not empty")
        let dir = try scratch()
        let settings = try writeFile("s.yaml", "network:\n  retry_delays: [0, 0]\n")
        // The long room's first page comes, then every page fails.
        mock.failMessages(roomId: rooms[0].id, status: 500, after: 1)
        let failed = try run(["archive", dir, "-c", settings] + rooms.map(\.id), env: audit)
        XCTAssertEqual(failed.code, 1, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("room 'Long room' (\(rooms[0].id))"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("archived 2 of 3 rooms (1 failed)"), failed.stderr)
        XCTAssertEqual(try lines(dir, of: rooms[0]).count, 0, "nothing of the failed walk is kept")
        XCTAssertEqual(try lines(dir, of: rooms[1]).count, 3)
        XCTAssertEqual(try lines(dir, of: rooms[2]).count, 1)

        mock.healMessages(roomId: rooms[0].id)
        let healed = try run(["archive", dir, "-c", settings] + rooms.map(\.id), env: audit)
        XCTAssertEqual(healed.code, 0, healed.stderr)
        let long = try lines(dir, of: rooms[0])
        XCTAssertEqual(long.count, 2500)
        XCTAssertEqual(Set(long.compactMap { $0["id"] as? String }).count, 2500)
        XCTAssertEqual(try lines(dir, of: rooms[1]).count, 3, "nothing twice")
    }

    func testKilledAtRandomPointsTheArchiveEqualsACleanOneByteForByte() throws {
        var rooms = threeRooms()
        // Many small rooms too: many appends, records and pages to be killed between.
        for number in 1...10 {
            let room = mock.addRoom(title: "Small \(number)", members: ["alice@example.com"])
            mock.addMessages(roomId: room.id, count: 40 * number, fromEmail: "alice@example.com")
            rooms.append(room)
        }
        let parent = mock.addMessage(roomId: rooms[1].id, fromEmail: "bob@example.com", text: "a thread")
        mock.addMessage(roomId: rooms[1].id, fromEmail: "carol@example.com", text: "a reply", parentId: parent.id)
        let clean = try scratch()
        let arguments = rooms.map(\.id) + ["--html", "--parallel", "2"]
        XCTAssertEqual(try archive(clean, rooms, ["--html", "--parallel", "2"]).code, 0)
        let started = Date()
        _ = try archive(try scratch(), rooms, ["--html", "--parallel", "2"])
        let runTime = Date().timeIntervalSince(started)

        // Rounds from an empty archive, each killed at random instants until a run completes by
        // itself (or six kills), then run to the end: equal to the clean archive, file for file.
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<8 {
            let killed = try scratch()
            for _ in 0..<6 {
                let process = Process()
                process.executableURL = binaryURL
                process.arguments = ["archive", killed] + arguments
                process.environment = env.merging(audit) { $1 }.merging(["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]) { $1 }
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                usleep(UInt32(Double.random(in: 0...runTime, using: &generator) * 1_000_000))
                let running = process.isRunning
                if running {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                }
                process.waitUntilExit()
                if !running { break }
            }
            let finish = try run(["archive", killed] + arguments, env: audit)
            XCTAssertEqual(finish.code, 0, finish.stderr)
            XCTAssertEqual(try tree(killed), try tree(clean))
        }
        XCTAssertGreaterThanOrEqual(kills, 4, "runs were killed part way")
    }

    /// Two runs on one archive (cron starting the next while the last still runs): the second
    /// writes nothing and exits 5 at once; the archive is the first run's, nothing twice.
    func testASecondRunWhileOneRunsWritesNothingAndExits5() throws {
        let rooms = threeRooms()
        let clean = try scratch()
        XCTAssertEqual(try archive(clean, rooms).code, 0)
        let dir = try scratch()
        mock.clearRequests()
        mock.inject(.delay(3), method: "GET", pathPrefix: "/messages", times: 1)
        let first = Process()
        first.executableURL = binaryURL
        first.arguments = ["archive", dir] + rooms.map(\.id)
        first.environment = env.merging(audit) { $1 }.merging(["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]) { $1 }
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        // The first run holds the lock from before its first request for messages.
        let deadline = Date().addingTimeInterval(10)
        while mock.requests(method: "GET", pathPrefix: "/messages").isEmpty && Date() < deadline { usleep(10_000) }
        let second = try archive(dir, rooms)
        XCTAssertEqual(second.code, 5, second.stderr)
        XCTAssertTrue(second.stderr.contains("another run is writing \(dir); nothing was done"), second.stderr)
        XCTAssertTrue(first.isRunning, "the second run did not wait for the first")
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(try tree(dir), try tree(clean))
        XCTAssertEqual(try archive(dir, rooms).code, 0, "the lock is let go when a run ends")
    }

    /// A run killed between mkstemp and unlink (where O_TMPFILE is refused) left its spool file:
    /// the next run removes it, and the archive equals a clean one.
    func testAStaleSpoolFileOfAKilledRunIsRemovedAndTheArchiveEqualsACleanOne() throws {
        let rooms = threeRooms()
        let clean = try scratch()
        XCTAssertEqual(try archive(clean, rooms, ["--html"]).code, 0)
        let killed = try scratch()
        try FileManager.default.createDirectory(atPath: killed, withIntermediateDirectories: true)
        let stale = killed + "/.spark-space-spool-Q1w2E3"
        XCTAssertTrue(FileManager.default.createFile(atPath: stale, contents: Data(repeating: 0x41, count: 4096)))
        let r = try archive(killed, rooms, ["--html"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertEqual(try tree(killed), try tree(clean))
        // Also in an archive that already has rooms (a later run killed there).
        XCTAssertTrue(FileManager.default.createFile(atPath: stale, contents: Data("x".utf8)))
        XCTAssertEqual(try archive(killed, rooms, ["--html"]).code, 0)
        XCTAssertEqual(try tree(killed), try tree(clean))
    }

    /// The narrowest window, made on purpose: lines appended and synced, the process killed before
    /// the state recorded them (the state of the run before is put back). The next run cuts them
    /// off and fetches them again: the archive equals one that was never interrupted.
    func testLinesAppendedButNotRecordedAreNeverWrittenTwice() throws {
        let rooms = threeRooms()
        let clean = try scratch(), crashed = try scratch()
        XCTAssertEqual(try archive(clean, rooms).code, 0)
        XCTAssertEqual(try archive(crashed, rooms).code, 0)
        let state = crashed + "/.spark-space-archive.json"
        let before = try Data(contentsOf: URL(fileURLWithPath: state))
        mock.addMessage(roomId: rooms[1].id, fromEmail: "bob@example.com", text: "new")
        mock.addMessages(roomId: rooms[0].id, count: 1200, fromEmail: "alice@example.com")
        XCTAssertEqual(try archive(crashed, rooms).code, 0)
        try before.write(to: URL(fileURLWithPath: state))  // as if killed before the state was written
        // And a line cut in the middle, as a write killed half way leaves it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: try folder(crashed, of: rooms[2]) + "/messages.ndjson"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"id\":\"half".utf8))
        try handle.close()
        let again = try archive(crashed, rooms)
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("1201 new messages"), again.stderr)
        XCTAssertEqual(try archive(clean, rooms).code, 0)
        XCTAssertEqual(try tree(crashed), try tree(clean))
        XCTAssertEqual(try lines(crashed, of: rooms[0]).count, 3700)
    }

    /// Messages sharing a millisecond, across chunks and runs: the ids already archived at the
    /// last instant are skipped, the others (arrived in that same millisecond later) appended.
    func testMessagesOfTheSameMillisecondAreEachArchivedOnce() throws {
        let room = mock.addRoom(title: "Busy", members: ["alice@example.com"])
        let instant = "2026-11-30T10:00:00.123Z"
        mock.addMessages(roomId: room.id, count: 2100, fromEmail: "alice@example.com", from: instant, stepMillis: 0)
        let dir = try scratch()
        XCTAssertEqual(try archive(dir, [room]).code, 0)
        XCTAssertEqual(try lines(dir, of: room).count, 2100)
        for text in ["late one", "late two"] {
            mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: text, created: instant)
        }
        let again = try archive(dir, [room])
        XCTAssertEqual(again.code, 0, again.stderr)
        let all = try lines(dir, of: room)
        XCTAssertEqual(all.count, 2102, again.stderr)
        XCTAssertEqual(Set(all.compactMap { $0["id"] as? String }).count, 2102)
        XCTAssertEqual(all.suffix(2).map { $0["text"] as? String }, ["late one", "late two"])
    }

    func testThrottledPagesAreRetriedAndNothingIsLost() throws {
        let rooms = threeRooms()
        mock.inject(.status(429, retryAfter: "0"), method: "GET", pathPrefix: "/messages", times: 3, after: 1)
        let dir = try scratch()
        let result = try archive(dir, rooms)
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/messages").count, 8, "three pages were refused first")
        XCTAssertEqual(try lines(dir, of: rooms[0]).count, 2500)
        XCTAssertEqual(try lines(dir, of: rooms[1]).count, 3)
    }

    func testABotAloneArchivesTheMessagesThatMentionIt() throws {
        let room = mock.addRoom(title: "Bot room", members: ["alice@example.com"])
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "not for the bot")
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hi bot", mentionedEmails: ["bot@example.com"])
        let dir = try scratch()
        let result = try run(["archive", dir, room.id])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("a bot reads only the messages that mention it"), result.stderr)
        XCTAssertEqual(try lines(dir, of: room)
            .map { $0["text"] as? String }, ["hi bot"])
        XCTAssertTrue(requestLines.contains { $0.hasPrefix("GET /messages") }, requestLines.joined(separator: "\n"))
        XCTAssertTrue(mock.requests(method: "GET", pathPrefix: "/messages").allSatisfy { $0.query["mentionedPeople"] == "me" })
    }

    /// `--since` limits only a room's first run: a later run with a later `--since` (a nightly
    /// `--since 1d` that missed a night) still adds everything after the position.
    func testSinceOfALaterRunSkipsNothing() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "one", created: "2026-01-01T10:00:00.000Z")
        let dir = try scratch()
        XCTAssertEqual(try archive(dir, [room], ["--since", "2025-12-01T00:00:00Z"]).code, 0)
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "missed night", created: "2026-01-03T10:00:00.000Z")
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "last night", created: "2026-01-05T10:00:00.000Z")
        let later = try archive(dir, [room], ["--since", "2026-01-05T00:00:00Z"])
        XCTAssertEqual(later.code, 0, later.stderr)
        XCTAssertEqual(try lines(dir, of: room).map { $0["text"] as? String }, ["one", "missed night", "last night"])

        // The first run's --since is kept: a room empty after it is not filled from before it later.
        let quiet = mock.addRoom(title: "Quiet", members: ["alice@example.com"])
        mock.addMessage(roomId: quiet.id, fromEmail: "alice@example.com", text: "old", created: "2025-06-01T10:00:00.000Z")
        XCTAssertEqual(try archive(dir, [quiet], ["--since", "2025-12-01T00:00:00Z"]).code, 0)
        XCTAssertEqual(try archive(dir, [quiet]).code, 0)
        XCTAssertEqual(try lines(dir, of: quiet).count, 0)
    }

    /// A state file moved away (as its own error once said) must not cost the messages on disk:
    /// a room whose folder holds messages the state does not record is refused, the file intact.
    func testMessagesTheStateDoesNotRecordAreNeverCutOff() throws {
        let rooms = threeRooms()
        let dir = try scratch()
        XCTAssertEqual(try archive(dir, rooms).code, 0)
        let path = try folder(dir, of: rooms[1]) + "/messages.ndjson"
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        try FileManager.default.removeItem(atPath: dir + "/.spark-space-archive.json")
        let again = try archive(dir, rooms)
        XCTAssertEqual(again.code, 1, again.stderr)
        XCTAssertTrue(again.stderr.contains("holds messages that .spark-space-archive.json does not record"), again.stderr)
        XCTAssertTrue(again.stderr.contains("archive into a new directory"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
    }

    /// A room archived in full is not advanced by a run that can read only the bot's mentions
    /// (the audit token missing one night): the room fails, and the next full run misses nothing.
    func testABotAloneRunDoesNotPassMessagesOfARoomArchivedInFull() throws {
        let room = mock.addRoom(title: "Ops", members: ["alice@example.com"])
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "first")
        let dir = try scratch()
        XCTAssertEqual(try archive(dir, [room]).code, 0)
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "plain, no mention")
        mock.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hi bot", mentionedEmails: ["bot@example.com"])
        let botAlone = try run(["archive", dir, room.id])
        XCTAssertEqual(botAlone.code, 1, botAlone.stderr)
        XCTAssertTrue(botAlone.stderr.contains("archived in full so far"), botAlone.stderr)
        XCTAssertEqual(try lines(dir, of: room).map { $0["text"] as? String }, ["first"])
        XCTAssertEqual(try archive(dir, [room]).code, 0)
        XCTAssertEqual(try lines(dir, of: room).map { $0["text"] as? String }, ["first", "plain, no mention", "hi bot"])

        // A state from before the mode was recorded counts as full once it holds messages.
        let statePath = dir + "/.spark-space-archive.json"
        let state = try String(contentsOfFile: statePath, encoding: .utf8)
        try state.replacingOccurrences(of: #","mentions_only":false"#, with: "")
            .replacingOccurrences(of: #""mentions_only":false,"#, with: "")
            .write(toFile: statePath, atomically: true, encoding: .utf8)
        XCTAssertFalse(try String(contentsOfFile: statePath, encoding: .utf8).contains("mentions_only"))
        let old = try run(["archive", dir, room.id])
        XCTAssertEqual(old.code, 1, old.stderr)
        XCTAssertTrue(old.stderr.contains("archived before its read mode was recorded"), old.stderr)
    }

    /// A ROOM that cannot be found is a failed room: the others are archived (exit 1). Alone, it
    /// is "not found" (exit 4, with suggestions).
    func testARoomThatIsGoneFailsAloneAndTheOthersAreArchived() throws {
        let rooms = threeRooms()
        let dir = try scratch()
        let result = try archive(dir, [rooms[1]], ["Gone room"])
        XCTAssertEqual(result.code, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("error: room 'Gone room': "), result.stderr)
        XCTAssertTrue(result.stderr.contains("archived 1 of 2 rooms (1 failed)"), result.stderr)
        XCTAssertEqual(try lines(dir, of: rooms[1]).count, 3)
        let alone = try run(["archive", try scratch(), "Shrt room"], env: audit)
        XCTAssertEqual(alone.code, 4, alone.stderr)
        XCTAssertTrue(alone.stderr.contains("did you mean 'Short room'?"), alone.stderr)
    }

    func testUsageErrorsExit2BeforeAnyRequest() throws {
        let dir = try scratch()
        for arguments in [["archive"], ["archive", dir], ["archive", dir, "Ops", "--all"],
                          ["archive", dir, "--all", "--team", "T"], ["archive", dir, "Ops", "--type", "all"],
                          ["archive", dir, "--all", "--since", "yesterday"], ["archive", dir, "--all", "--parallel", "0"]] {
            let result = try run(arguments, env: audit)
            XCTAssertEqual(result.code, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("spark-space: error: "), result.stderr)
        }
        XCTAssertEqual(mock.requests.count, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir))
    }

    func testProgressOnATerminal() throws {
        let rooms = threeRooms()
        let dir = try scratch()
        let result = try runOnTerminal(["archive", dir] + rooms.map(\.id), answer: "", env: audit)
        XCTAssertEqual(result.code, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("/3 rooms, "), result.stdout)
        XCTAssertTrue(result.stdout.contains("archived 3 of 3 rooms: 2503 new messages"), result.stdout)
    }

    func testLinesAreTheEventsOfWalkMessagesOldestFirst() throws {
        let rooms = threeRooms()
        let parent = mock.addMessage(roomId: rooms[1].id, fromEmail: "bob@example.com", text: "é <b> \u{2028}",
                                     mentionedEmails: ["carol@example.com"])
        mock.addMessage(roomId: rooms[1].id, fromEmail: "carol@example.com", text: "reply", parentId: parent.id)
        let dir = try scratch()
        XCTAssertEqual(try archive(dir, rooms).code, 0)
        for room in rooms.prefix(2) {
            let walk = try run(["walk-messages", room.id, "-o", "ndjson"], env: audit)
            XCTAssertEqual(walk.code, 0, walk.stderr)
            let archived = try String(contentsOfFile: folder(dir, of: room) + "/messages.ndjson", encoding: .utf8)
            XCTAssertEqual(archived.split(separator: "\n"), Array(walk.stdout.split(separator: "\n").reversed()))
        }
    }

    func testAFileThatIsGoneIsSkippedAndAFailingOneStopsTheRoomBeforeIt() throws {
        let room = mock.addRoom(title: "Files", members: ["alice@example.com"])
        let gone = mock.addContent(filename: "gone.txt", data: Data("x".utf8), unsafe: true)
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "gone", files: [gone])
        let good = mock.addContent(filename: "good.txt", data: Data("good".utf8))
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "good", files: [good])
        let broken = mock.addContent(filename: "broken.txt", data: Data("later".utf8))
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "broken", files: [broken])
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "after")
        let brokenPath = "/contents/" + broken.split(separator: "/").last!
        mock.inject(.status(500), method: "GET", pathPrefix: brokenPath, times: 100)
        let settings = try writeFile("s.yaml", "network:\n  retry_delays: [0, 0]\n")
        let dir = try scratch()
        let failed = try run(["archive", dir, room.id, "--attachments", "-c", settings], env: audit)
        XCTAssertEqual(failed.code, 1, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("gone.txt") || failed.stderr.contains("the file is gone"), failed.stderr)
        XCTAssertEqual(try lines(dir, of: room).map { $0["text"] as? String }, ["gone", "good"],
                       "the messages before the failing file are kept, none after it")
        XCTAssertEqual(try String(contentsOfFile: folder(dir, of: room) + "/files/good.txt", encoding: .utf8), "good")

        mock.clearFaults()
        let healed = try run(["archive", dir, room.id, "--attachments", "-c", settings], env: audit)
        XCTAssertEqual(healed.code, 0, healed.stderr)
        XCTAssertEqual(try lines(dir, of: room).map { $0["text"] as? String }, ["gone", "good", "broken", "after"])
        XCTAssertEqual(try String(contentsOfFile: folder(dir, of: room) + "/files/broken.txt", encoding: .utf8), "later")
        XCTAssertFalse(FileManager.default.fileExists(atPath: try folder(dir, of: room) + "/files/good (1).txt"))
    }

    /// Every file under `dir` (relative path → contents).
    private func tree(_ dir: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: dir)!
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[path] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + path)) }
        }
        return files
    }

    func testHostileTitlesNamesTextsAndFileNamesStayInThePage() throws {
        let title = #"</title><script>alert(1)</script><a href="javascript:alert(2)">"#
        let room = mock.addRoom(title: title, members: ["alice@example.com"])
        let evil = #"<img src=x onerror=alert(3)>"' --><script>alert(4)</script>&amp;"#
        let parent = mock.addMessage(roomId: room.id, fromEmail: #"x"><script>@example.com"#, text: evil)
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "</div></article><style>*{}</style>",
                        parentId: parent.id)
        let url = mock.addContent(filename: nil, data: Data("x".utf8),
                                  contentDisposition: #"attachment; filename="a\"><script>alert(5)<%2Fscript> b.html""#)
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "\u{202E}file\u{1B}[31m", files: [url])
        let dir = try scratch()
        let result = try run(["archive", dir, room.id, "--html", "--attachments"], env: audit)
        XCTAssertEqual(result.code, 0, result.stderr)
        let folder = try folder(dir, of: room)
        XCTAssertFalse(folder.contains("<"), folder)
        for page in [dir + "/index.html", folder + "/index.html"] {
            let check = try spark(["/dev/stdin", page], stdin: Self.pageChecker, executable: "/usr/bin/python3")
            XCTAssertEqual(check.code, 0, "\(page): \(check.stdout) \(check.stderr)")
        }
        let roomPage = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
        XCTAssertTrue(roomPage.contains("&lt;img src=x onerror=alert(3)&gt;"), "the text is shown, as text")
        XCTAssertTrue(roomPage.contains("<div class=\"replies\">"), "the reply is under its parent")
    }

    /// The same hostile pages in a real browser engine when one is installed (Debian's
    /// `chromium-headless-shell`; skipped otherwise): the DOM it builds passes the same check
    /// (a page that broke out would have gained tags or attributes), and it reports no blocked
    /// script or resource (there was none to block).
    func testHostilePagesInAHeadlessBrowser() throws {
        let browser = "/usr/bin/chromium-headless-shell"
        guard FileManager.default.isExecutableFile(atPath: browser) else {
            throw XCTSkip("no browser engine here (apt-get install chromium-headless-shell)")
        }
        let room = mock.addRoom(title: #"<script>alert(1)</script>"#, members: ["alice@example.com"])
        let parent = mock.addMessage(roomId: room.id, fromEmail: #"a"onmouseover="alert(2)@example.com"#,
                                     text: #"<img src="http://127.0.0.1:9/x.png" onerror=alert(3)><iframe src=//evil>"#)
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "</div><script>alert(4)</script>",
                        parentId: parent.id)
        let url = mock.addContent(filename: nil, data: Data("x".utf8),
                                  contentDisposition: #"attachment; filename="<svg onload=alert(5)>.html""#)
        mock.addMessage(roomId: room.id, fromEmail: "bob@example.com", text: "file", files: [url])
        let dir = try scratch()
        XCTAssertEqual(try run(["archive", dir, room.id, "--html", "--attachments"], env: audit).code, 0)
        let home = try scratch()
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        for page in [dir + "/index.html", try folder(dir, of: room) + "/index.html"] {
            let shown = try spark(["--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page],
                                  env: ["HOME": home], executable: browser)
            XCTAssertEqual(shown.code, 0, shown.stderr)
            XCTAssertFalse(shown.stderr.contains("Content Security Policy"), shown.stderr)
            XCTAssertFalse(shown.stdout.lowercased().contains("<script"), shown.stdout)
            XCTAssertFalse(shown.stdout.lowercased().contains("<img"), shown.stdout)
            let dom = (page as NSString).deletingLastPathComponent + "/dom-check.html"
            try shown.stdoutData.write(to: URL(fileURLWithPath: dom))
            let check = try spark(["/dev/stdin", dom], stdin: Self.pageChecker, executable: "/usr/bin/python3")
            try FileManager.default.removeItem(atPath: dom)
            XCTAssertEqual(check.code, 0, "\(page) as the browser built it: \(check.stdout) \(check.stderr)")
        }
    }

    /// Python's html.parser over a page: only the tags and attributes the pages are made of, no
    /// script, no event handler, links relative and to files that exist; the text nodes keep
    /// the hostile strings as text. Prints what is wrong and exits 1.
    static let pageChecker = #"""
    import sys, os, html.parser, urllib.parse
    path = sys.argv[1]
    base = os.path.dirname(path)
    tags = {"html","head","meta","title","style","body","h1","p","a","article","header","span","time","div","ul","li",
            "table","thead","tbody","tr","th","td"}
    attrs = {"meta": {"charset","http-equiv","content","name"}, "a": {"href"}, "time": {"datetime"}}
    problems = []
    class Check(html.parser.HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack = []
            self.styles = 0
        def handle_starttag(self, tag, attributes):
            if tag not in tags: problems.append("tag " + tag)
            if tag == "style":
                self.styles += 1
            for name, value in attributes:
                if name == "class" and tag in {"article","span","div","ul","p"}: continue
                if name not in attrs.get(tag, set()): problems.append("attribute %s on %s" % (name, tag))
                if name == "href":
                    if ":" in value or value.startswith("/") or "\\" in value: problems.append("href " + value)
                    target = os.path.join(base, urllib.parse.unquote(value))
                    if not os.path.isfile(target): problems.append("href to no file " + value)
                    if not os.path.realpath(target).startswith(os.path.realpath(os.path.dirname(base)) + os.sep):
                        problems.append("href out of the archive " + value)
            if tag not in {"meta"}: self.stack.append(tag)
        def handle_endtag(self, tag):
            if not self.stack or self.stack[-1] != tag: problems.append("unbalanced </%s> in %s" % (tag, self.stack))
            else: self.stack.pop()
    checker = Check()
    checker.feed(open(path, encoding="utf-8").read())
    checker.close()
    if checker.styles != 1: problems.append("%d style elements" % checker.styles)
    if checker.stack: problems.append("unclosed " + repr(checker.stack))
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    """#
}
