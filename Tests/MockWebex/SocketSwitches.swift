import Foundation
import NIOCore
import NIOWebSocket

// The websocket's test switches and inspection (listed in the header of WebsocketMock.swift), and the
// control endpoint `POST /_mock/websocket?action=...` for the `mock-webex` executable.

extension MockWebexServer {
    // MARK: Switches

    /// Authorized sockets of `device` (uuid or device URL; nil: every device) not being closed, lock held.
    private func sockets(_ device: String?) -> [MercuryConnection] {
        socketState.connections.values.filter { !$0.closing }
            .filter { device == nil || $0.deviceId == device || deviceURL($0.deviceId) == device }
            .sorted { $0.number < $1.number }
    }

    /// `body` for each socket of `device` (as `sockets`), the lock held; how many there were.
    private func eachSocket(_ device: String?, _ body: (MercuryConnection) -> Void) -> Int {
        lock.lock(); defer { lock.unlock() }
        let list = sockets(device)
        list.forEach(body)
        return list.count
    }

    /// What `body` reads of the websocket state, the lock held.
    private func locked<T>(_ body: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body()
    }

    /// Sends a close frame with `code` on the socket(s), then closes the connection. Returns how many.
    @discardableResult
    public func closeSocket(device: String? = nil, code: Int, reason: String = "") -> Int {
        eachSocket(device) { $0.close(code: code, reason: reason) }
    }

    /// Closes the socket(s)' TCP connection without a close frame. Returns how many.
    @discardableResult
    public func dropSocket(device: String? = nil) -> Int {
        eachSocket(device) { $0.drop() }
    }

    /// When set, every device (new or listed) names this URL as its `webSocketUrl`: a test's own server
    /// (one that accepts and never answers the upgrade, say).
    public var socketURLOverride: String? {
        get { locked { socketState.socketURLOverride } }
        set { locked { socketState.socketURLOverride = newValue } }
    }

    /// When true, JSON pings get no pong (a server gone silent).
    public var silentPongs: Bool {
        get { locked { socketState.silentPongs } }
        set { locked { socketState.silentPongs = newValue } }
    }

    /// The next frame on the socket(s) carries a sequence number `count` higher than it should (frames lost).
    public func skipSequenceNumbers(_ count: Int, device: String? = nil) {
        _ = eachSocket(device) { $0.gap += max(0, count) }
    }

    /// Sends `text` as one text frame as it is (no envelope, no sequence number). Returns how many sockets got it.
    @discardableResult
    public func sendFrame(device: String? = nil, text: String) -> Int {
        eachSocket(device) { c in
            logFrame(c.deviceId, text)
            c.send(text)
        }
    }

    /// Sends `data` (a JSON object's members) in Mercury's envelope with the next sequence number.
    @discardableResult
    public func sendEvent(device: String? = nil, data: [String: Any]) -> Int {
        let obj: JObj = data.keys.sorted().map { ($0, data[$0]) }
        return eachSocket(device) { sendEnvelope($0, data: obj) }
    }

    /// Writes `bytes` to the socket(s) as they are, past the frame encoder (malformed frames for fuzzing).
    @discardableResult
    public func sendRawFrame(device: String? = nil, bytes: [UInt8]) -> Int {
        eachSocket(device) { $0.sendRaw(bytes) }
    }

    /// Sends any frame the encoder can write (fragments, reserved opcodes and bits, unmasked or masked).
    @discardableResult
    public func sendFrame(device: String? = nil, fin: Bool, rsv1: Bool = false, opcode: UInt8, payload: [UInt8]) -> Int {
        eachSocket(device) { c in
            guard let op = WebSocketOpcode(encodedWebSocketOpcode: opcode & 0x0F) else { return }
            c.sendFrame(WebSocketFrame(fin: fin, rsv1: rsv1, opcode: op, data: ByteBuffer(bytes: payload)))
        }
    }

    // MARK: Inspection

    /// Acknowledgements received, in order.
    public var socketAcks: [MockAck] { locked { socketState.acks } }

    /// JSON pings received (answered or not).
    public var socketPings: Int { locked { socketState.pings } }

    /// Text frames the mock sent to a device (uuid), in order.
    public func socketFrames(device: String) -> [String] { locked { socketState.frames[device] ?? [] } }

    /// Websocket connections accepted (upgraded) so far, authorized or not.
    public var socketConnections: Int { locked { socketState.connectionCount } }

    /// Request targets (path and query) of the websocket upgrades accepted, in order.
    public var socketUpgradeTargets: [String] { locked { socketState.upgradeTargets } }

