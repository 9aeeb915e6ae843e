import Foundation

// The discovery and device side of Webex's websocket ("Mercury"), as the mock serves it.
//
//   GET    /u2c/api/v1/catalog?format=hostmap   → {"serviceLinks": {"wdm": ".../wdm/api/v1", ...}}
//   POST   /wdm/api/v1/devices                  register (JSON: deviceName, deviceType, name, model, ttl, ...)
//   GET    /wdm/api/v1/devices                  {"devices": [...]}: the caller's devices
//   GET    /wdm/api/v1/devices/{uuid}           one device
//   PUT    /wdm/api/v1/devices/{uuid}           refresh (same body as POST): the ttl starts again
//                                               (GET, PUT and DELETE of an expired device: 404)
//   DELETE /wdm/api/v1/devices/{uuid}           204
//   GET    /mercury/api/v1/apps/wx2/registrations/{uuid}/messages   the websocket (WebsocketMock.swift)
//
// Every request needs the Bearer token of a known identity (401 otherwise); a device is seen only
// by its owner (404 for anybody else). The body of POST/PUT takes only the fields Webex's clients
// send (400 for any other); `deviceType` is DESKTOP or UNKNOWN; `ttl` (seconds) makes the device
// ephemeral: it expires `ttl` seconds after its registration or last refresh. More than
// `deviceCap` live devices per identity (default 100) is Webex's 403 "User has excessive device
// registrations". Test switches (Swift API below, `POST /_mock/websocket` in WebsocketMock.swift,
// `mock-webex --device-cap N`): `deviceCap`, `expireDevice(_:closeCode:)`, `advanceDeviceClock(seconds:)`.

/// A registered device (guarded by the server's `lock`).
struct DeviceRec {
    var id: String // uuid
    var ownerId: String // REST person id
    var fields: [String: Any] // what the client registered
    var ttl: Int?
    var expiresMs: Int64?
    var expired = false
    var created: String
    var modified: String

    func isLive(now: Int64) -> Bool { !expired && (expiresMs.map { now < $0 } ?? true) }
}

/// A device as tests see it.
public struct MockDevice: Equatable, Sendable {
    public let id: String
    public let url: String
    public let webSocketUrl: String
    public let ownerId: String
    public let name: String?
    public let ttl: Int?
    /// False once expired or deleted.
    public let live: Bool
}

extension MockWebexServer {
    static let deviceFields: Set<String> = ["deviceName", "deviceType", "localizedModel", "model", "name", "systemName",
                                            "systemVersion", "ttl"]

    var origin: String { "http://127.0.0.1:\(boundPort)" }

    /// The clock devices expire by (lock held): real time plus `advanceDeviceClock`.
    var deviceNow: Int64 { MockTime.nowMillis() + socketState.clockOffsetMs }

    /// The catalog's base URL, for `network.u2c_url`.
    public var u2cURL: String { "http://127.0.0.1:\(port)/u2c/api/v1" }
    public var wdmURL: String { "http://127.0.0.1:\(port)/wdm/api/v1" }

    // MARK: Switches and inspection

    /// Live devices an identity may hold before a registration is refused with 403 (default 100).
    public var deviceCap: Int {
        get { lock.lock(); defer { lock.unlock() }; return socketState.deviceCap }
        set { lock.lock(); defer { lock.unlock() }; socketState.deviceCap = max(0, newValue) }
    }

    /// Every device registered (deleted ones excluded), in registration order; `token` limits them to its identity.
    public func devices(token: String? = nil) -> [MockDevice] {
        lock.lock(); defer { lock.unlock() }
        let owner = token.flatMap { tokens[$0] }
        if token != nil && owner == nil { return [] }
        let now = deviceNow
        return socketState.deviceOrder.compactMap { socketState.devices[$0] }
            .filter { owner == nil || $0.ownerId == owner }
            .map { mockDevice($0, now: now) }
    }

