import CCurl
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

/// Pages of a room's messages, newest first: a sequential `MessageWalk` or a `ParallelWalk`.
public protocol MessagePages {
    /// The next page as the API sent it (never empty); nil at the end.
    mutating func nextRawPage() throws -> RawItems?
    /// The next page, parsed (never empty); nil at the end.
    mutating func nextPage() throws -> ArraySlice<JSON>?
}

extension MessageWalk: MessagePages {}

extension Space {
    /// The most time windows `walk-messages` reads at once.
    public static let maxParallel = 16

    /// Walks a room's messages newest first, reading up to `parallel` disjoint time windows
    /// of the history at once (`ParallelWalk`). `parallel` 1, or a `limit`: one page after another.
    public func walkMessages(_ query: MessageQuery, as role: TokenRole = .bot, parallel: Int) throws -> any MessagePages {
        // The direct list (`personEmail`) takes no `before`: it is read page after page.
        guard parallel > 1, query.limit == 0, query.personEmail == nil else { return try walkMessages(query, as: role) }
        return ParallelWalk(client: try client(role), query: query, workers: min(parallel, Self.maxParallel))
    }
}

/// A room's history read as disjoint time windows at once, returned in order, newest first.
///
/// Following `Link` is sequential: a long history costs one round trip per page. So the
/// history is cut into windows at instants: a window holds the messages with
/// `boundary below ≤ created < boundary above`, is read with `before=` its upper boundary
/// (Webex: strictly before) and ends at the first message older than its lower one. Each
/// message is thus in exactly one window, windows keep the API's order inside, and their
/// concatenation is the sequential walk.
///
/// Window 0 is the query's own walk (its first page is the sequential walk's first page:
/// a one-page history costs one request). The other workers then split the window with
/// the most messages left — estimated from the density of what it has read, and from the
/// room's `created` for the oldest window — at the middle of its remaining time span, and
/// walk the older half; a worker that finishes splits again. Uneven histories (most
/// messages recent) thus end up cut where the messages are.
///
/// The window being returned (the head) hands its pages over in memory (one ahead); the
/// others spool theirs to unlinked temporary files, read back when their turn comes.
public final class ParallelWalk: MessagePages {
    private let state: WalkState

    init(client: WebexClient, query: MessageQuery, workers: Int) {
        state = WalkState(client: client, query: query)
        state.start(workers: workers)
    }

    deinit { state.cancel() }

    /// The next page as the API sent it (never empty); nil at the end.
    public func nextRawPage() throws -> RawItems? { try state.nextPage() }

    /// The next page, parsed (never empty); nil at the end.
    public func nextPage() throws -> ArraySlice<JSON>? {
        guard let page = try nextRawPage() else { return nil }
        return ArraySlice((0..<page.count).map { page[$0].json })
    }
}

/// One time window of the history and what has been read of it.
private final class Window: @unchecked Sendable {
    /// The `before=` of its first request, in ms; nil: window 0, the query's own first request.
    let before: Int64?
    /// Messages older than this (ms) belong to the next window; nil: none, read to the end.
    var stop: Int64?
    /// Newest and oldest `created` read (ms); `oldest` starts at `before`.
    var newest: Int64?
    var oldest: Int64?
    var kept = 0
    var observed = false
    /// Read to its stop or its last page: nothing left to split (its last pages may still be on their way).
    var complete = false
    /// Every page handed over (or an error met).
    var done = false
    var error: Error?
    /// Being returned: pages go to `live` (one at a time) instead of the spool.
    var isHead = false
    var live: [RawItems] = []
    var spool: Spool?
    var spoolEnd: Int64 = 0
    var readOffset: Int64 = 0

    init(before: Int64?, stop: Int64?) {
        self.before = before
        self.stop = stop
        self.oldest = before
    }

