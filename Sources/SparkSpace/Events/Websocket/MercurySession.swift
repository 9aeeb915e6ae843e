#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a websocket session reports while it runs, for the command line to say on stderr.
public enum MercuryNotice: Sendable {
    /// A device was registered; its URL.
    case deviceRegistered(url: String)
    /// A device of this identity named `spark-space ...` was deleted (`--prune-devices`).
    case devicePruned(name: String, url: String)
    /// The device was gone (404 on refresh, 404 upgrade, close 4404): a new one was registered.
    case deviceReplaced(reason: String)
    /// The session's device was deleted as the session ended.
    case deviceDeleted
    /// The socket is authorized and ready; `offline` is how long there was no socket before
    /// (nil on the first connection).
    case ready(offline: Double?)
    /// The socket was lost (`reason`); the next try is in `retryIn` seconds.
    case lost(reason: String, retryIn: Double)
    /// Refreshing the device failed for a reason that may pass; it is tried again in `retryIn` s.
    case refreshFailed(reason: String, retryIn: Double)
    /// `missed` frames never came (a gap in `sequenceNumber`).
    case sequenceGap(missed: Int)
    /// A frame that is not JSON, or a note of something ignored.
    case ignored(String)
    /// A frame sent or received (only with `logsFrames`): never its payload.
    case frame(WebSocketFrameLog)
}

/// A thread-safe stop request, set by a signal, a closed output, `--count` or a deadline.
public final class StopFlag: @unchecked Sendable {
    private let lock = ThreadLock()
    private var stopped = false

    /// A flag not yet set.
    public init() {}

    /// True once `set` was called, from any thread.
    public var isSet: Bool { lock.withLock { stopped } }

    /// True the first time only.
    @discardableResult
    public func set() -> Bool {
        lock.withLock {
            defer { stopped = true }
            return !stopped
        }
    }
}

/// Timings of a session (SPEC values; tests may shorten them).
public struct MercuryTimings: Sendable {
    /// Seconds between two pings on a ready socket.
    public var pingEvery = 15.0
    /// Seconds to wait for a ping's pong before the socket counts as lost and is reconnected.
    public var pongTimeout = 14.0
    /// Seconds between two device refreshes; keep it under the device's ttl (`MercuryDevices.ttl`, 1800).
    public var refreshEvery = 900.0
    /// The longest wait for `mercury.buffer_state` after the authorization frame.
    public var readyTimeout = 30.0
    /// Seconds before the first reconnection; each further one doubles it (with jitter) up to `maxBackoff`.
    public var firstBackoff = 1.0
    /// The longest wait between two reconnections (seconds).
    public var maxBackoff = 32.0

    /// The SPEC's timings: ping every 15 s, pong within 14 s, refresh every 900 s, ready within 30 s,
    /// reconnect after 1 s doubling to 32 s.
    public init() {}
}

/// Webex's websocket ("Mercury"): registers a device, connects, authorizes in-band, pings,
/// acknowledges every frame, reconnects with backoff for ever, handles Webex's close codes,
/// refreshes the device, and deletes it however the session ends.
///
/// Set `refreshToken`, `onReady` and `logsFrames` before `run`, then leave the session to the
/// one thread that runs it: it is `Sendable` only so that it can be handed to that thread, and
/// none of its state is locked. To stop it from elsewhere, set the `StopFlag` given to `run`.
public final class MercurySession: @unchecked Sendable {  // handed to one thread, then used by it alone
    /// An activity, and the length of the frame it came in (what holding it costs, roughly): a
    /// caller that queues activities bounds the queue by it.
    public typealias ActivityHandler = (_ activity: JSON, _ frameBytes: Int) -> Void
    private let devices: MercuryDevices
    private let options: WebSocketOptions
    private var token: String
    private let timings: MercuryTimings
    private let notice: (MercuryNotice) -> Void
    private let onActivity: ActivityHandler
    /// Called on close 4401 with the token refused: a fresh token (a signed-in identity refreshes),
    /// or nil; a refresh Webex refuses throws (the session ends with it). Once per refusal: a token
    /// refused again before the socket was ready ends the session.
    public var refreshToken: ((String) throws -> String?)?
    /// Called once each time the socket becomes ready.
    public var onReady: (() -> Void)?
    /// Tell each frame sent and received (`.frame` notices: direction, opcode, length, close code).
    public var logsFrames = false

