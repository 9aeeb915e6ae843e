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

/// Where `pull` left off in one room: the newest message seen.
public struct PullCursor: Equatable, Sendable {
    /// The id of the newest message seen; nil when the room had none yet.
    public var lastId: String?
    /// Its `created` stamp: paging back stops there even if that message was deleted.
    public var lastCreated: String?

    /// A cursor after the message `lastId`, created at `lastCreated`.
    public init(lastId: String? = nil, lastCreated: String? = nil) {
        self.lastId = lastId
        self.lastCreated = lastCreated
    }
}

/// The `--state` file of `pull`: one cursor per room id, as a JSON object
/// `{"ROOM_ID": {"id": "...", "created": "..."}}`. Written atomically.
public struct PullState: Equatable, Sendable {
    /// The cursor of each room, by room id.
    public var rooms: [String: PullCursor] = [:]

    /// The cursors of `rooms`.
    public init(rooms: [String: PullCursor] = [:]) { self.rooms = rooms }

    /// The largest state file read (a cursor per room is far smaller).
    static let maxFileBytes = 16 << 20

    /// Reads a state file; a missing (or empty) file is an empty state. A cursor whose `id` or
    /// `created` is not a string (or null), or whose `created` is not a time, makes the file not a
    /// pull state: taken as no cursor, it would print the room's whole history.
    public static func load(path: String) throws -> PullState {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return PullState() }
            throw SparkError.invalidInput("cannot read the state file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard let data = try? readToEnd(fd: fd, limit: maxFileBytes), data.count <= maxFileBytes else {
            throw SparkError.invalidInput("cannot read the state file \(path) (or it is over \(maxFileBytes) bytes)")
        }
        if data.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) { return PullState() }
        guard let json = try? JSON.parse(data), let rooms = json.object else {
            throw SparkError.invalidInput("the state file \(path) is not a pull state (a JSON object)")
        }
        var state = PullState()
        for (room, cursor) in rooms {
            guard cursor.object != nil, let id = text(cursor["id"]), let created = text(cursor["created"]),
                  created.map({ RFC3339.millis($0) != nil }) ?? true else {
                throw SparkError.invalidInput("the state file \(path) is not a pull state: room \(printable(room)) has "
                    + "no usable cursor (id and created are strings, or null)")
            }
            state.rooms[room] = PullCursor(lastId: id, lastCreated: created)
        }
        return state
    }

    /// A cursor member: absent or null is `.some(nil)`, a string itself; anything else nil.
    private static func text(_ value: JSON?) -> String?? {
        switch value {
        case nil, .null?: return .some(nil)
        case .string(let s)?: return .some(s)
        default: return nil
        }
    }

    /// The state as JSON, as written to the state file.
    public var json: JSON {
        .object(rooms.mapValues { cursor in
            ["id": cursor.lastId.map(JSON.string) ?? .null, "created": cursor.lastCreated.map(JSON.string) ?? .null]
        })
    }

    /// Writes the state to a temporary file in the same directory, then renames it
    /// over `path`: a reader (or a crash) never sees half a file.
    public func save(path: String) throws {
        var bytes: [UInt8] = []
        json.write(into: &bytes)
        bytes.append(10)
        try DurableFiles.replace(path, with: bytes, mode: 0o600)
    }
}

extension PullState {
    /// Saves one room's cursor into the state file at `path`, keeping every other room as the
    /// file holds it now: under an exclusive lock on `PATH.lock`, the file is read again,
    /// this room's entry replaced and the whole written atomically. Two `pull`s on two rooms
    /// sharing one file then never lose each other's cursor.
    public static func save(_ cursor: PullCursor, room: String, path: String) throws {
        try DurableFiles.withLock(path + ".lock") {
            var state = try load(path: path)
            state.rooms[room] = cursor
            try state.save(path: path)
            // A run killed while it saved left its temporary file: under the lock none is being written.
            DurableFiles.removeLeftovers(of: path)
        }
    }
}

extension Space {
    /// How many messages a first `pull` (no state) prints, as the seed.
    public static let pullSeedCount = 10
    /// The largest page of `GET /messages` with `mentionedPeople`.
    public static let mentionsPage = 100

    /// Seed `pull`: the room's messages that mention the identity of `role`
    /// (`mentionedPeople=me`) and are newer than `cursor`, oldest first, with the
    /// cursor to use next time. Without a cursor, the latest `pullSeedCount`; with
    /// one, pages back until its message (or its stamp), so nothing is skipped.
    public func pullMessages(roomId: String, after cursor: PullCursor?, as role: TokenRole = .bot) throws
        -> (messages: [Message], cursor: PullCursor)
    {
        var newest: [Message] = []
        if let cursor {
            var pages = try client(role).list("messages", query: [
                ("roomId", roomId), ("mentionedPeople", "me"), ("max", String(Self.mentionsPage)),
            ])
            while let item = try pages.next() {
                let message = try Message(json: item)
                if message.id == cursor.lastId { break }
                // Instants, not strings: `…00.000Z` and `…00Z` are the same time.
                if let stamp = cursor.lastCreated.flatMap(RFC3339.millis),
                   let created = message.createdMillis, created < stamp { break }
                newest.append(message)
            }
        } else {
            var pages = try client(role).list("messages", query: [
                ("roomId", roomId), ("mentionedPeople", "me"), ("max", String(Self.pullSeedCount)),
            ])
            newest = try Message.list(pages.collect(limit: Self.pullSeedCount))
        }
        let next = newest.first.map { PullCursor(lastId: $0.id, lastCreated: $0.created) }
            ?? cursor ?? PullCursor()
        return (newest.reversed(), next)
    }

    /// `pullMessages` as normalized events (`hook: "pull"`, `attachment` for files),
    /// without the messages sent by `selfId` (the bot itself).
    public func pullEvents(roomId: String, after cursor: PullCursor?, selfId: String?, as role: TokenRole = .bot)
        throws -> (events: [JSON], cursor: PullCursor)
    {
        let (messages, next) = try pullMessages(roomId: roomId, after: cursor, as: role)
        let events = messages.filter { selfId == nil || $0.personId != selfId }.map {
            Events.message($0.json, hook: Events.pullHook, attachment: attachment(of: $0.json, as: role))
        }
        return (events, next)
    }
}
