#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What archiving one room added.
public struct ArchiveTotals: Equatable, Sendable {
    /// Messages appended to `messages.ndjson`.
    public var messages = 0
    /// Files saved into `files/` (a file already saved is not counted).
    public var files = 0
    /// Bytes of the lines appended and of the files saved.
    public var bytes: Int64 = 0

    /// Nothing added.
    public init() {}

    static func + (a: ArchiveTotals, b: ArchiveTotals) -> ArchiveTotals {
        var sum = a
        sum.messages += b.messages
        sum.files += b.files
        sum.bytes += b.bytes
        return sum
    }
}

/// One room brought up to date: the messages newer than its position, walked newest first
/// (the only order the API has) until the position, spooled, then appended oldest first in
/// chunks, each synced before the state records it. A chunk's attachments are saved before
/// its lines are appended, so a line in the archive always has its files.
struct RoomArchive {
    static let messagesFile = "messages.ndjson"
    static let roomFile = "room.json"
    static let filesFolder = "files"
    /// Messages appended between two records of the position.
    static let chunkMessages = 1000

    let room: Room
    let run: ArchiveRun

    var folderPath: String { joinedPath(run.directory, position.folder) }
    private(set) var position: ArchivePosition
    private(set) var totals = ArchiveTotals()
    /// What `files/` holds (with `--attachments`).
    private var index: DownloadIndex?

    init(room: Room, run: ArchiveRun) throws {
        self.room = room
        self.run = run
        let mentionsOnly = run.options.mentionsOnly(room)
        if var known = run.state.position(room.id) {
            try Self.check(known, mentionsOnly: mentionsOnly, room: room, run: run)
            if known.mentionsOnly != mentionsOnly {
                known.mentionsOnly = mentionsOnly
                try run.state.record(known, of: room.id)
            }
            position = known
        } else {
            let folder = Self.folderName(room, taken: run.state.folders(except: room.id))
            try Self.checkUnknown(folder, in: run.directory)
            // Recorded before anything is made, so the folder is the same whatever happens next.
            position = ArchivePosition(folder: folder, title: room.title)
            position.start = run.options.since.map(RFC3339.format)
            position.mentionsOnly = mentionsOnly
            try run.state.record(position, of: room.id)
        }
    }

    /// A room archived in full is not taken on by a run that can read only the bot's mentions:
    /// its position would pass the messages it cannot see, and no later run would fetch them.
    /// The other way (an audit token now) goes on in full from the position.
    /// A position from before the mode was recorded counts as full once it holds messages: one run
    /// with an audit token records the mode.
    private static func check(_ known: ArchivePosition, mentionsOnly: Bool, room: Room, run: ArchiveRun) throws {
        switch (known.mentionsOnly, mentionsOnly) {
        case (false?, true):
            throw SparkError.invalidInput("archived in full so far, and this run can read only the messages that "
                + "mention the bot (no audit token): left as it is, so that no message is skipped")
        case (nil, true) where known.lastCreated != nil:
            throw SparkError.invalidInput("archived before its read mode was recorded, and this run can read only "
                + "the messages that mention the bot (no audit token): left as it is, so that no message is "
                + "skipped; one run with an audit token records the mode")
        case (true?, false):
            run.warn("room '\(room.title)': archived until now with only the messages that mention the bot; "
                + "from here on in full (the earlier ones are not fetched)")
        default:
            return
        }
    }

    /// A folder the state does not know must not hold messages: they would be cut off as the
    /// leftovers of a killed run (a state file moved away or lost).
    private static func checkUnknown(_ folder: String, in directory: String) throws {
        let path = joinedPath(joinedPath(directory, folder), messagesFile)
        guard let size = try DurableFiles.size(path), size > 0 else { return }
        throw SparkError.io("\(path) holds messages that \(ArchiveState.fileName) does not record: left as it is; "
            + "restore the state file, or archive into a new directory")
    }