    private var device: MercuryDevice?
    private var nextRefresh = Date.distantFuture
    private var lastSequence: Int?
    private var tokenRefreshed = false

    /// A session that registers its device through `devices`, authorizes the socket with `token`
    /// (a bare access token, sent as `Bearer`), and connects with `options`. `notice` hears what happens
    /// and `onActivity` gets each activity; both are called on the thread that runs `run`.
    public init(devices: MercuryDevices, token: String, options: WebSocketOptions, timings: MercuryTimings = MercuryTimings(),
                notice: @escaping (MercuryNotice) -> Void, onActivity: @escaping ActivityHandler) {
        self.devices = devices
        self.token = token
        self.options = options
        self.timings = timings
        self.notice = notice
        self.onActivity = onActivity
    }

    /// Runs until `stop` is set (returns) or a close code says it cannot go on (throws).
    /// The device is deleted on every way out.
    public func run(stop: StopFlag, prune: Bool = false) throws {
        if prune {
            for (name, url) in try devices.prune() { notice(.devicePruned(name: name, url: url)) }
        }
        try registerDevice()
        defer { deleteDevice() }
        var attempt = 0
        var lostSince: Date?
        while !stop.isSet {
            let outcome = session(stop: stop, lostSince: &lostSince, attempt: &attempt)
            // Also a socket replaced at once (4404, a refreshed token) leaves a gap in the events.
            if case .failed = outcome, lostSince == nil { lostSince = Date() }
            let reason: String?
            do {
                reason = try handle(outcome)
            } catch where Self.isTransient(error) {
                reason = "\(error)"
            }
            guard let reason else { continue }
            if stop.isSet { break }
            let delay = backoff(attempt)
            attempt += 1
            notice(.lost(reason: reason, retryIn: delay))
            pause(delay, stop: stop)
            do {
                try refreshIfDue()
            } catch where Self.isTransient(error) {
                continue  // the next connection tries again
            }
        }
    }

    /// A failure of the device service that waiting may cure (the network, a 5xx, a 429 past
    /// its retries): the session retries instead of ending.
    static func isTransient(_ error: Error) -> Bool {
        switch error {
        case SparkError.transport, SparkError.retriesSpent, SparkError.waitBudgetSpent: return true
        case SparkError.api(let failure): return failure.status >= 500 || failure.status == 429
        default: return false
        }
    }

    /// A token refresh that failed on the way (the network, a 5xx or 429 past the retries, an answer
    /// that is not a grant): waiting may cure it. A refusal (the refresh token or the client refused,
    /// not signed in, unusable credentials) may not: the session ends with it (exit 3).
    static func isTransientRefresh(_ error: Error) -> Bool {
        if case SparkError.signIn(let problem) = error {
            if case .grantFailed = problem { return true }
            return false
        }
        return isTransient(error)
    }

    private enum Outcome {
        case stopped
        case failed(Error)
    }

    /// One connection, from the upgrade to its end.
    private func session(stop: StopFlag, lostSince: inout Date?, attempt: inout Int) -> Outcome {
        do {
            // A device lost while the service could not be reached is registered again here.
            if device == nil { try registerDevice() }
            guard let device else { return .failed(WebSocketFailure.network("no device")) }
            let socket = try WebSocketConnection(url: Self.socketURL(device.webSocketUrl), options: options,
                                                 cancelled: { stop.isSet })
            if logsFrames { socket.onFrame = { [notice] in notice(.frame($0)) } }
            defer { socket.close() }
            try authorize(socket, stop: stop)
            if stop.isSet { return .stopped }
            // The token was accepted: a later 4401 (the next expiry, weeks on) may refresh again.
            tokenRefreshed = false
            notice(.ready(offline: lostSince.map { Date().timeIntervalSince($0) }))
            lostSince = nil
            attempt = 0
            onReady?()
            try pump(socket, stop: stop)
            return .stopped
        } catch {
            return .failed(error)
        }
    }