    /// The time span read so far (ms, at least 1), for the density.
    var spanRead: Int64? {
        guard let top = before ?? newest, let oldest, kept > 0 else { return nil }
        return max(1, top - oldest)
    }
}

/// The windows, shared by the workers and the reader, under `monitor`.
private final class WalkState: @unchecked Sendable {
    let client: WebexClient
    let query: MessageQuery
    let monitor = Monitor()
    /// Newest first; a split inserts the older part right after the window split.
    var windows: [Window]
    /// The window being returned.
    var head = 0
    var cancelled = false
    /// The room's `created` (ms): the low end of the oldest window, for estimates only.
    var roomCreated: LowerBound = .unknown

    enum LowerBound { case unknown, fetching, known(Int64?) }

    /// Splitting a window with less than this many messages left (estimated) is not worth a request.
    var minimumSplit: Int { 2 * query.pageSize }

    /// Set when a window got a message outside its time span (a server that ignores `before=`):
    /// the walk goes on sequentially (`fallback`), leaving out the messages already returned.
    private var outOfBounds = false
    private var fallback: MessageWalk?
    /// Messages returned to the reader, and the id of the last one (checked when falling back).
    private var returned = 0
    private var lastReturnedId: String?
    private var toSkip = 0

    init(client: WebexClient, query: MessageQuery) {
        self.client = client
        self.query = query
        let since = query.since.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        windows = [Window(before: nil, stop: since)]
    }

    func start(workers: Int) {
        ss_tune_malloc_for_threads()  // memory flat: see shim.h
        let first = windows[0]
        for index in 0..<workers {
            // 4 MB of stack: page scanning recurses into nested values.
            startThread(stackSize: 4 << 20) { [self] in
                var window: Window? = index == 0 ? first : nil
                if window == nil { window = split() }
                while let current = window {
                    walk(current)
                    window = split()
                }
            }
        }
    }

    func cancel() {
        monitor.withLock {
            cancelled = true
            monitor.broadcast()
        }
    }

    // MARK: Workers

    /// Reads a window to its end (or to its stop), page by page.
    private func walk(_ window: Window) {
        var query = self.query
        if let before = window.before {
            query.before = Date(timeIntervalSince1970: Double(before) / 1000)
            query.beforeMessage = nil
        }
        var pages = client.list("messages", query: query.queryItems)
        while true {
            let page: RawItems?
            do {
                if monitor.withLock({ cancelled }) { return }
                page = try pages.nextRawPage()
            } catch {
                return finish(window, error: error)
            }
            guard let page else { return finish(window, error: nil) }
            do {
                if try !deliver(page, of: window, last: !pages.hasNext) { return finish(window, error: nil) }
            } catch {
                return finish(window, error: error)
            }
        }
    }

    /// Keeps the page's messages down to the window's stop and hands them over (head) or
    /// spools them; false when the window is complete.
    private func deliver(_ page: RawItems, of window: Window, last: Bool) throws -> Bool {
        var page = page
        let created = (0..<page.count).map { page[$0].createdMillis }
        monitor.lock()
        if let before = window.before, created.contains(where: { ($0 ?? .min) >= before }) {
            // Not strictly before `before=`: the windows cannot be trusted to be disjoint.
            outOfBounds = true
            cancelled = true
            monitor.broadcast()
            monitor.unlock()
            return false
        }
        var kept = page.count
        if let stop = window.stop, let older = created.firstIndex(where: { ($0 ?? .max) < stop }) {
            kept = older
        }
        window.observed = true
        for stamp in created.prefix(kept).compactMap({ $0 }) {
            window.newest = max(window.newest ?? stamp, stamp)
            window.oldest = min(window.oldest ?? stamp, stamp)
        }
        window.kept += kept
        window.complete = kept < page.count || last
        monitor.broadcast()  // an observed window may be split
        let more = !window.complete && !cancelled
        guard kept > 0 else {
            monitor.unlock()
            return more
        }
        page.keepFirst(kept)
        if window.isHead {
            while !window.live.isEmpty && !cancelled { monitor.wait() }
            window.live.append(page)
            monitor.broadcast()
            monitor.unlock()
            return more
        }
        if window.spool == nil {
            do { window.spool = try Spool() } catch {
                monitor.unlock()
                throw error
            }
        }
        let (spool, offset) = (window.spool!, window.spoolEnd)
        monitor.unlock()
        let written = try spool.write(page.bytes, kept: kept, at: offset)
        monitor.withLock {
            window.spoolEnd = offset + written
            monitor.broadcast()
        }
        return more
    }