    /// `<slug of the title>-<last 8 characters of the id>`, numbered when another room has it.
    static func folderName(_ room: Room, taken: Set<String>) -> String {
        let tail = String(room.id.unicodeScalars.suffix(8).map { scalar -> Character in
            scalar.properties.isASCIIHexDigit || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || scalar == "-" || scalar == "_" ? Character(scalar) : "_"
        })
        let base = slug(room.title) + "-" + tail
        var name = base
        var number = 2
        while taken.contains(name) {
            name = "\(base)-\(number)"
            number += 1
        }
        return name
    }

    /// Lower-case ASCII letters and digits, other runs as one `-`, at most 40 characters; `room` when none.
    static func slug(_ title: String) -> String {
        var out = ""
        for scalar in title.unicodeScalars {
            if out.count >= 40 { break }
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if ("A"..."Z").contains(scalar) {
                out.unicodeScalars.append(Unicode.Scalar(scalar.value + 32)!)
            } else if !out.isEmpty && !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "room" : out
    }

    /// Brings the room's folder up to date.
    mutating func update() throws {
        try DurableFiles.makeDirectory(folderPath)
        DurableFiles.removeLeftovers(in: folderPath)  // of a run killed while it replaced room.json or a page
        try DurableFiles.replace(joinedPath(folderPath, Self.roomFile), with: Array((room.json.prettyText + "\n").utf8))
        let messagesPath = joinedPath(folderPath, Self.messagesFile)
        try recover(messagesPath)
        if position.title != room.title {
            position.title = room.title
            try run.state.record(position, of: room.id)
        }
        let spool = try newMessages()
        guard spool.count > 0 else { return }
        if run.options.attachments { index = try DownloadIndex(directory: joinedPath(folderPath, Self.filesFolder)) }
        let fd = open(messagesPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DurableFiles.failure("cannot write", messagesPath) }
        defer { close(fd) }
        try append(spool, to: fd, label: messagesPath)
    }

    /// Cuts `messages.ndjson` back to the length the state records: what lies beyond was
    /// appended by a run killed before it recorded it, and is fetched again now.
    private func recover(_ path: String) throws {
        guard let size = try DurableFiles.size(path) else {
            guard position.bytes == 0 else {
                throw SparkError.io("\(path) is missing but the archive holds \(position.messages) messages of it; "
                    + "restore it; or, to archive the room again from the start, move its folder away and remove the room from \(ArchiveState.fileName)")
            }
            // Made empty at once: a room without messages has its (empty) file too.
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw DurableFiles.failure("cannot write", path) }
            close(fd)
            return try DurableFiles.syncDirectory(of: path)
        }
        if size < position.bytes {
            throw SparkError.io("\(path) is shorter (\(size) bytes) than the archive recorded (\(position.bytes)); "
                + "restore it; or, to archive the room again from the start, move its folder away and remove the room from \(ArchiveState.fileName)")
        }
        guard size > position.bytes else { return }
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFiles.failure("cannot write", path) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(position.bytes)) == 0, fsync(fd) == 0 else {
            throw DurableFiles.failure("cannot cut back", path)
        }
    }

    /// The messages newer than the position (or, before any, not older than the first run's `since`), newest first, as
    /// `walk-messages` prints them (pages kept as bytes: no JSON tree per message).
    /// The walk stops at the first page holding an older message: a room without news costs one request.
    private func newMessages() throws -> LineSpool {
        let floor = position.floorMillis
        let known = Set(position.lastIds)
        let spool = LineSpool(directory: run.directory)
        var pages = try run.space.client(run.options.role).list("messages", query: query)
        var writer = RawObjectWriter()
        var line: [UInt8] = []
        while let page = try pages.nextRawPage() {
            let before = spool.count
            defer { run.counted(messages: spool.count - before) }
            for index in 0..<page.count {
                let item = page[index]
                guard let millis = item.createdMillis else {
                    throw SparkError.io("a message of room \(room.id) has no usable created time")
                }
                if let floor, millis < floor { return spool }
                if millis == position.lastMillis, let id = item["id"]?.string, known.contains(id) { continue }
                line.removeAll(keepingCapacity: true)
                writer.writeMessage(item, hook: Events.walkHook, into: &line)
                line.append(UInt8(ascii: "\n"))
                try spool.add(line, millis: millis)
            }
        }
        return spool
    }

    /// The list query: the whole history, except for a bot alone in a group room, which Webex
    /// lets list only the messages that mention it (`mentionedPeople=me`, pages of 100).
    private var query: [(String, String)] {
        guard run.options.mentionsOnly(room) else { return [("roomId", room.id), ("max", String(Space.maxPage))] }
        return [("roomId", room.id), ("max", "100"), ("mentionedPeople", "me")]
    }

    /// Appends the spooled lines oldest first, recording the position after each synced chunk.
    private mutating func append(_ spool: LineSpool, to fd: Int32, label: String) throws {
        var chunk = Chunk()
        func commit() throws {
            guard !chunk.lines.isEmpty else { return }
            // Tried once: after a failed append or record the file is cut back to what the state
            // records, and the chunk is not written again behind a part of itself.
            let pending = chunk
            chunk = Chunk()
            let next = try pending.position(after: position)
            do {
                try DurableFiles.append(fd, pending.lines.flatMap { $0 }, label: label)
                try run.state.record(next, of: room.id)
            } catch {
                _ = ftruncate(fd, off_t(position.bytes))
                throw error
            }
            position = next
            totals = totals + pending.totals
        }
        do {
            try spool.oldestFirst { line, millis in
                if run.options.attachments, Chunk.mayHaveFiles(line) {
                    chunk.totals = chunk.totals + (try saveFiles(of: JSON.parse(line)))
                }
                chunk.add(line, millis: millis)
                if chunk.lines.count >= Self.chunkMessages { try commit() }
            }
        } catch {
            // The messages before the one that failed are complete: kept, and the position is theirs.
            try? commit()
            throw error
        }
        try commit()
    }

    /// Saves a message's files into `files/` (the `--download` rules: never overwrite, numbered
    /// names, an index so that a re-run skips what was saved). A file Webex no longer has
    /// (404, 410) is said and skipped; any other failure stops the room before this message.
    private func saveFiles(of message: JSON) throws -> ArchiveTotals {
        var totals = ArchiveTotals()
        let urls = message["files"]?.strings ?? []
        guard !urls.isEmpty, let index else { return totals }
        let directory = index.directory
        for url in urls {
            do {
                let file = try run.space.archive(url, into: directory, index: index, as: run.options.role)
                if !file.reused {
                    totals.files += 1
                    totals.bytes += file.size
                }
            } catch SparkError.api(let failure) where failure.status == 404 || failure.status == 410 {
                run.warn("room '\(room.title)': \(url): the file is gone (\(failure.status)); skipped")
            }
        }
        return totals
    }
}