    /// The device registered last, by anybody (nil when none).
    public var lastDevice: MockDevice? { devices().last }

    /// Moves the devices' clock forward: a device whose ttl ran out in that time is expired (next PUT and
    /// upgrade 404), as if the time had passed without a refresh.
    public func advanceDeviceClock(seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        socketState.clockOffsetMs += Int64(max(0, min(seconds, 1e9)) * 1000)
    }

    /// Expires a device (nil: every device) as if its ttl ran out: the next refresh and the next upgrade
    /// answer 404. An open socket stays open unless `closeCode` is given (Webex closes with 4404).
    public func expireDevice(_ id: String? = nil, closeCode: Int? = nil) {
        lock.lock(); defer { lock.unlock() }
        for key in socketState.deviceOrder where id == nil || key == id || deviceURL(key) == id {
            socketState.devices[key]?.expired = true
            if let code = closeCode { socketState.connections[key]?.close(code: code, reason: "registration expired") }
        }
    }

    func deviceURL(_ id: String) -> String { "\(origin)/wdm/api/v1/devices/\(id)" }
    func webSocketURL(_ id: String) -> String {
        socketState.socketURLOverride ?? "ws://127.0.0.1:\(boundPort)/mercury/api/v1/apps/wx2/registrations/\(id)/messages"
    }

    func mockDevice(_ d: DeviceRec, now: Int64) -> MockDevice {
        MockDevice(id: d.id, url: deviceURL(d.id), webSocketUrl: webSocketURL(d.id), ownerId: d.ownerId,
                   name: d.fields["name"] as? String, ttl: d.ttl, live: d.isLive(now: now))
    }

    /// The uuid inside a REST id ("ciscospark://us/KIND/<uuid>"), or the id itself.
    func uuidOf(_ restId: String) -> String {
        guard let s = MockIds.decode(restId), s.hasPrefix("ciscospark://"), let slash = s.lastIndex(of: "/") else {
            return restId
        }
        return String(s[s.index(after: slash)...])
    }

    // MARK: Routing (lock held)

    /// Answers the catalog, device, websocket (not upgraded) and control paths; nil for every other path.
    func routeSocketMock(_ c: Ctx) -> Reply? {
        let p = c.parts
        // These services live beside the REST API, not under /v1 (the router strips it: the request just
        // logged tells).
        if ["u2c", "wdm", "mercury", "_mock"].contains(p.first ?? ""), requestLog.last?.target.hasPrefix("/v1/") == true {
            return errorReply(404, "The requested resource could not be found.", c.trackingId)
        }
        switch p.first {
        case "u2c", "wdm": break
        case "_mock": return controlSocketMock(c)
        case "mercury":
            // The upgrade carries no token (the authorization is the socket's first frame).
            if p.count == 8 && Array(p[0...5]) == Self.mercuryPrefix && p[7] == "messages" {
                return mercuryWithoutUpgrade(c, p[6])
            }
            return errorReply(404, "The requested resource could not be found.", c.trackingId)
        default: return nil
        }
        guard let token = c.token, let pid = tokens[token], let caller = people[pid] else {
            return errorReply(401, "The request requires a valid access token set in the Authorization request header.",
                              c.trackingId)
        }
        var c = c
        c.caller = caller
        if p == ["u2c", "api", "v1", "catalog"] { return catalog(c) }
        if p.count >= 4 && p[0...3] == ["wdm", "api", "v1", "devices"] { return routeDevices(c, Array(p[4...])) }
        return errorReply(404, "The requested resource could not be found.", c.trackingId)
    }

    private func methodNotAllowed(_ c: Ctx, _ allowed: [String]) -> Reply {
        var r = errorReply(405, "Method \(c.method) is not allowed for this resource.", c.trackingId)
        r.headers.append(("Allow", allowed.joined(separator: ", ")))
        return r
    }