    /// Devices with an authorized socket now.
    public var connectedDevices: [String] { locked { sockets(nil).map(\.deviceId) } }

    /// Upgrade requests answered without an upgrade (unknown/expired device, bad query, no Upgrade header).
    public var refusedUpgrades: Int { locked { socketState.upgradeRefusals } }

    /// Devices deleted with `DELETE`, in order.
    public var deletedDevices: [String] { locked { socketState.deletedDevices } }

    /// Successful `PUT` refreshes.
    public var deviceRefreshes: Int { locked { socketState.refreshes } }

    /// Waits until `count` sockets (of `device`, or in all) are authorized; false after `timeout`.
    public func waitForSocket(device: String? = nil, count: Int = 1, timeout: TimeInterval = 10) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            lock.lock()
            let n = sockets(device).filter { $0.authorized && !$0.closing }.count
            lock.unlock()
            if n >= count { return true }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return false
    }

    // MARK: Control endpoint (lock held)

    /// `POST /_mock/websocket?action=close|drop|silent|gap|expire|clock|cap[&device=UUID][&code=N][&on=0|1][&count=N]`
    /// `[&seconds=N][&max=N]`, and `action=messages` (see `burst`)
    /// answers `{"sockets": N}` (how many it touched); anything else 400/404.
    func controlSocketMock(_ c: Ctx) -> Reply {
        guard c.parts == ["_mock", "websocket"] else { return errorReply(404, "Unknown control path.", c.trackingId) }
        guard c.method == "POST" else { return errorReply(405, "Use POST.", c.trackingId) }
        let q = c.query
        let device = q["device"]
        func number(_ key: String, _ range: ClosedRange<Int>) -> Int? { q[key].flatMap { Int($0) }.flatMap { range.contains($0) ? $0 : nil } }
        let list = sockets(device)
        switch q["action"] {
        case "close":
            guard let code = number("code", 1000...4999) else { return errorReply(400, "code 1000-4999 is required.", c.trackingId) }
            for s in list { s.close(code: code, reason: q["reason"] ?? "") }
        case "drop":
            for s in list { s.drop() }
        case "silent":
            socketState.silentPongs = q["on"] != "0"
        case "gap":
            guard let n = number("count", 1...1_000_000) else { return errorReply(400, "count is required.", c.trackingId) }
            for s in list { s.gap += n }
        case "expire":
            let code = number("code", 1000...4999)
            for key in socketState.deviceOrder where device == nil || key == device {
                socketState.devices[key]?.expired = true
                if let code { socketState.connections[key]?.close(code: code, reason: "registration expired") }
            }
        case "messages":
            return burst(c)
        case "clock":
            guard let n = number("seconds", 0...1_000_000_000) else { return errorReply(400, "seconds is required.", c.trackingId) }
            socketState.clockOffsetMs += Int64(n) * 1000
        case "cap":
            guard let n = number("max", 0...1_000_000) else { return errorReply(400, "max is required.", c.trackingId) }
            socketState.deviceCap = n
        default:
            return errorReply(400, "action must be close, drop, silent, gap, expire, clock, cap or messages.", c.trackingId)
        }
        return jsonReply(200, [("sockets", list.count)])
    }

    /// `action=messages&count=N[&roomId=ID][&from=EMAIL][&everyMs=M]`: `from` (default alice@example.com) posts
    /// "burst 1" ... "burst N" into the room (default: the first group room), `everyMs` apart, after the answer
    /// (202 {"queued": N}): load for the benchmarks of the `mock-webex` executable.
    private func burst(_ c: Ctx) -> Reply {
        guard let n = c.query["count"].flatMap({ Int($0) }), (1...1_000_000).contains(n) else {
            return errorReply(400, "count 1-1000000 is required.", c.trackingId)
        }
        let every = c.query["everyMs"].map { Int($0) ?? -1 } ?? 0
        guard (0...60_000).contains(every) else { return errorReply(400, "everyMs must be 0-60000.", c.trackingId) }
        guard let roomId = c.query["roomId"] ?? roomsById.values.first(where: { $0.type == "group" })?.id,
              roomsById[roomId] != nil else {
            return notFound("a room", c)
        }
        let from = c.query["from"] ?? "alice@example.com"
        DispatchQueue.global().async { [weak self] in
            for i in 1...n {
                guard let self else { return }
                self.addMessage(roomId: roomId, fromEmail: from, text: "burst \(i)")
                if every > 0 { usleep(useconds_t(every * 1000)) }
            }
        }
        return jsonReply(202, [("queued", n)])
    }
}