    private func finish(_ window: Window, error: Error?) {
        monitor.withLock {
            window.error = error
            window.done = true
            monitor.broadcast()
        }
    }

    /// Cuts the window with the most messages left in two and returns the older part, for
    /// the calling worker to walk; nil when none is worth it (or the walk was stopped).
    private func split() -> Window? {
        monitor.lock()
        defer { monitor.unlock() }
        // Nothing is known before the first page.
        while !windows[0].observed && !windows[0].done && !cancelled { monitor.wait() }
        while !cancelled {
            if windows.contains(where: { !$0.complete && !$0.done && $0.stop == nil }), case .unknown = roomCreated {
                fetchRoomCreated()
                continue
            }
            if case .fetching = roomCreated {
                monitor.wait()
                continue
            }
            guard let (index, low) = largest() else { return nil }
            let window = windows[index]
            let middle = low + (window.oldest! - low) / 2
            let older = Window(before: middle, stop: window.stop)
            window.stop = middle
            windows.insert(older, at: index + 1)
            return older
        }
        return nil
    }

    /// The window with the most messages left, if worth splitting, and the low end of its span.
    private func largest() -> (Int, Int64)? {
        let density = averageDensity()
        var best: (index: Int, low: Int64, left: Double)?
        for (index, window) in windows.enumerated() where !window.complete && !window.done {
            guard let oldest = window.oldest, let low = window.stop ?? lowEnd(), oldest - low >= 2 else { continue }
            let rate = window.spanRead.map { Double(window.kept) / Double($0) } ?? density
            let left = rate * Double(oldest - low)
            if left >= Double(minimumSplit), left > best?.left ?? 0 { best = (index, low, left) }
        }
        return best.map { ($0.index, $0.low) }
    }

    /// Messages per ms over everything read so far.
    private func averageDensity() -> Double {
        var kept = 0, span: Int64 = 0
        for window in windows {
            guard let read = window.spanRead else { continue }
            kept += window.kept
            span += read
        }
        return span > 0 ? Double(kept) / Double(span) : 0
    }

    private func lowEnd() -> Int64? {
        if case .known(let created) = roomCreated { return created }
        return nil
    }

    /// Reads the room's `created` (lock held on entry and exit, released meanwhile). A
    /// failure only means that the oldest window is not split.
    private func fetchRoomCreated() {
        roomCreated = .fetching
        monitor.unlock()
        let room = try? client.get(WebexClient.path(.room, query.roomId, check: .asTyped))
        let created = room?["created"]?.string.flatMap(RFC3339.millis)
        monitor.lock()
        roomCreated = .known(created)
        monitor.broadcast()
    }

    // MARK: Reader

    /// The next page in order: the windows' pages, or after a window went out of its bounds, the
    /// sequential walk's (what was returned already left out): never a message twice.
    func nextPage() throws -> RawItems? {
        if !monitor.withLock({ outOfBounds }), let page = try nextWindowPage() {
            returned += page.count
            if page.count > 0 { lastReturnedId = page[page.count - 1]["id"]?.string }
            return page
        }
        guard monitor.withLock({ outOfBounds }) else { return nil }
        return try nextSequentialPage()
    }