    private func catalog(_ c: Ctx) -> Reply {
        guard c.method == "GET" else { return methodNotAllowed(c, ["GET"]) }
        let known: Set<String> = ["format", "mode", "services", "orgId", "emailhash"]
        if let unknown = c.queryPairs.first(where: { !known.contains($0.0) }) {
            return errorReply(400, "Unknown query parameter '\(unknown.0)'.", c.trackingId)
        }
        guard c.query["format"] == "hostmap" else { return errorReply(400, "format must be hostmap.", c.trackingId) }
        let links: JObj = [("wdm", "\(origin)/wdm/api/v1"), ("conversation", "\(origin)/conversation/api/v1"),
                           ("hydra", "\(origin)/v1"), ("u2c", "\(origin)/u2c/api/v1"),
                           ("mercuryConnection", "\(origin)/mercury/api/v1")]
        return jsonReply(200, [("serviceLinks", links), ("format", "hostmap"), ("timestamp", String(MockTime.nowMillis() / 1000))])
    }

    private func routeDevices(_ c: Ctx, _ rest: [String]) -> Reply {
        if !c.queryPairs.isEmpty {
            return errorReply(400, "Unknown query parameter '\(c.queryPairs[0].0)'.", c.trackingId)
        }
        switch rest.count {
        case 0:
            switch c.method {
            case "GET": return listDevices(c)
            case "POST": return registerDevice(c)
            default: return methodNotAllowed(c, ["GET", "POST"])
            }
        case 1:
            let id = rest[0]
            // An expired device is gone, as at Webex.
            guard let d = socketState.devices[id], d.ownerId == c.caller.id, d.isLive(now: deviceNow) else {
                return errorReply(404, "Device not found.", c.trackingId)
            }
            switch c.method {
            case "GET": return jsonReply(200, deviceJSON(d))
            case "PUT": return refreshDevice(c, d)
            case "DELETE": return deleteDevice(d)
            default: return methodNotAllowed(c, ["GET", "PUT", "DELETE"])
            }
        default:
            return errorReply(404, "The requested resource could not be found.", c.trackingId)
        }
    }

    private func listDevices(_ c: Ctx) -> Reply {
        let now = deviceNow
        let mine = socketState.deviceOrder.compactMap { socketState.devices[$0] }
            .filter { $0.ownerId == c.caller.id && $0.isLive(now: now) }
        return jsonReply(200, [("devices", mine.map { deviceJSON($0) as Any })])
    }

