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
import Dispatch
import SparkSpace
import SparkSpaceListen

/// Options of the websocket commands (`listen --websocket`, `wait`, `post --wait`).
extension OptionSpec {
    static let websocket = OptionSpec(
        "websocket", help: "receive events over Webex's websocket: no public URL needed")
    static let eventType = OptionSpec(
        "type", value: "T", help: "only events of this type (repeatable)", repeatable: true,
        kind: .choice(Events.websocketTypes))
    static let count = OptionSpec("count", value: "N", help: "exit 0 after N events", kind: .int(1...Int.max))
    static let includeSelf = OptionSpec("include-self", help: "also print this identity's own messages")
    static let pruneDevices = OptionSpec(
        "prune-devices", help: "first delete this identity's devices named spark-space*")
    static let waitCard = OptionSpec("card", value: "MSGID", help: "wait for the first submission of this message's card")
    static let from = OptionSpec(
        "from", value: "EMAIL", help: "only from this person (repeatable)", repeatable: true)
    static let match = OptionSpec("match", value: "REGEX", help: "only a reply whose text matches REGEX")
    static let within = OptionSpec(
        "within", value: "DURATION", help: "give up after DURATION (90s, 30m, 2h): exit 8, nothing printed")
    static let waitForCard = OptionSpec(
        "wait", help: "with --card: connect first, post, then print the card's first submission")
}

/// `--within` passed before the awaited event (SPEC: exit 8, nothing on stdout).
struct WithinPassed: Error, CustomStringConvertible {
    var duration: String
    var description: String { "nothing came within \(duration)" }
}

/// `90s`, `30m`, `2h`, `1d` or plain seconds, up to 30 days; nil when it is none of these.
func parseWithin(_ text: String) -> Double? {
    guard let last = text.last else { return nil }
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
    let factor = units[last] ?? 1
    let number = units[last] == nil ? Substring(text) : text.dropLast()
    guard let value = Double(number), value.isFinite, value > 0 else { return nil }
    let seconds = value * factor
    return seconds <= 30 * 86_400 ? seconds : nil
}

/// A websocket session run on its own thread for a command: stderr notices, activities
/// turned into events on a serial queue (so the socket keeps pinging and acknowledging while
/// a message is fetched), signals, and a clean end that deletes the device.
final class EventSocket: @unchecked Sendable {
    let space: Space
    let context: ActivityContext
    let stop = StopFlag()
    private let inv: Invocation
    private let prune: Bool
    /// `listen --websocket`: a SIGTERM is a clean stop (exit 0); for `wait` it is 143.
    private let listening: Bool
    private let events = DispatchQueue(label: "spark-space.events")
    private let finished = DispatchSemaphore(value: 0)
    private let readiness = DispatchSemaphore(value: 0)
    private let lock = ThreadLock()
    private var failure: Error?
    private var signal: Int32?
    private var everReady = false
    /// The session thread is done (the device deleted, or given up).
    private var sessionEnded = false
    private var onEvent: ((JSON) throws -> Bool)?

    init(inv: Invocation, includeSelf: Bool, rooms: [String] = [], prune: Bool = false, listening: Bool = false) throws {
        self.inv = inv
        self.prune = prune
        self.listening = listening
        dropped = NoticeQueue { [inv] in inv.warn($0) }
        space = try inv.space
        let role = inv.role()
        let me = try space.me(role)
        var context = ActivityContext(selfId: me.id)
        context.includeSelf = includeSelf
        context.role = role
        for reference in rooms {
            let room = try space.room(reference, as: role)
            guard let parts = RestIds.parts(room.id) else { continue }
            context.roomUUIDs.insert(parts.uuid)
            context.roomClusters[parts.uuid] = parts.cluster
        }
        self.context = context
    }

    /// Starts the session; `onEvent` gets each event (on one thread) and returns true to stop.
    func start(onEvent: @escaping (JSON) throws -> Bool) throws {
        self.onEvent = onEvent
        let token = try space.token(inv.role())
        let session = MercurySession(
            devices: MercuryDevices(space: space, role: inv.role(), host: hostName()), token: token,
            options: WebSocketOptions(timeout: inv.seconds(.timeout) ?? 60, userAgent: "spark-space/\(sparkSpaceVersion)",
                                      caFile: try inv.caFile()),
            timings: Self.timings(inv.console.environment),
            notice: { [weak self] in self?.say($0) },
            onActivity: { [weak self] activity, bytes in self?.accept(activity, bytes: bytes) })
        session.onReady = { [weak self] in self?.becameReady() }
        session.logsFrames = inv.verbose
        // Close 4401: a signed-in identity refreshes once (issue 27); a fixed token has nothing newer.
        let space = self.space
        if inv.role() == .audit {
            session.refreshToken = { rejected in try space.refreshAuditSignIn(rejecting: rejected) }
        }
        SignalHandling.interceptors.set { [weak self] signal in self?.interrupted(signal) }
        let prune = self.prune
        startThread(stackSize: 1 << 20) { [self] in
            do {
                try session.run(stop: stop, prune: prune)
            } catch {
                lock.withLock { failure = error }
            }
            stop.set()
            lock.withLock { sessionEnded = true }
            readiness.signal()
            finished.signal()
        }
    }

