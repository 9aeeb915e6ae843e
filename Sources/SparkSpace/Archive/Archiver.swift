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

/// How an archive is brought up to date (`archive`).
public struct ArchiveOptions: Sendable {
    /// On a room's first run, only messages from this time on (recorded: later runs go on from the
    /// position, never before it, whatever their own `since`).
    public var since: Date?
    /// Save the messages' files into each room's `files/`.
    public var attachments = false
    /// Write the static pages (`index.html` per room and one listing the rooms).
    public var html = false
    /// Rooms archived at once (each room is walked page after page).
    public var parallel = 4
    /// The token the archive reads with (the audit token when there is one).
    public var role: TokenRole = .bot
    /// The bot reads without an audit token: Webex lets it list only the group-room messages
    /// that mention it, so those are what it archives.
    public var botAlone = false

    /// The defaults: no `since`, no files, no pages, 4 rooms at once, the bot token.
    public init() {}

    func mentionsOnly(_ room: Room) -> Bool { botAlone && room.type != .direct }
}

/// Which rooms an archive holds.
public enum ArchiveSelection: Sendable, Equatable {
    /// Rooms by id or exact title.
    case rooms([String])
    /// The rooms of a team (name or id) of this type.
    case team(String, RoomType)
    /// Every room the token can see, of this type.
    case all(RoomType)
}

/// How far an archive run has come (for a progress line).
public struct ArchiveProgress: Sendable, Equatable {
    /// Rooms finished, failed ones included.
    public var roomsDone: Int
    /// Rooms in the run (0 until they are listed).
    public var roomsTotal: Int
    /// New messages found so far, in every room.
    public var messages: Int
}

/// What became of one room.
public struct ArchiveRoomOutcome {
    /// The room's id; empty for a ROOM given that could not be looked up.
    public var roomId: String
    /// The room's title; for a ROOM that could not be looked up, the ROOM as given.
    public var title: String
    /// The room's folder inside the archive.
    public var folder: String
    /// What was added (also when the room failed: what came before the failure is kept).
    public var totals: ArchiveTotals
    /// Why the room is not up to date; its position stays at what was archived.
    public var error: Error?
}

/// What an archive run did.
public struct ArchiveReport {
    /// In the order of the rooms given.
    public var rooms: [ArchiveRoomOutcome]
    /// The listing page could not be written (`--html`).
    public var indexError: Error?

    /// What the run added, summed over every room.
    public var totals: ArchiveTotals { rooms.map(\.totals).reduce(ArchiveTotals(), +) }
    /// The rooms that have an error, in order.
    public var failed: [ArchiveRoomOutcome] { rooms.filter { $0.error != nil } }
}

/// The rooms of a selection, and the ROOMs given that cannot be archived (not found, no access):
/// each is a failed room of the run, as SPEC has a room that fails, and the others go on.
public struct ArchiveRoomList {
    /// The rooms found, each once.
    public var rooms: [Room]
    /// A failed outcome per ROOM that could not be looked up (`roomId` empty, `title` the ROOM given).
    public var unresolved: [ArchiveRoomOutcome] = []
}

extension Space {
    /// The rooms of a selection, each once, in the order given (or the API's order of last activity).
    /// A ROOM that cannot be looked up is `unresolved`; when none can, its error is thrown (so a
    /// lone typo is "not found", with suggestions). Listing a team or every room throws as it fails.
    public func archiveRooms(_ selection: ArchiveSelection, as role: TokenRole) throws -> ArchiveRoomList {
        var rooms: [Room] = []
        var unresolved: [ArchiveRoomOutcome] = []
        switch selection {
        case .rooms(let references):
            for reference in references {
                do { rooms.append(try room(reference, as: role)) } catch SparkError.interrupted {
                    throw SparkError.interrupted
                } catch {
                    unresolved.append(ArchiveRoomOutcome(roomId: "", title: reference, folder: "",
                                                         totals: ArchiveTotals(), error: error))
                }
            }
            if rooms.isEmpty, let first = unresolved.first?.error { throw first }
        case .team(let reference, let type):
            rooms = try self.rooms(type: type, teamId: team(reference, as: role).id, limit: nil, as: role)
        case .all(let type):
            rooms = try self.rooms(type: type, limit: nil, as: role)
        }
        var seen = Set<String>()
        rooms.removeAll { !seen.insert($0.id).inserted }
        return ArchiveRoomList(rooms: rooms, unresolved: unresolved)
    }
}

/// An archive directory brought up to date: rooms in parallel (each walked page after page),
/// every room's progress recorded in `DIR/.spark-space-archive.json` as soon as what it
/// appended is on disk, so a run killed at any point is taken up by the next one with no
/// message twice and none missing.
public final class Archiver {
    private let run: ArchiveRun