    /// The registration body checked as Webex does: JSON object, known fields, right types.
    private func registration(_ c: Ctx) -> Result<(fields: [String: Any], ttl: Int?), Refusal> {
        func refuse(_ message: String) -> Result<(fields: [String: Any], ttl: Int?), Refusal> {
            .failure(Refusal(reply: errorReply(400, message, c.trackingId)))
        }
        guard (c.headers["content-type"] ?? "").lowercased().hasPrefix("application/json") else {
            return refuse("Content-Type must be application/json.")
        }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(c.body)), let b = obj as? [String: Any] else {
            return refuse("The request body could not be parsed as JSON.")
        }
        if let unknown = b.keys.sorted().first(where: { !Self.deviceFields.contains($0) }) {
            return refuse("Unrecognized field \"\(unknown)\".")
        }
        for (k, v) in b where k != "ttl" {
            guard let s = v as? String, !s.isEmpty, s.utf8.count <= 256 else {
                return refuse("\(k) must be a non-empty string of at most 256 bytes.")
            }
        }
        for k in ["deviceType", "name", "model"] where b[k] == nil { return refuse("\(k) is required.") }
        guard ["DESKTOP", "UNKNOWN"].contains(b["deviceType"] as? String ?? "") else {
            return refuse("Unsupported deviceType.")
        }
        var ttl: Int?
        if let t = b["ttl"] {
            // JSONSerialization gives NSNumber for numbers and booleans alike: refuse booleans and fractions.
            guard let n = t as? NSNumber, String(cString: n.objCType) != "c", case let d = n.doubleValue,
                  d == d.rounded(), d >= 1, d <= 2_592_000 else {
                return refuse("ttl must be a whole number of seconds between 1 and 2592000.")
            }
            ttl = Int(d)
        }
        return .success((b, ttl))
    }

    private func registerDevice(_ c: Ctx) -> Reply {
        let body: (fields: [String: Any], ttl: Int?)
        switch registration(c) {
        case .success(let b): body = b
        case .failure(let refusal): return refusal.reply
        }
        let now = deviceNow
        let live = socketState.devices.values.filter { $0.ownerId == c.caller.id && $0.isLive(now: now) }.count
        guard live < socketState.deviceCap else {
            return errorReply(403, "User has excessive device registrations", c.trackingId)
        }
        let stamp = MockTime.format(tick())
        counter += 1
        let id = MockIds.uuid(salt: salt ^ 0xDE71CE, counter: counter)
        let d = DeviceRec(id: id, ownerId: c.caller.id, fields: body.fields, ttl: body.ttl,
                          expiresMs: body.ttl.map { now + Int64($0) * 1000 }, created: stamp, modified: stamp)
        socketState.devices[id] = d
        socketState.deviceOrder.append(id)
        return jsonReply(200, deviceJSON(d))
    }

    private func refreshDevice(_ c: Ctx, _ old: DeviceRec) -> Reply {
        let now = deviceNow
        let body: (fields: [String: Any], ttl: Int?)
        switch registration(c) {
        case .success(let b): body = b
        case .failure(let refusal): return refusal.reply
        }
        var d = old
        d.fields = body.fields
        d.ttl = body.ttl ?? old.ttl
        d.expiresMs = d.ttl.map { now + Int64($0) * 1000 }
        d.modified = MockTime.format(tick())
        socketState.devices[d.id] = d
        socketState.refreshes += 1
        return jsonReply(200, deviceJSON(d))
    }

    private func deleteDevice(_ d: DeviceRec) -> Reply {
        socketState.devices[d.id] = nil
        socketState.deviceOrder.removeAll { $0 == d.id }
        socketState.deletedDevices.append(d.id)
        // The device's socket has nothing left to carry.
        socketState.connections[d.id]?.close(code: 4404, reason: "device deleted")
        return noContent()
    }

    private func mercuryWithoutUpgrade(_ c: Ctx, _ id: String) -> Reply {
        socketState.upgradeRefusals += 1
        guard socketState.devices[id]?.isLive(now: deviceNow) == true else {
            return errorReply(404, "Registration not found.", c.trackingId)
        }
        if let unknown = c.queryPairs.first(where: { !Self.mercuryQuery.contains($0.0) }) {
            return errorReply(400, "Unknown query parameter '\(unknown.0)'.", c.trackingId)
        }
        return errorReply(400, "A websocket upgrade (GET, Upgrade: websocket, Sec-WebSocket-Version: 13) is required.",
                          c.trackingId)
    }

    func deviceJSON(_ d: DeviceRec) -> JObj {
        var o: JObj = [("url", deviceURL(d.id)), ("webSocketUrl", webSocketURL(d.id))]
        for k in ["deviceName", "deviceType", "name", "model", "localizedModel", "systemName", "systemVersion"] {
            if let v = d.fields[k] as? String { o.append((k, v)) }
        }
        if let ttl = d.ttl { o.append(("ttl", ttl)) }
        o.append(("userId", uuidOf(d.ownerId)))
        o.append(("creationTime", d.created))
        o.append(("modificationTime", d.modified))
        let services: JObj = [("wdmServiceUrl", "\(origin)/wdm/api/v1"),
                              ("conversationServiceUrl", "\(origin)/conversation/api/v1"),
                              ("hydraServiceUrl", "\(origin)/v1")]
        o.append(("services", services))
        return o
    }
}