    /// Test hooks: shorter ping, pong and refresh periods (`SPARK_SPACE_TEST_MERCURY=ping,pong,refresh`),
    /// and a shorter first wait before a reconnect (`SPARK_SPACE_TEST_BACKOFF=seconds`).
    private static func timings(_ environment: [String: String]) -> MercuryTimings {
        var timings = MercuryTimings()
        if let backoff = environment["SPARK_SPACE_TEST_BACKOFF"].flatMap(Double.init), backoff > 0, backoff <= 1 {
            timings.firstBackoff = backoff
        }
        guard let text = environment["SPARK_SPACE_TEST_MERCURY"] else { return timings }
        let numbers = text.split(separator: ",").compactMap { Double($0) }.filter { $0 > 0 && $0 < 86_400 }
        if numbers.count == 3 {
            (timings.pingEvery, timings.pongTimeout, timings.refreshEvery) = (numbers[0], numbers[1], numbers[2])
        }
        return timings
    }

    /// Blocks until the socket is ready the first time; false when the session ended first.
    /// Past `deadline` it throws `WithinPassed` (after ending the session: the device is deleted).
    func waitReady(deadline: Date? = nil, within: String = "") throws -> Bool {
        if let deadline {
            if readiness.wait(timeout: .now() + max(0, deadline.timeIntervalSinceNow)) == .timedOut {
                try finish()
                throw WithinPassed(duration: within)
            }
        } else {
            readiness.wait()
        }
        return lock.withLock { everReady }
    }

    /// Blocks until the session ends (stop set, a fatal close, a signal) or `deadline`; true
    /// when the deadline came first.
    func wait(until deadline: Date?) -> Bool {
        guard let deadline else {
            finished.wait()
            finished.signal()
            return false
        }
        let seconds = max(0, deadline.timeIntervalSinceNow)
        if finished.wait(timeout: .now() + seconds) == .timedOut { return true }
        finished.signal()
        return false
    }

    /// Stops the session, waits until its device is deleted, and throws what ended it.
    /// An event stuck on a stdout nobody reads does not keep it waiting: after `listenStopStall`
    /// seconds without one event done it says how many were not printed and exits 1.
    func finish() throws {
        stop.set()
        finished.wait()
        finished.signal()
        let unprinted = waitForEvents(stall: listenStopStall)
        SignalHandling.interceptors.set(nil)
        _ = dropped.flush(within: 1)  // what was dropped is said before the end (stderr may be stuck: 1 s)
        if unprinted > 0 {
            // Not through the Runner: it would flush stdout first, which the stuck event holds.
            inv.console.diagnostic("spark-space: error: \(unprinted) event\(unprinted == 1 ? " was" : "s were") not "
                + "printed: stdout was not read for \(Int(listenStopStall)) s")
            throw AlreadyReported(code: ExitCode.failure)
        }
        let (failure, signal) = lock.withLock { (self.failure, self.signal) }
        if let signal { throw StoppedBySignal(signal: signal, termIsSuccess: listening) }
        if let failure { throw failure }
    }

    /// Waits while activities are still being turned into events, as long as one is done at
    /// least every `stall` seconds; returns how many were left (0: all done).
    private func waitForEvents(stall: Double) -> Int {
        while true {
            let left = lock.withLock { pending }
            if left == 0 { return 0 }
            if eventDone.wait(timeout: .now() + stall) == .timedOut { return lock.withLock { pending } }
        }
    }