/// Lines to append at once, oldest first, and what they add.
private struct Chunk {
    var lines: [[UInt8]] = []
    var millis: [Int64] = []
    var totals = ArchiveTotals()

    mutating func add(_ line: [UInt8], millis created: Int64) {
        lines.append(line)
        millis.append(created)
        totals.messages += 1
        totals.bytes += Int64(line.count)
    }

    /// `position` once these lines are appended: only the last line and those sharing its
    /// millisecond are parsed (for the time and the ids the next run must not take again).
    func position(after position: ArchivePosition) throws -> ArchivePosition {
        var next = position
        next.bytes += Int64(lines.reduce(0) { $0 + $1.count })
        next.messages += lines.count
        guard let last = millis.last, let newest = lines.last else { return next }
        next.lastCreated = try JSON.parse(newest)["created"]?.string
        var ids: [String] = []
        var index = lines.count - 1
        while index >= 0, millis[index] == last {
            ids.append(try JSON.parse(lines[index])["id"]?.string ?? "")
            index -= 1
        }
        ids.reverse()
        next.lastIds = index < 0 && position.lastMillis == last ? position.lastIds + ids : ids
        return next
    }

    /// Whether a line may have a `files` member (keys are written sorted and unescaped; a
    /// text that merely mentions it has its quotes escaped): only those are parsed.
    static func mayHaveFiles(_ line: [UInt8]) -> Bool {
        let key = Array(#""files":"#.utf8)
        guard line.count >= key.count else { return false }
        for start in 0...(line.count - key.count) where line[start] == key[0] {
            if line[start..<(start + key.count)].elementsEqual(key) { return true }
        }
        return false
    }
}