    private func nextSequentialPage() throws -> RawItems? {
        if fallback == nil {
            client.observer?(.notice("a window of the parallel walk got messages outside its time span (the server "
                + "ignores before=): reading the history one page after another instead"))
            fallback = MessageWalk(pages: client.list(query.path, query: query.queryItems), query: query)
            toSkip = returned
        }
        while var page = try fallback!.nextRawPage() {
            guard toSkip > 0 else { return page }
            let skipped = min(toSkip, page.count)
            toSkip -= skipped
            if toSkip == 0, let lastReturnedId, page[skipped - 1]["id"]?.string != lastReturnedId {
                throw SparkError.io("the room's history changed while it was read again one page after another; "
                    + "stopped rather than print a message twice")
            }
            page.dropFirst(skipped)
            if page.count > 0 { return page }
        }
        return nil
    }

    /// The next page of the windows: the head window's spool, then its pages in memory, then the next
    /// window; nil at the end, or when a window went out of its bounds.
    private func nextWindowPage() throws -> RawItems? {
        monitor.lock()
        defer { monitor.unlock() }
        while head < windows.count && !outOfBounds {
            let window = windows[head]
            window.isHead = true
            if window.readOffset < window.spoolEnd, let spool = window.spool {
                let offset = window.readOffset
                monitor.unlock()
                let record = Result { try spool.read(at: offset) }
                monitor.lock()
                let (page, length) = try record.get()
                window.readOffset += length
                return page
            }
            if !window.live.isEmpty {
                monitor.broadcast()
                return window.live.removeFirst()
            }
            if window.done {
                if let error = window.error { throw error }
                window.spool = nil
                head += 1
                continue
            }
            monitor.wait()
        }
        return nil
    }
}

/// Pages spooled to a temporary file, deleted at once (only its descriptor keeps it): nothing
/// is left behind, whatever ends the process. Each record: kept count and length (UInt32 LE), page bytes.
private final class Spool: @unchecked Sendable {
    private let fd: Int32

    init() throws {
        let directory = FileManager.default.temporaryDirectory.path
        // Registered for the instant until it is unlinked.
        let (fd, path) = try TemporaryFiles.shared.create {
            var template = Array((directory + "/spark-space-walk.XXXXXX").utf8CString)
            let fd = mkstemp(&template)
            guard fd >= 0 else { throw SparkError.io("cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))") }
            return (fd, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        self.fd = fd
        unlink(path)
        TemporaryFiles.shared.remove(path)
    }

    deinit { close(fd) }

    /// Writes a record at `offset` (the page is not copied: memory stays at a page per worker); returns its length.
    func write(_ bytes: [UInt8], kept: Int, at offset: Int64) throws -> Int64 {
        try put(Self.header(UInt32(kept)) + Self.header(UInt32(bytes.count)), at: offset)
        try put(bytes, at: offset + 8)
        return Int64(8 + bytes.count)
    }

    private func put(_ bytes: [UInt8], at offset: Int64) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SparkError.io("cannot write a temporary file: \(String(cString: strerror(errno)))") }
                done += n
            }
        }
    }

    /// The record at `offset` and its length.
    func read(at offset: Int64) throws -> (RawItems, Int64) {
        let head = try bytes(8, at: offset)
        let kept = Int(Self.number(head[0..<4])), length = Int(Self.number(head[4..<8]))
        var page = try RawItems(page: try bytes(length, at: offset + 8))
        page.keepFirst(kept)
        return (page, Int64(8 + length))
    }

    private func bytes(_ count: Int, at offset: Int64) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { buffer in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SparkError.io("cannot read a temporary file: \(String(cString: strerror(errno)))") }
                done += n
            }
        }
        return bytes
    }

    private static func header(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    private static func number(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// A mutex and its condition (pthreads), for state shared by the walk's threads.
final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Waits for a `broadcast` (lock held).
    func wait() { pthread_cond_wait(condition, mutex) }
    func broadcast() { pthread_cond_broadcast(condition) }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
