import Foundation
import NIOCore
import NIOHTTP1
import NIOWebSocket

// Webex's websocket ("Mercury") as the mock serves it (devices and catalog: DeviceMock.swift).
//
// Upgrade: GET {device.webSocketUrl}[?outboundWireFormat=text&bufferStates=true&aliasHttpStatus=true&clientTimestamp=MS]
//   (RFC 6455, HTTP/1.1). No token in the upgrade: an unknown, deleted or expired device answers 404 (no upgrade);
//   an unknown query parameter 400. Only the first request of a connection can be upgraded (swift-nio's upgrade
//   handler leaves once it saw another request): a later one answers 400.
// Then, as Webex:
//   - the first frame must be {"id", "type": "authorization", "data": {"token": "Bearer <t>"}}: not that → close
//     4400; a token nobody has (or a signed-in access token expired) → close 4401; the device gone meanwhile → 4404; a token of somebody else than
//     the device's owner → close 4403; `DELETE` of the device closes its socket with 4404;
//   - authorized: a frame without `type` whose data.eventType is "mercury.buffer_state" when the upgrade asked
//     `bufferStates=true` (and one with "mercury.registration_status" for `mercuryRegistrationStatus=true`;
//     neither asked: no readiness frame); a second connection authorized on one device replaces the first
//     (close 4000 to the first);
//   - {"id", "type": "ping"} is answered {"id": same, "type": "pong"}; RFC 6455 pings get pongs;
//   - {"messageId", "type": "ack"} is recorded (`socketAcks`);
//   - every frame from the mock: {id, data, timestamp, trackingId, alertType, headers, sequenceNumber (1, 2, ...
//     per connection), filterMessage, wsWriteTimestamp}.
// Activities (data.eventType "conversation.activity") are sent to every authorized socket whose device's owner
// is a member of the room, for the mock's REST writes and for the fixtures `addMessage` / `addMembership`:
//   message POST → `post` (`share` with a file, followed by an `update` whose object.id is the message's uuid, as
//   Webex does once a file is scanned; a card adds object.cards; a reply has parent {id, type: "reply"});
//   message PUT → `post` with a new activity id and parent {id: the message, type: "edit"};
//   message DELETE → `delete` with object {id: the message, objectType: "activity"};
//   membership POST → `add`, DELETE → `leave` (also sent to the person removed), PUT isModerator →
//   `assignModerator` / `unassignModerator` (object: the person); attachment action POST → `cardAction`
//   (activity id = the action's uuid, parent.id = the message's uuid, object {objectType: "submit", inputs}).
//   Activity ids are the uuids inside the REST ids (base64 of ciscospark://us/KIND/<uuid>); target.id is the room's
//   uuid, target.tags has "ONE_ON_ONE" for a direct room; object.displayName/content are opaque JWE-like strings.
//
// The usual fault switches (`inject`, `latency`, ...) apply to the catalog and device paths too
// (pathPrefix "/u2c/api/v1/catalog", "/wdm/api/v1/devices"); not to the upgrade.
// Test switches, in the Swift API (MockWebexServer), in `POST /_mock/websocket?action=...` (no token, loopback
// only; `device=<uuid>` limits it to one device, else every socket) and as `mock-webex` flags:
//   closeSocket(device:code:reason:)    action=close&code=N[&reason=R]   close frame with that code, then the TCP close
//   dropSocket(device:)                 action=drop                      TCP close without a close frame
//   silentPongs = true/false            action=silent&on=1|0             JSON pings go unanswered   (--silent-pongs)
//   skipSequenceNumbers(n, device:)     action=gap&count=N               the next frame's sequenceNumber jumps by N
//   expireDevice(_:closeCode:)          action=expire[&code=4404]        next PUT and upgrade 404
//   deviceCap = N                       action=cap&max=N                 403 beyond N live devices  (--device-cap N)
//   advanceDeviceClock(seconds:)        action=clock&seconds=N           devices' ttl runs N s on (unrefreshed expire)
//   addMessage(...)                     action=messages&count=N[&roomId=][&from=][&everyMs=]   a burst of messages
//   sendRawFrame(device:bytes:)         -                                bytes written as they are (fuzzing)
//   sendFrame(device:text:)             -                                any text frame, as it is
//   sendFrame(device:fin:rsv1:opcode:payload:)  -                        any frame the encoder writes (fragments, ...)
//   sendEvent(device:data:)             -                                any `data` in the envelope, next sequence number
//   socketURLOverride = URL             -                                devices name URL as their webSocketUrl (a test's own server)
// Inspection: devices(token:), lastDevice, socketAcks, socketPings, socketFrames(device:), socketConnections,
// connectedDevices, socketUpgradeTargets, refusedUpgrades, waitForSocket(device:count:timeout:), deletedDevices,
// deviceRefreshes.

