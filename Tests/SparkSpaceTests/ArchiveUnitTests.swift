import XCTest
@testable import SparkSpace

/// The pieces of `archive` (issue 28) that need no server: folder names, escaping, the spool, positions.
final class ArchiveUnitTests: XCTestCase {
    private func room(_ title: String, id: String = "Y2lzY29zcGFyazovL3VzL1JPT00vYWJjZGVmZ2g") throws -> Room {
        try Room(json: ["id": .string(id), "title": .string(title), "type": "group"])
    }

    func testFolderNamesAreSlugsWithTheIdTail() throws {
        XCTAssertEqual(RoomArchive.slug("Ops room: Release 3.1!"), "ops-room-release-3-1")
        XCTAssertEqual(RoomArchive.slug("../../etc/passwd"), "etc-passwd")
        XCTAssertEqual(RoomArchive.slug("日本語"), "room")
        XCTAssertEqual(RoomArchive.slug(String(repeating: "ab ", count: 40)).count, 40)
        XCTAssertFalse(RoomArchive.slug(String(repeating: "ab ", count: 40)).hasSuffix("-"))
        let name = RoomArchive.folderName(try room("Ops"), taken: [])
        XCTAssertEqual(name, "ops-jZGVmZ2g")
        XCTAssertEqual(RoomArchive.folderName(try room("Ops"), taken: [name]), name + "-2")
        XCTAssertEqual(RoomArchive.folderName(try room("x", id: "abc/../..\u{1}/zz"), taken: []), "x-______zz")
        XCTAssertTrue(ArchiveState.isPlainName(name))
        for bad in ["", ".hidden", "a/b", "..", "a\u{7F}"] { XCTAssertFalse(ArchiveState.isPlainName(bad), bad) }
    }

    func testEscapeLeavesNoMarkupAndNoControlCharacters() {
        XCTAssertEqual(ArchivePages.escape(#"<a href="x" onclick='y'>&amp;</a>"#),
                       "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
        XCTAssertEqual(ArchivePages.escape("a\u{0}b\u{1B}c\u{85}d\te\nf"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te\nf")
        XCTAssertEqual(ArchivePages.date("2026-11-25T10:00:00.123Z"), "2026-11-25 10:00:00 UTC")
        XCTAssertEqual(ArchivePages.date("<b>"), "&lt;b&gt;")
    }

    func testTheSpoolGivesLinesBackOldestFirstFromMemoryAndDisk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spool-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = LineSpool(directory: dir, memoryLimit: 64)
        for number in (1...50).reversed() { try spool.add(Array("line \(number)\n".utf8), millis: Int64(number)) }
        var seen: [(String, Int64)] = []
        try spool.oldestFirst { seen.append((String(decoding: $0, as: UTF8.self), $1)) }
        XCTAssertEqual(seen.map(\.0), (1...50).map { "line \($0)\n" })
        XCTAssertEqual(seen.map(\.1), (1...50).map(Int64.init))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "the temporary file is unlinked")
    }

    func testTheSpoolFileHasNoNameWhereTheFilesystemAllowsIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spool-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fd = try LineSpool.nameless(in: dir)
        defer { close(fd) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
        XCTAssertEqual(write(fd, "abc", 3), 3)
        // The fallback (a filesystem refusing O_TMPFILE): named by mkstemp, unlinked at once.
        let named = try LineSpool.nameless(in: dir, tmpfile: false)
        defer { close(named) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
        XCTAssertEqual(write(named, "abc", 3), 3)
        XCTAssertThrowsError(try LineSpool.nameless(in: dir + "/missing"))
        #if os(Linux)
        // Where O_TMPFILE works (ext4, tmpfs, xfs, btrfs), the file never had a name: /proc shows
        // `DIR/#INODE (deleted)`, not the mkstemp name (which a kill at the wrong instant leaves).
        let probe = open(dir, 0o20000000 | O_DIRECTORY | O_RDWR, 0o600)
        guard probe >= 0 else { throw XCTSkip("the filesystem of \(dir) refuses O_TMPFILE (errno \(errno))") }
        close(probe)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
        XCTAssertFalse(target.contains(LineSpool.namePrefix), target)
        XCTAssertTrue(target.hasPrefix(dir + "/#"), target)
        #endif
    }

    func testLeftoverSpoolFilesAreRemovedAndNothingElse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spool-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outside = dir + "-outside"
        XCTAssertTrue(FileManager.default.createFile(atPath: outside, contents: Data("keep".utf8)))
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let prefix = LineSpool.namePrefix
        for name in [prefix + "Ab12Z9", prefix + "xYz789", "messages.ndjson", prefix + "long-name", prefix + "abc"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("x".utf8)))
        }
        try FileManager.default.createDirectory(atPath: dir + "/" + prefix + "dir123", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/" + prefix + "lnk123", withDestinationPath: outside)
        LineSpool.removeLeftovers(in: dir)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       [prefix + "abc", prefix + "dir123", prefix + "lnk123", prefix + "long-name", "messages.ndjson"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside))
        LineSpool.removeLeftovers(in: dir + "/missing")  // no directory: nothing to do, no error
    }

    func testAStateThatIsNotOneIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("state-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/" + ArchiveState.fileName
        for text in ["not json", #"{"version":2,"rooms":{}}"#,
                     #"{"version":1,"rooms":{"r":{"folder":"../x","bytes":0,"messages":0}}}"#,
                     #"{"version":1,"rooms":{"r":{"folder":"x","bytes":-1,"messages":0}}}"#] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try ArchiveState(directory: dir), text)
        }
        try #"{"version":1,"rooms":{"r":{"folder":"x","bytes":5,"messages":1,"last_created":"2026-11-25T10:00:00.000Z","last_ids":["m"],"title":"T"}}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let state = try ArchiveState(directory: dir)
        XCTAssertEqual(state.position("r")?.lastIds, ["m"])
        var next = state.position("r")!
        next.bytes = 10
        try state.record(next, of: "r")
        XCTAssertEqual(try ArchiveState(directory: dir).position("r")?.bytes, 10)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [ArchiveState.fileName])
    }

    /// The one way the library replaces a file: whole, with the mode asked, nothing left beside it.
    func testReplaceWritesTheWholeFileAndLeavesNoTemporaryFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("replace-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/secret.json"
        try DurableFiles.replace(path, with: Array("old".utf8), mode: 0o600)
        try DurableFiles.replace(path, with: Array("new\n".utf8), mode: 0o600)
        XCTAssertEqual(try DurableFiles.read(path), Array("new\n".utf8))
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["secret.json"])

        // A rename that fails (a directory is in the way) leaves neither a temporary file nor a change.
        try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: false)
        try "keep".write(toFile: dir + "/taken/x", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try DurableFiles.replace(dir + "/taken", with: [1])) { error in
            guard case SparkError.io(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.hasPrefix("cannot write \(dir)/taken: "), text)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["secret.json", "taken"])
    }

    /// What the signal handler removes is made and registered in one step, and nothing is made after.
    func testTemporaryFilesRemovedOnSignalAndNoneMadeAfter() throws {
        let files = TemporaryFiles()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("registered-" + UUID().uuidString).path
        let made = try files.create { (open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600), path) }
        close(made.fd)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        files.removeAll()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        var called = false
        XCTAssertThrowsError(try files.create { called = true; return (-1, path) })
        XCTAssertFalse(called, "the process is ending: nothing more is created")
    }

    /// A run killed while it replaced a file leaves `.NAME.tmp-PID-N`; the next removes it, never a
    /// running writer's or any other file.
    func testLeftoversOfKilledWritersAreRemovedAndNothingElse() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("leftovers-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gone = "\(Int32.max - 1)"  // above any pid_max: no process has it
        let names = [".room.json.tmp-\(gone)-5", ".index.html.tmp-\(getpid())-7", ".long-room.tmp-\(gone)-x",
                     "index.html.tmp-\(gone)-5", ".other", "room.json"]
        for name in names { try "x".write(toFile: dir + "/" + name, atomically: false, encoding: .utf8) }
        try FileManager.default.createDirectory(atPath: dir + "/.d.tmp-\(gone)-1", withIntermediateDirectories: false)
        DurableFiles.removeLeftovers(in: dir)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       (names.dropFirst() + [".d.tmp-\(gone)-1"]).sorted())
        XCTAssertNil(DurableFiles.leftoverPid(".a.tmp-0-1"))
        XCTAssertNil(DurableFiles.leftoverPid(".a.tmp-99999999999-1"))
        XCTAssertEqual(DurableFiles.leftoverPid(".my-room.json.tmp-42-1"), 42)
    }
}