    /// Opens (or starts) the archive in `directory`, holding its lock for as long as the
    /// archiver lives: `SparkError.inUse` when another run (or archiver) is writing it.
    /// `onProgress` and `onWarning` are called from the rooms' threads, one call at a time.
    public init(directory: String, space: Space, options: ArchiveOptions,
                onProgress: (@Sendable (ArchiveProgress) -> Void)? = nil,
                onWarning: (@Sendable (String) -> Void)? = nil) throws {
        try DurableFiles.makeDirectory(directory)
        run = try ArchiveRun(directory: directory, space: space, options: options, onProgress: onProgress,
                             onWarning: onWarning)
    }

    /// Archives the rooms of `list`; its unresolved ROOMs are failed rooms of the report (first).
    public func run(_ list: ArchiveRoomList) -> ArchiveReport {
        var report = run(list.rooms)
        report.rooms = list.unresolved + report.rooms
        return report
    }

    /// Lets go of the archive's lock (also when the archiver is released): another run may
    /// write the directory from then on.
    public func close() {
        run.releaseLock()
    }

    /// Archives `rooms`; a room that fails does not stop the others.
    public func run(_ rooms: [Room]) -> ArchiveReport {
        let run = self.run
        // A run killed while a spool file had a name (where O_TMPFILE is refused), or while
        // it replaced the state or the index, left it here.
        LineSpool.removeLeftovers(in: run.directory)
        DurableFiles.removeLeftovers(in: run.directory)
        run.start(total: rooms.count)
        let outcomes = concurrentMap(rooms, workers: max(1, run.options.parallel)) { room in
            let outcome = run.archive(room)
            run.roomDone()
            return outcome
        }
        var report = ArchiveReport(rooms: outcomes)
        if run.options.html {
            do { try ArchivePages.writeIndex(directory: run.directory, positions: run.state.all) } catch {
                report.indexError = error
            }
        }
        return report
    }
}

/// What the rooms of one run share: the archive, the options, the counters.
final class ArchiveRun: @unchecked Sendable {  // the counters are guarded by `counters`
    static let lockFile = ".spark-space-archive.lock"

    let directory: String
    /// Held until `releaseLock()` or the run is released.
    private let archiveLock: FileLock

    func releaseLock() { archiveLock.release() }
    let space: Space
    let options: ArchiveOptions
    let state: ArchiveState
    private let onProgress: (@Sendable (ArchiveProgress) -> Void)?
    private let onWarning: (@Sendable (String) -> Void)?
    private let counters = ThreadLock()
    private var progress = ArchiveProgress(roomsDone: 0, roomsTotal: 0, messages: 0)

    /// Takes the archive's lock (one run at a time: a run started by cron while the last one
    /// still runs would append the same messages again), then reads the state of `directory`.
    init(directory: String, space: Space, options: ArchiveOptions,
         onProgress: (@Sendable (ArchiveProgress) -> Void)?, onWarning: (@Sendable (String) -> Void)?) throws {
        guard let lock = try FileLock.attempt(joinedPath(directory, Self.lockFile)) else {
            throw SparkError.inUse(path: directory)
        }
        archiveLock = lock
        state = try ArchiveState(directory: directory)
        self.directory = directory
        self.space = space
        self.options = options
        self.onProgress = onProgress
        self.onWarning = onWarning
    }

    /// One room brought up to date, then its page written (from what is archived, also after a failure).
    func archive(_ room: Room) -> ArchiveRoomOutcome {
        var outcome = ArchiveRoomOutcome(roomId: room.id, title: room.title, folder: "", totals: ArchiveTotals())
        do {
            var archive = try RoomArchive(room: room, run: self)
            outcome.folder = archive.position.folder
            do { try archive.update() } catch { outcome.error = error }
            outcome.totals = archive.totals
            if options.html {
                let folder = archive.folderPath
                do { try ArchivePages.writeRoom(folder: folder, title: room.title) } catch {
                    outcome.error = outcome.error ?? error
                }
            }
        } catch {
            outcome.error = error
        }
        return outcome
    }

    func start(total: Int) {
        report { $0.roomsTotal = total }
    }

    func roomDone() {
        report { $0.roomsDone += 1 }
    }

    func counted(messages: Int) {
        guard messages > 0 else { return }
        report { $0.messages += messages }
    }

    func warn(_ text: String) {
        counters.withLock { onWarning?(text) }
    }

    private func report(_ change: (inout ArchiveProgress) -> Void) {
        counters.withLock {
            change(&progress)
            onProgress?(progress)
        }
    }
}