    private func interrupted(_ number: Int32) {
        let first = lock.withLock { () -> Bool in
            guard signal == nil else { return false }
            signal = number
            return true
        }
        if !first {
            // A second signal while stopping: give up on a clean stop.
            _exit(number == SIGINT ? ExitCode.interrupted : 128 + number)
        }
        stop.set()
        // A socket being connected stops at once (it asks the stop flag); a request to the device
        // service cannot be cancelled, and one that stalls must not hold a Ctrl-C for --timeout.
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.stopGrace) { [self] in
            guard !lock.withLock({ sessionEnded }) else { return }
            let said = DispatchSemaphore(value: 0)
            startThread(stackSize: 1 << 18) { [self] in
                inv.console.diagnostic("spark-space: the device service did not answer within "
                    + "\(Int(Self.stopGrace)) s of the stop; the device is left to expire by itself")
                said.signal()
            }
            _ = said.wait(timeout: .now() + 0.5)  // a stderr nobody reads does not hold the exit
            _exit(number == SIGINT ? ExitCode.interrupted : 128 + number)
        }
    }

    /// Seconds a stop may take until the session (the socket, the device's deletion) has ended.
    static let stopGrace = 5.0

    private func becameReady() {
        let first = lock.withLock { () -> Bool in
            defer { everReady = true }
            return !everReady
        }
        if first { readiness.signal() }
    }

    /// Activities waiting for their fetch or their turn on stdout: past `maxPending` of them, or
    /// `maxPendingBytes` of their frames, the newest are dropped (said on stderr), so a flood
    /// while the API is slow or stdout is not read cannot grow memory without bound (as the
    /// webhook receiver's queue).
    private var pending = 0
    private var pendingBytes = 0
    /// Says what was dropped without ever blocking the session's thread (stderr may not be read),
    /// at most a few lines a second in a flood.
    private let dropped: NoticeQueue
    private static let maxPending = 10_000
    private static let maxPendingBytes = 16 << 20
    /// Signalled each time an activity is done with (printed, skipped or failed).
    private let eventDone = DispatchSemaphore(value: 0)

    private func accept(_ activity: JSON, bytes: Int) {
        let kept = lock.withLock { () -> Bool in
            // One activity is always taken, however large (a frame is bounded by the socket).
            guard pending < Self.maxPending, pending == 0 || pendingBytes + bytes <= Self.maxPendingBytes else {
                return false
            }
            pending += 1
            pendingBytes += bytes
            return true
        }
        guard kept else {
            return dropped.post("warning: activities wait for their fetch or for stdout (at most \(Self.maxPending), "
                + "\(Self.maxPendingBytes >> 20) MB); dropped a \(activity["verb"]?.string ?? "?") activity")
        }
        events.async { [self] in
            defer {
                lock.withLock {
                    pending -= 1
                    pendingBytes -= bytes
                }
                eventDone.signal()
            }
            guard !stop.isSet, let onEvent else { return }
            do {
                switch try space.event(forActivity: activity, context: context) {
                case .event(let event):
                    if try onEvent(event) { stop.set() }
                case .ignored(let reason):
                    if reason.contains("404") {
                        inv.note("skipped an event: \(reason)")
                    } else if inv.verbose {
                        inv.note("ignored an activity: \(reason)")
                    }
                }
            } catch is OutputClosed {
                stop.set()
            } catch {
                inv.warn("warning: activity \(activity["verb"]?.string ?? "?"): \(errorText(error))")
            }
        }
    }

    private func say(_ notice: MercuryNotice) {
        switch notice {
        case .deviceRegistered(let url): if inv.verbose { inv.note("registered device \(printable(url))") }
        case .devicePruned(let name, let url): inv.note("deleted device '\(printable(name))' (\(printable(url)))")
        case .deviceReplaced(let reason): inv.note("registered a new device: \(reason)")
        case .deviceDeleted: if inv.verbose { inv.note("deleted the device") }
        case .ready(let offline):
            if let offline {
                inv.note("websocket back after \(fixed(offline, digits: 1)) s without a socket; "
                    + "events in that gap were not delivered to it and are lost")
            } else {
                inv.note("websocket ready: waiting for events")
            }
        case .lost(let reason, let retryIn):
            inv.note("websocket lost: \(printable(reason)); reconnecting in \(fixed(retryIn, digits: 1)) s")
        case .refreshFailed(let reason, let retryIn):
            inv.note("device refresh failed (\(printable(reason, limit: 200))); trying again in \(fixed(retryIn, digits: 1)) s")
        case .sequenceGap(let missed):
            inv.note("websocket: \(missed) frame\(missed == 1 ? "" : "s") missed (a gap in sequenceNumber)")
        case .ignored(let what): if inv.verbose { inv.note("websocket: \(printable(what))") }
        case .frame(let frame): inv.note(Self.frameLine(frame))
        }
    }

    /// `-v`'s line for a frame: `websocket > text 123 bytes`, `websocket < close 4401 (token expired)`;
    /// never a payload (the authorization frame carries the token).
    static func frameLine(_ frame: WebSocketFrameLog) -> String {
        var line = "websocket \(frame.outgoing ? ">" : "<") \(frame.opcode)"
        if let code = frame.closeCode {
            line += " \(code)"
            if !frame.closeReason.isEmpty { line += " (\(printable(frame.closeReason, limit: 120)))" }
        } else {
            line += " \(frame.length) byte\(frame.length == 1 ? "" : "s")"
        }
        return line
    }
}

/// This machine's name, for the device name (`spark-space on HOST`).
func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.isEmpty ? "localhost" : printable(name, limit: 64)
}
