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

/// Where a room's archive stands: what `messages.ndjson` holds, as last synced.
public struct ArchivePosition: Equatable, Sendable {
    /// The room's folder inside the archive (a plain name), chosen once: a renamed room keeps it.
    public var folder: String
    /// The room's title when last archived.
    public var title: String
    /// The length of `messages.ndjson` that is known to be on disk; anything after it is a
    /// run killed between appending and recording, and is cut off (then fetched again).
    public var bytes: Int64 = 0
    /// Messages in `messages.ndjson`.
    public var messages: Int = 0
    /// The `created` of the newest archived message; nil: none yet.
    public var lastCreated: String?
    /// The ids of the archived messages created at `lastCreated` (several can share a millisecond).
    public var lastIds: [String] = []
    /// The `since` of the room's first run: no run goes back before it (nor uses its own `since`).
    public var start: String?
    /// Whether the archive holds only the messages that mention the bot (a bot without an audit
    /// token in a group room); nil in a state written before this was recorded.
    public var mentionsOnly: Bool?

    /// A room not archived yet: its folder and title, nothing on disk, no position.
    public init(folder: String, title: String) {
        self.folder = folder
        self.title = title
    }

    var lastMillis: Int64? { lastCreated.flatMap(RFC3339.millis) }

    /// The oldest message a run may add: after the newest archived one, else from the first run's `since`.
    var floorMillis: Int64? { lastMillis ?? start.flatMap(RFC3339.millis) }

    var json: JSON {
        var object: [String: JSON] = [
            "folder": .string(folder), "title": .string(title), "bytes": .int(bytes),
            "messages": .int(Int64(messages)), "last_ids": .array(lastIds.map(JSON.string)),
        ]
        if let lastCreated { object["last_created"] = .string(lastCreated) }
        if let start { object["start"] = .string(start) }
        if let mentionsOnly { object["mentions_only"] = .bool(mentionsOnly) }
        return .object(object)
    }

    init(json: JSON, id: String) throws {
        func bad(_ what: String) -> SparkError { .io("\(ArchiveState.fileName): room \(id): \(what)") }
        guard let folder = json["folder"]?.string, ArchiveState.isPlainName(folder) else { throw bad("no usable folder") }
        self.folder = folder
        title = json["title"]?.string ?? ""
        guard case .int(let bytes)? = json["bytes"], bytes >= 0 else { throw bad("no byte count") }
        self.bytes = bytes
        guard let messages = json["messages"]?.int, messages >= 0 else { throw bad("no message count") }
        self.messages = messages
        lastCreated = json["last_created"]?.string
        if let lastCreated, RFC3339.millis(lastCreated) == nil { throw bad("last_created is not a time") }
        lastIds = json["last_ids"]?.strings ?? []
        start = json["start"]?.string
        if let start, RFC3339.millis(start) == nil { throw bad("start is not a time") }
        if let only = json["mentions_only"] {
            guard case .bool(let value) = only else { throw bad("mentions_only is not true or false") }
            mentionsOnly = value
        }
    }
}

/// `DIR/.spark-space-archive.json`: the position of every room of the archive, rewritten
/// whole (temporary file, sync, rename) each time a room's appended messages are on disk.
/// Shared by the rooms archived in parallel.
final class ArchiveState: @unchecked Sendable {  // `positions` and the file are guarded by `lock`
    static let fileName = ".spark-space-archive.json"
    static let version: Int64 = 1

    let path: String
    private let lock = ThreadLock()
    private var positions: [String: ArchivePosition] = [:]

    /// Reads the state of `directory` (none yet: empty). A file that is not an archive state
    /// is an error: the archive is not touched rather than started over.
    init(directory: String) throws {
        path = joinedPath(directory, Self.fileName)
        guard let bytes = try DurableFiles.read(path) else { return }
        let json: JSON
        do { json = try JSON.parse(bytes) } catch {
            throw SparkError.io("\(path) is not an archive state (\(error)); restore it, or archive into a new directory")
        }
        guard json["version"]?.int == Int(Self.version), let rooms = json["rooms"]?.object else {
            throw SparkError.io("\(path) is not an archive state of this version; restore it, or archive into a new directory")
        }
        for (id, room) in rooms { positions[id] = try ArchivePosition(json: room, id: id) }
    }

    func position(_ roomId: String) -> ArchivePosition? {
        lock.withLock { positions[roomId] }
    }

    var all: [String: ArchivePosition] { lock.withLock { positions } }

    /// The folders taken by rooms other than `roomId`.
    func folders(except roomId: String) -> Set<String> {
        lock.withLock { Set(positions.filter { $0.key != roomId }.map(\.value.folder)) }
    }

    /// Records `position` for the room and writes the state to disk before returning.
    func record(_ position: ArchivePosition, of roomId: String) throws {
        try lock.withLock {
            let before = positions[roomId]
            positions[roomId] = position
            do {
                try DurableFiles.replace(path, with: Array((json.compactText + "\n").utf8))
            } catch {
                positions[roomId] = before
                throw error
            }
        }
    }

    private var json: JSON {
        .object(["version": .int(Self.version), "rooms": .object(positions.mapValues(\.json))])
    }

    /// A name that stays inside its directory: no separator, not hidden, not `.`/`..`, no control character.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.contains("/")
            && !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
    }
}