/// An acknowledgement a client sent.
public struct MockAck: Equatable, Sendable {
    public let device: String
    public let messageId: String
}

/// The websocket side's state (guarded by the server's `lock`).
struct SocketMockState {
    var devices: [String: DeviceRec] = [:]
    var deviceOrder: [String] = []
    var deletedDevices: [String] = []
    var deviceCap = 100
    var refreshes = 0
    var clockOffsetMs: Int64 = 0
    /// Request targets of the upgrades accepted, in order.
    var upgradeTargets: [String] = []
    var upgradeRefusals = 0
    /// The authorized connection of each device.
    var connections: [String: MercuryConnection] = [:]
    var connectionCount = 0
    var silentPongs = false
    var acks: [MockAck] = []
    var pings = 0
    /// Text frames sent, per device, in order.
    var frames: [String: [String]] = [:]
    /// The `webSocketUrl` every device gets instead of the mock's own (`socketURLOverride`).
    var socketURLOverride: String?
}

/// One websocket (guarded by the server's `lock`; the channel is written through its event loop only).
final class MercuryConnection: @unchecked Sendable {
    let number: Int
    let deviceId: String
    let channel: Channel
    /// The upgrade asked for `bufferStates=true` / `mercuryRegistrationStatus=true`.
    let bufferStates: Bool
    let registrationStatus: Bool
    var authorized = false
    var sequence = 0
    var gap = 0
    var closing = false
    /// The handler nearest the socket: writes through it bypass the frame encoder.
    var raw: RawWriter?

    init(number: Int, deviceId: String, channel: Channel, query: [(String, String)]) {
        self.number = number
        self.deviceId = deviceId
        self.channel = channel
        bufferStates = query.contains { $0 == ("bufferStates", "true") }
        registrationStatus = query.contains { $0 == ("mercuryRegistrationStatus", "true") }
    }

    /// The next sequence number (a pending gap skipped).
    func nextSequence() -> Int {
        sequence += 1 + gap
        gap = 0
        return sequence
    }

    func send(_ text: String) {
        guard !closing else { return }
        let channel = self.channel
        channel.eventLoop.execute {
            var buf = channel.allocator.buffer(capacity: text.utf8.count)
            buf.writeString(text)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: buf), promise: nil)
        }
    }

    func sendFrame(_ frame: WebSocketFrame) {
        guard !closing else { return }
        let channel = self.channel
        channel.eventLoop.execute { channel.writeAndFlush(frame, promise: nil) }
    }

    func sendRaw(_ bytes: [UInt8]) {
        guard !closing else { return }
        let channel = self.channel
        channel.eventLoop.execute { [self] in
            guard let raw = self.raw else { return }
            raw.write(channel.allocator.buffer(bytes: bytes))
        }
    }

    /// A close frame with `code`, then the TCP close.
    func close(code: Int, reason: String) {
        guard !closing else { return }
        closing = true
        let channel = self.channel
        channel.eventLoop.execute {
            var buf = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
            buf.writeInteger(UInt16(truncatingIfNeeded: code))
            buf.writeString(reason)
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: buf)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    /// The TCP connection closed without a close frame.
    func drop() {
        closing = true
        let channel = self.channel
        channel.eventLoop.execute { channel.close(promise: nil) }
    }
}

/// Sits next to the socket so that `sendRawFrame` can write bytes the frame encoder would never produce.
final class RawWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func write(_ buf: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(buf), promise: nil)
    }
}

/// A refused upgrade reaches the handlers as an error before the request itself: the request is then
/// answered as any other (404 for an unknown device), so the error must not close the connection.
final class UpgradeRefusalFilter: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is NIOWebSocketUpgradeError { return }
        context.fireErrorCaught(error)
    }
}