    /// What to do after a connection ended: nil to reconnect at once, a reason to wait and
    /// reconnect, or a throw to give up.
    private func handle(_ outcome: Outcome) throws -> String? {
        guard case .failed(let error) = outcome else { return nil }
        switch error {
        case EventSocketError.closed(let code, let reason):
            switch code {
            case 4401:
                guard !tokenRefreshed, let refreshToken else { throw error }
                let fresh: String?
                do {
                    fresh = try refreshToken(token)
                } catch let failure where Self.isTransientRefresh(failure) {
                    // Not a refusal: wait the backoff; the next connection meets 4401 again and refreshes again.
                    return "the token refresh failed (\(failure))"
                }
                guard let fresh else { throw error }
                tokenRefreshed = true
                token = fresh
                return nil
            case 4400, 4403, 4000: throw error
            case 4404:
                try replaceDevice("the socket was closed 4404 (device registration expired)")
                return nil
            default:
                return "closed \(code)" + (reason.isEmpty ? "" : " (\(printable(reason)))")
            }
        case WebSocketFailure.upgradeRefused(let status, _) where status == 404:
            try replaceDevice("the websocket upgrade was answered 404")
            return nil
        case WebSocketFailure.upgradeRefused(let status, let message) where status == 401 || status == 403:
            throw SparkError.api(APIFailure(method: "GET", path: "websocket upgrade", status: status, message: message,
                                            trackingId: nil))
        case WebSocketFailure.permanent(let why):
            throw SparkError.io("cannot open the websocket: \(why)")
        case let failure as WebSocketFailure:
            return failure.description
        default:
            if Self.isTransient(error) { return "\(error)" }
            throw error
        }
    }

    /// `1 s` doubling to `32 s`, with up to 25 % jitter (never past 32 s).
    func backoff(_ attempt: Int) -> Double {
        let base = min(timings.maxBackoff, timings.firstBackoff * Double(1 << min(attempt, 10)))
        return min(timings.maxBackoff, base * Double.random(in: 0.75...1.0) + base * 0.25 * Double.random(in: 0...1))
    }

    private func pause(_ seconds: Double, stop: StopFlag) {
        let end = Date().addingTimeInterval(seconds)
        while !stop.isSet && end.timeIntervalSinceNow > 0 {
            sleepThread(seconds: min(0.1, max(0, end.timeIntervalSinceNow)))
        }
    }

    /// The device's socket URL with the query Webex's own clients send.
    static func socketURL(_ base: String) -> String {
        let query = "outboundWireFormat=text&bufferStates=true&aliasHttpStatus=true"
            + "&clientTimestamp=\(Int64(Date().timeIntervalSince1970 * 1000))"
        return base + (base.contains("?") ? "&" : "?") + query
    }

    // MARK: Device

    private func registerDevice() throws {
        let made = try devices.register()
        device = made
        nextRefresh = Date().addingTimeInterval(refreshInterval)
        notice(.deviceRegistered(url: made.url))
    }

    private func replaceDevice(_ reason: String) throws {
        if let device { try? devices.delete(device) }
        device = nil  // registered again by the next connection if this fails
        try registerDevice()
        notice(.deviceReplaced(reason: reason))
    }

    /// How often the device is refreshed: `timings.refreshEvery`, but at half the device's ttl at the
    /// latest (a ttl shorter than the refresh period would let the device expire in between).
    private var refreshInterval: Double { max(1, min(timings.refreshEvery, Double(devices.ttl) / 2)) }

    /// Refreshes the device when its time has come; true when a new one had to be registered.
    @discardableResult
    private func refreshIfDue() throws -> Bool {
        guard let current = device, Date() >= nextRefresh else { return false }
        let answer: MercuryDevice?
        do {
            answer = try devices.refresh(current)
        } catch where Self.isTransient(error) {
            // The device is refreshed at half its life at the latest: there is time to try again.
            let retry = min(60, refreshInterval / 4)
            nextRefresh = Date().addingTimeInterval(retry)
            notice(.refreshFailed(reason: "\(error)", retryIn: retry))
            return false
        }
        if let refreshed = answer {
            device = MercuryDevice(url: current.url, webSocketUrl: refreshed.webSocketUrl)
            nextRefresh = Date().addingTimeInterval(refreshInterval)
            return false
        }
        device = nil
        try registerDevice()
        notice(.deviceReplaced(reason: "the device was gone when refreshed (404)"))
        return true
    }