/// Reads a websocket's frames and hands whole text messages to the server.
final class MercuryHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private weak var server: MockWebexServer?
    private let connection: MercuryConnection
    private var fragments: ByteBuffer?
    private static let maxMessage = 1 << 20

    init(server: MockWebexServer, connection: MercuryConnection) {
        self.server = server
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // RFC 6455 5.1: a server closes the connection on an unmasked client frame.
        guard frame.maskKey != nil else { return closeWith(1002, "client frames must be masked") }
        switch frame.opcode {
        case .text where fragments != nil, .binary where fragments != nil:
            closeWith(1002, "a new message before the last one's end")
        case .text where frame.fin:
            text(frame.unmaskedData)
        case .text:
            fragments = frame.unmaskedData
        case .continuation:
            guard var buffered = fragments else { return closeWith(1002, "continuation without a start") }
            var piece = frame.unmaskedData
            guard buffered.readableBytes + piece.readableBytes <= Self.maxMessage else {
                return closeWith(1009, "message too big")
            }
            buffered.writeBuffer(&piece)
            fragments = frame.fin ? nil : buffered
            if frame.fin { text(buffered) }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)),
                                  promise: nil)
        case .pong:
            break
        case .connectionClose:
            server?.socketClosedByClient(connection, code: frame.unmaskedData.getInteger(at: frame.unmaskedData.readerIndex,
                                                                                        as: UInt16.self))
        case .binary:
            closeWith(1003, "binary frames are not accepted")
        default:
            closeWith(1002, "unknown opcode")
        }
    }

    private func text(_ buf: ByteBuffer) {
        guard buf.readableBytes <= Self.maxMessage else { return closeWith(1009, "message too big") }
        guard let text = String(validating: buf.readableBytesView, as: UTF8.self) else {
            return closeWith(1007, "text frames must be UTF-8")
        }
        server?.socketText(connection, text)
    }

    private func closeWith(_ code: Int, _ reason: String) {
        server?.closeConnection(connection, code: code, reason: reason)
    }

    func channelInactive(context: ChannelHandlerContext) {
        server?.socketGone(connection)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

extension MockWebexServer {
    // MARK: Pipeline

    static let mercuryPrefix = ["mercury", "api", "v1", "apps", "wx2", "registrations"]
    static let mercuryQuery: Set<String> = ["outboundWireFormat", "bufferStates", "aliasHttpStatus", "clientTimestamp",
                                            "mercuryRegistrationStatus", "isRegistrationRefreshEnabled",
                                            "multipleConnections"]

    /// HTTP with the websocket upgrade in front of the mock's HTTP handler.
    func configureChildPipeline(_ channel: Channel) -> EventLoopFuture<Void> {
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20, automaticErrorHandling: true,
            shouldUpgrade: { [weak self] channel, head in
                channel.eventLoop.makeSucceededFuture(self?.upgradeDevice(head.uri) == nil ? nil : HTTPHeaders())
            },
            upgradePipelineHandler: { [weak self] channel, head in
                guard let self, let device = self.upgradeDevice(head.uri) else { return channel.close() }
                return channel.pipeline.removeHandler(name: "mock-http").flatMapThrowing {
                    let connection = self.socketOpened(device: device, target: head.uri, channel: channel)
                    let raw = RawWriter()
                    connection.raw = raw
                    try channel.pipeline.syncOperations.addHandler(raw, position: .first)
                    try channel.pipeline.syncOperations.addHandler(MercuryHandler(server: self, connection: connection))
                }
            })
        return channel.pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }), withErrorHandling: true
        ).flatMapThrowing {
            try channel.pipeline.syncOperations.addHandler(UpgradeRefusalFilter())
            try channel.pipeline.syncOperations.addHandler(MockHTTPHandler(server: self), name: "mock-http")
        }
    }

    /// The live device a websocket request target names, when its query is one Webex takes.
    func upgradeDevice(_ target: String) -> String? {
        var path = Substring(target), query: Substring = ""
        if let q = target.firstIndex(of: "?") {
            path = target[..<q]
            query = target[target.index(after: q)...]
        }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 8, Array(parts[0...5]) == Self.mercuryPrefix, parts[7] == "messages" else { return nil }
        guard QueryCoding.parse(query).allSatisfy({ Self.mercuryQuery.contains($0.0) }) else { return nil }
        lock.lock(); defer { lock.unlock() }
        guard let d = socketState.devices[parts[6]], d.isLive(now: deviceNow) else { return nil }
        return d.id
    }

    // MARK: Connection life (called on the connection's event loop)

    func socketOpened(device: String, target: String, channel: Channel) -> MercuryConnection {
        lock.lock(); defer { lock.unlock() }
        socketState.connectionCount += 1
        socketState.upgradeTargets.append(target)
        let query = target.firstIndex(of: "?").map { QueryCoding.parse(target[target.index(after: $0)...]) } ?? []
        return MercuryConnection(number: socketState.connectionCount, deviceId: device, channel: channel, query: query)
    }

    func socketGone(_ c: MercuryConnection) {
        lock.lock(); defer { lock.unlock() }
        c.closing = true
        if socketState.connections[c.deviceId] === c { socketState.connections[c.deviceId] = nil }
    }

    func closeConnection(_ c: MercuryConnection, code: Int, reason: String) {
        lock.lock(); defer { lock.unlock() }
        c.close(code: code, reason: reason)
    }

    /// The client's close: answered with the same code (unless the mock closed first), then the TCP close.
    func socketClosedByClient(_ c: MercuryConnection, code: UInt16?) {
        lock.lock(); defer { lock.unlock() }
        if c.closing {
            let channel = c.channel
            // Not inline: the close's channelInactive would take the lock again.
            channel.eventLoop.execute { channel.close(promise: nil) }
        } else {
            c.close(code: Int(code ?? 1000), reason: "")
        }
    }

    /// A whole text message from the client.
    func socketText(_ c: MercuryConnection, _ text: String) {
        lock.lock(); defer { lock.unlock() }
        guard !c.closing else { return }
        let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        guard c.authorized else { return authorize(c, obj) }
        switch obj?["type"] as? String {
        case "ping":
            socketState.pings += 1
            if !socketState.silentPongs, let id = obj?["id"] as? String {
                c.send(String(decoding: JSONOut.bytes([("id", id), ("type", "pong")]), as: UTF8.self))
            }
        case "ack":
            if let id = obj?["messageId"] as? String {
                socketState.acks.append(MockAck(device: c.deviceId, messageId: id))
                if socketState.acks.count > 50000 { socketState.acks.removeFirst(10000) }
            }
        default:
            break
        }
    }

    /// The first frame: the in-band authorization (lock held).
    private func authorize(_ c: MercuryConnection, _ obj: [String: Any]?) {
        guard let obj, obj["type"] as? String == "authorization", let data = obj["data"] as? [String: Any] else {
            return c.close(code: 4400, reason: "authorization expected")
        }
        let bearer = (data["token"] as? String) ?? ""
        // An access token the sign-in issued that has expired is refused as Webex does: 4401.
        guard bearer.hasPrefix("Bearer "), oauthTokenLive(String(bearer.dropFirst(7))),
              let owner = tokens[String(bearer.dropFirst(7))] else {
            return c.close(code: 4401, reason: "unauthorized")
        }
        guard let device = socketState.devices[c.deviceId], device.isLive(now: deviceNow) else {
            return c.close(code: 4404, reason: "registration not found")
        }
        guard device.ownerId == owner else { return c.close(code: 4403, reason: "forbidden") }
        c.authorized = true
        if let previous = socketState.connections[c.deviceId], previous !== c {
            previous.close(code: 4000, reason: "replaced by a new connection")
        }
        socketState.connections[c.deviceId] = c
        // Readiness as the upgrade asked for it (Webex's clients ask bufferStates=true); neither: no frame.
        if c.bufferStates {
            let buffer: JObj = [("eventType", "mercury.buffer_state"),
                                ("buffer", [("conversation", "UNKNOWN"), ("locus", "UNKNOWN")] as JObj)]
            sendEnvelope(c, data: buffer)
        }
        if c.registrationStatus {
            sendEnvelope(c, data: [("eventType", "mercury.registration_status"), ("registrationStatus", "ACTIVE")])
        }
    }

    /// A frame in Mercury's envelope, with the connection's next sequence number (lock held).
    func sendEnvelope(_ c: MercuryConnection, data: JObj) {
        let now = MockTime.nowMillis()
        let frame: JObj = [("id", UUID().uuidString.lowercased()), ("data", data), ("timestamp", now),
                           ("trackingId", "MOCK_" + UUID().uuidString), ("alertType", "none"), ("headers", [String: Any]()),
                           ("sequenceNumber", c.nextSequence()), ("filterMessage", false), ("wsWriteTimestamp", now)]
        let text = String(decoding: JSONOut.bytes(frame), as: UTF8.self)
        logFrame(c.deviceId, text)
        c.send(text)
    }

    /// Keeps the last few thousand frames per device (a long benchmark must not grow the mock without bound).
    func logFrame(_ device: String, _ text: String) {
        socketState.frames[device, default: []].append(text)
        if socketState.frames[device]!.count > 5000 { socketState.frames[device]!.removeFirst(1000) }
    }
}