    private func deleteDevice() {
        guard let device else { return }
        do {
            try devices.delete(device)
            notice(.deviceDeleted)
        } catch {
            notice(.ignored("could not delete the device \(device.url): \(error); it expires by itself"))
        }
        self.device = nil
    }

    // MARK: The socket

    /// Sends the authorization frame and waits for readiness, acknowledging what comes.
    private func authorize(_ socket: WebSocketConnection, stop: StopFlag) throws {
        let frame: JSON = ["id": .string(Self.uuid()), "type": "authorization",
                           "data": ["token": .string("Bearer \(token)")]]
        try socket.send(text: frame.compactText)
        lastSequence = nil
        let deadline = Date().addingTimeInterval(timings.readyTimeout)
        while !stop.isSet {
            guard deadline.timeIntervalSinceNow > 0 else {
                throw WebSocketFailure.network("not ready \(Int(timings.readyTimeout)) s after the authorization")
            }
            for message in try socket.receive(timeout: min(0.2, max(0.01, deadline.timeIntervalSinceNow))) {
                if try handle(message, socket) == .ready { return }
            }
        }
    }

    /// Reads frames until `stop`, pinging every 15 s and expecting the pong within 14 s.
    private func pump(_ socket: WebSocketConnection, stop: StopFlag) throws {
        var nextPing = Date().addingTimeInterval(timings.pingEvery)
        var pending: (id: String, deadline: Date)?
        while !stop.isSet {
            let wake = min(nextPing, pending?.deadline ?? nextPing, nextRefresh)
            for message in try socket.receive(timeout: min(0.2, max(0.005, wake.timeIntervalSinceNow))) {
                if case .pong(let id) = try handle(message, socket), id == pending?.id || id == nil { pending = nil }
                if stop.isSet { return }
            }
            let now = Date()
            if let waiting = pending, now >= waiting.deadline {
                socket.close(code: 1000, reason: "no pong")
                throw WebSocketFailure.network("no pong within \(Int(timings.pongTimeout)) s")
            }
            if pending == nil && now >= nextPing {
                let id = Self.uuid()
                try socket.send(text: JSON.object(["id": .string(id), "type": "ping"]).compactText)
                pending = (id, now.addingTimeInterval(timings.pongTimeout))
                nextPing = now.addingTimeInterval(timings.pingEvery)
            }
            if try refreshIfDue() {
                throw WebSocketFailure.network("the device was registered again")
            }
        }
    }

    private enum Handled: Equatable {
        case nothing, ready
        case pong(String?)
    }

    private func handle(_ message: WebSocketMessage, _ socket: WebSocketConnection) throws -> Handled {
        switch message {
        case .ping(let payload):
            try socket.send(pong: payload)
            return .nothing
        case .pong, .binary:
            return .nothing
        case .close(let code, let reason):
            socket.close(code: code ?? 1000)
            throw EventSocketError.closed(code: Int(code ?? 1005), reason: reason)
        case .text(let text):
            return try handle(text: text, socket)
        }
    }

    private func handle(text: String, _ socket: WebSocketConnection) throws -> Handled {
        guard let frame = try? JSON.parse(Array(text.utf8)), frame.object != nil else {
            notice(.ignored("a frame that is not a JSON object"))
            return .nothing
        }
        if frame["type"]?.string == "pong" { return .pong(frame["id"]?.string) }
        if let id = frame["id"]?.string, frame["type"] == nil {
            try socket.send(text: JSON.object(["messageId": .string(id), "type": "ack"]).compactText)
        }
        checkSequence(frame["sequenceNumber"])
        let eventType = frame["data"]?["eventType"]?.string
        switch eventType {
        case "mercury.buffer_state", "mercury.registration_status": return .ready
        case "conversation.activity":
            if let activity = frame["data"]?["activity"], activity.object != nil { onActivity(activity, text.utf8.count) }
            return .nothing
        default:
            return .nothing
        }
    }

    private func checkSequence(_ value: JSON?) {
        guard let sequence = value?.int, sequence >= 0, sequence < Int(Int32.max) else { return }
        if let last = lastSequence, sequence > last + 1 { notice(.sequenceGap(missed: sequence - last - 1)) }
        if lastSequence == nil || sequence > lastSequence! { lastSequence = sequence }
    }

    /// A random UUID (version 4) for frame ids.
    static func uuid() -> String {
        UUID().uuidString.lowercased()
    }
}
