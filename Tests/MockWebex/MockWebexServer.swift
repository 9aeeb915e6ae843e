import Foundation
import NIOCore
import NIOPosix

/// An in-process mock of the Webex Messaging API (HTTP/1.1, keep-alive) on 127.0.0.1.
///
/// All fixture and inspection methods are thread-safe. Fixtures return small handle structs
/// (`MockPerson`, `MockRoom`, ...) whose `id` is a real-looking Webex id
/// (base64 of `ciscospark://us/KIND/<uuid>`, unpadded). Inspection methods return the objects
/// exactly as the API renders them, parsed into `[String: Any]`.
public final class MockWebexServer: @unchecked Sendable {  // its state is guarded by `lock`
    // MARK: Faults

    public enum Fault {
        /// Answer with this status (JSON error body); `retryAfter` adds a `Retry-After` header.
        case status(Int, retryAfter: String? = nil)
        /// Close the connection without answering (the request is not processed).
        case drop
        /// Process the request, then wait this long before answering.
        case delay(TimeInterval)
        /// Process the request, send the headers with the full Content-Length and half the body, then close.
        case truncateBody
        /// Process the request, send the headers and half the body, wait this long, then send the rest
        /// (a transfer under way).
        case stallBody(TimeInterval)
    }

    /// The requests a rule applies to: one method (nil: any) and a path prefix (relative to /v1).
    struct RequestMatch {
        var method: String?
        var pathPrefix: String

        init(method: String?, pathPrefix: String) {
            self.method = method?.uppercased()
            self.pathPrefix = pathPrefix
        }

        func matches(method: String, path: String) -> Bool {
            (self.method == nil || self.method == method) && path.hasPrefix(pathPrefix)
        }
    }

    struct FaultRule {
        var fault: Fault
        var match: RequestMatch
        var remaining: Int
        /// Matching requests to let through before the fault applies.
        var skip = 0
    }

    struct ThrottleRule {
        let match: RequestMatch
        let every: Int
        let retryAfter: String
        var count = 0
    }

    struct RandomRule {
        let match: RequestMatch
        var rng: SplitMix64
        /// Rising bounds of a draw in 0..<1: below the first a 429, below the second a 5xx, below the
        /// third a dropped connection, else no fault.
        let bounds: (status429: Double, status5xx: Double, drop: Double)
        var n5xx = 0
    }

    // MARK: State (guarded by `lock`)

    let lock = NSLock()
    var people: [String: PersonRec] = [:]
    var peopleByEmail: [String: String] = [:]
    var tokens: [String: String] = [:]
    var teamsById = OrderedRecords<TeamRec>()
    var roomsById = OrderedRecords<RoomRec>()
    var directRooms: [String: String] = [:]
    var membershipsById: [String: MembershipRec] = [:]
    var roomMembers: [String: [String]] = [:] // roomId -> membership ids, in creation order
    var roomMessages: [String: [MessageRec]] = [:] // ascending by (created, seq)
    var messageRoom: [String: String] = [:]
    var bulkRanges: [(lo: UInt64, hi: UInt64, roomId: String)] = [] // message-id counters seeded by addMessages
    var idHeads: [String: (b64: String, rest: [UInt8])] = [:]
    var teamMembershipIds: [String: String] = [:] // "teamId|personId" -> team membership id
    var socketState = SocketMockState() // devices and websockets (DeviceMock.swift, WebsocketMock.swift)
    var webhooksById = OrderedRecords<WebhookRec>()
    var contents: [String: ContentRec] = [:]
    var attachmentActions: [String: AttachmentActionRec] = [:]
    /// Sign-in state: integrations, device grants, issued tokens (AuthMock.swift).
    let oauthState = OAuthMockState()
    var requestLog: [MockRequest] = []
    var uploadLog: [MockUpload] = []
    var faultRules: [FaultRule] = []
    var throttleRules: [ThrottleRule] = []
    var randomRules: [RandomRule] = []
    var failingRooms: [String: (status: Int, after: Int)] = [:]  // ArchiveMock.swift
    var latencySeconds: TimeInterval = 0
    var lastMs: Int64 = 0
    var counter: UInt64 = 0
    var seq = 0
    let salt: UInt64
    let saltUUIDPart: String
    let orgId: String
    let appId: String

    /// The seeded bot ("bot@example.com", "Shelly Bot", token "bot-token").
    public private(set) var bot: MockPerson!
    /// The seeded audit person ("alice@example.com", "Alice Audit", token "audit-token").
    public private(set) var audit: MockPerson!
    public var botId: String { bot.id }
    public var auditId: String { audit.id }
    public let botToken = "bot-token"
    public let auditToken = "audit-token"

    // MARK: Networking

    var group: MultiThreadedEventLoopGroup?
    var channel: Channel?
    var boundPort = 0

    public init() {
        var g = SystemRandomNumberGenerator()
        salt = g.next()
        saltUUIDPart = String(MockIds.uuid(salt: salt, counter: 0).prefix(24))
        orgId = MockIds.encode("ORGANIZATION", MockIds.uuid(salt: salt ^ 0x5555, counter: 1))
        appId = MockIds.encode("APPLICATION", MockIds.uuid(salt: salt ^ 0xAAAA, counter: 2))
        bot = addPerson(email: "bot@example.com", displayName: "Shelly Bot", token: "bot-token", isBot: true)
        audit = addPerson(email: "alice@example.com", displayName: "Alice Audit", token: "audit-token")
    }

    deinit { stop() }

    /// Binds 127.0.0.1 on an ephemeral port (or `port`). Calling it again does nothing.
    public func start(port requested: Int = 0) throws {
        lock.lock()
        let already = channel != nil
        lock.unlock()
        if already { return }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [weak self] channel in
                guard let self = self else { return channel.close() }
                return self.configureChildPipeline(channel) // HTTP, and the websocket upgrade (WebsocketMock.swift)
            }
        do {
            let ch = try bootstrap.bind(host: "127.0.0.1", port: requested).wait()
            lock.lock()
            self.group = group
            self.channel = ch
            self.boundPort = ch.localAddress?.port ?? 0
            lock.unlock()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    public func stop() {
        lock.lock()
        let ch = channel
        let g = group
        channel = nil
        group = nil
        lock.unlock()
        try? ch?.close().wait()
        try? g?.syncShutdownGracefully()
    }

    public var port: Int {
        lock.lock(); defer { lock.unlock() }
        return boundPort
    }

    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    // MARK: Locked helpers (call with `lock` held)

    /// Ids are base64 of "ciscospark://us/KIND/<uuid>" where the uuid is 24 salt characters and a 12-hex-digit
    /// counter; the constant head's base64 is cached so that minting an id costs little (bulk seeding).
    func nextId(_ kind: String) -> String {
        counter += 1
        let head: (b64: String, rest: [UInt8])
        if let cached = idHeads[kind] {
            head = cached
        } else {
            let bytes = Array("ciscospark://us/\(kind)/\(saltUUIDPart)".utf8)
            let split = bytes.count / 3 * 3
            head = (Data(bytes[..<split]).base64EncodedString(), Array(bytes[split...]))
            idHeads[kind] = head
        }
        if head.rest.isEmpty && counter < (1 << 48) {
            // 12 hex digits = 4 groups of 3 bytes, each a fixed 4-character base64 piece.
            let t = MockIds.hexTriples
            let c = Int(counter)
            var id = head.b64
            id += t[(c >> 36) & 0xFFF]
            id += t[(c >> 24) & 0xFFF]
            id += t[(c >> 12) & 0xFFF]
            id += t[c & 0xFFF]
            return id
        }
        let hex = String(counter, radix: 16)
        var tail = head.rest
        tail.append(contentsOf: Array((String(repeating: "0", count: max(0, 12 - hex.count)) + hex).utf8))
        var t = Data(tail).base64EncodedString()
        while t.hasSuffix("=") { t.removeLast() }
        return head.b64 + t
    }

    /// The counter inside a message id minted by this server.
    func counterOf(messageId: String) -> UInt64? {
        guard let s = MockIds.decode(messageId), s.hasPrefix("ciscospark://us/MESSAGE/\(saltUUIDPart)") else { return nil }
        return UInt64(s.suffix(12), radix: 16)
    }

    /// The room of a message (nil when unknown or deleted with its room).
    func roomOfMessage(_ id: String) -> String? {
        if let r = messageRoom[id] { return r }
        guard let c = counterOf(messageId: id) else { return nil }
        return bulkRanges.first { $0.lo <= c && c <= $0.hi }?.roomId
    }

    /// Monotonic clock: real time, but never equal to or before the previous stamp.
    func tick() -> Int64 {
        let now = MockTime.nowMillis()
        lastMs = max(now, lastMs + 1)
        return lastMs
    }

    func personFor(email: String, create: Bool) -> PersonRec? {
        if let id = peopleByEmail[email.lowercased()], let p = people[id] { return p }
        guard create else { return nil }
        let local = email.split(separator: "@").first.map(String.init) ?? email
        let p = PersonRec(id: nextId("PEOPLE"), email: email, displayName: local,
                          created: MockTime.format(tick()), orgId: orgId)
        people[p.id] = p
        peopleByEmail[email.lowercased()] = p.id
        return p
    }

    func membership(roomId: String, personId: String) -> MembershipRec? {
        for mid in roomMembers[roomId] ?? [] {
            if let m = membershipsById[mid], m.personId == personId { return m }
        }
        return nil
    }

    func isMember(_ personId: String, _ roomId: String) -> Bool { membership(roomId: roomId, personId: personId) != nil }

    @discardableResult
    func insertMembership(roomId: String, person: PersonRec, isModerator: Bool) -> MembershipRec {
        let room = roomsById[roomId]
        let m = MembershipRec(id: nextId("MEMBERSHIP"), roomId: roomId, person: person, isModerator: isModerator,
                              roomType: room?.type ?? "group", created: MockTime.format(tick()))
        membershipsById[m.id] = m
        roomMembers[roomId, default: []].append(m.id)
        if let teamId = room?.teamId { teamsById[teamId]?.members.insert(person.id) }
        return m
    }

    func insertRoom(title: String, type: String, teamId: String?, creatorId: String, lastActivity: String? = nil) -> RoomRec {
        let created = Stamp(ms: tick())
        seq += 1
        var r = RoomRec(id: nextId("ROOM"), title: title, type: type, teamId: teamId, lastActivity: created,
                        creatorId: creatorId, created: created, ownerId: orgId, seq: seq)
        if let la = lastActivity, let ms = MockTime.parse(la) { r.lastActivity = Stamp(text: la, ms: ms) }
        roomsById[r.id] = r
        roomMessages[r.id] = []
        return r
    }

    func directKey(_ a: String, _ b: String) -> String { a < b ? "\(a)|\(b)" : "\(b)|\(a)" }

    func directRoom(between a: PersonRec, _ b: PersonRec, create: Bool) -> RoomRec? {
        let key = directKey(a.id, b.id)
        if let rid = directRooms[key], let r = roomsById[rid] { return r }
        guard create else { return nil }
        let r = insertRoom(title: b.displayName, type: "direct", teamId: nil, creatorId: a.id)
        directRooms[key] = r.id
        insertMembership(roomId: r.id, person: a, isModerator: false)
        insertMembership(roomId: r.id, person: b, isModerator: false)
        return r
    }

    func storeMessage(_ m: MessageRec) {
        // In place: a copy of the room's array per message made long runs quadratic.
        if let last = roomMessages[m.roomId]?.last, m.key < last.key {
            let i = lowerBound(roomMessages[m.roomId]!, m.key)
            roomMessages[m.roomId]!.insert(m, at: i)
        } else {
            roomMessages[m.roomId, default: []].append(m)
        }
        messageRoom[m.id] = m.roomId
        messageActivity(m) // to the websockets (ActivityMock.swift)
        backdateRoom(m.roomId, to: m.createdMs)
        if var room = roomsById[m.roomId], m.createdMs > room.lastActivity.ms {
            room.lastActivity = Stamp(ms: m.createdMs)
            roomsById[m.roomId] = room
        }
    }

    /// A room is never younger than its messages (Webex's rooms: `created` ≤ every message),
    /// also when a fixture writes messages into the past.
    func backdateRoom(_ roomId: String, to ms: Int64) {
        guard var room = roomsById[roomId], ms < room.created.ms else { return }
        room.created = Stamp(ms: ms)
        roomsById[roomId] = room
    }

    /// First index whose key is >= `key`.
    func lowerBound(_ arr: [MessageRec], _ key: MsgKey) -> Int {
        var lo = 0, hi = arr.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if arr[mid].key < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: Fixtures

    @discardableResult
    public func addPerson(email: String, displayName: String, token: String?, isBot: Bool = false) -> MockPerson {
        lock.lock(); defer { lock.unlock() }
        var p: PersonRec
        if let existing = personFor(email: email, create: false) {
            p = existing
            p.displayName = displayName
            p.type = isBot ? "bot" : "person"
        } else {
            p = PersonRec(id: nextId("PEOPLE"), email: email, displayName: displayName, type: isBot ? "bot" : "person",
                          created: MockTime.format(tick()), orgId: orgId)
        }
        people[p.id] = p
        peopleByEmail[email.lowercased()] = p.id
        if let t = token { tokens[t] = p.id }
        return MockPerson(id: p.id, email: email, displayName: displayName, token: token, isBot: isBot)
    }

    /// A team created by the owner of `creatorToken` (who becomes a team member). Unlike `POST /teams`,
    /// no general room is created unless `withGeneralRoom` is true.
    @discardableResult
    public func addTeam(name: String, creatorToken: String = "bot-token", withGeneralRoom: Bool = false) -> MockTeam {
        lock.lock(); defer { lock.unlock() }
        let creator = tokens[creatorToken].flatMap { people[$0] } ?? people[bot.id]!
        let t = TeamRec(id: nextId("TEAM"), name: name, creatorId: creator.id, created: MockTime.format(tick()),
                        members: [creator.id], moderators: [creator.id])
        teamsById[t.id] = t
        if withGeneralRoom {
            let r = insertRoom(title: name, type: "group", teamId: t.id, creatorId: creator.id)
            insertMembership(roomId: r.id, person: creator, isModerator: true)
        }
        return MockTeam(id: t.id, name: t.name)
    }

    /// A room with the bot (unless `includeBot` is false) and `members` (e-mails; unknown people are created).
    /// For `type: "direct"` pass exactly one member: the room is the bot's 1:1 with that person.
    @discardableResult
    public func addRoom(title: String, type: String = "group", teamId: String? = nil, members: [String] = [],
                        lastActivity: String? = nil, includeBot: Bool = true) -> MockRoom {
        lock.lock(); defer { lock.unlock() }
        let botRec = people[bot.id]!
        let memberRecs = members.compactMap { personFor(email: $0, create: true) }
        let creator = includeBot ? botRec : (memberRecs.first ?? people[audit.id]!)
        let r = insertRoom(title: title, type: type, teamId: teamId, creatorId: creator.id, lastActivity: lastActivity)
        var added = Set<String>()
        if includeBot {
            insertMembership(roomId: r.id, person: botRec, isModerator: false)
            added.insert(botRec.id)
        }
        for p in memberRecs where !added.contains(p.id) {
            insertMembership(roomId: r.id, person: p, isModerator: false)
            added.insert(p.id)
        }
        if type == "direct", added.count == 2 {
            let ids = Array(added)
            directRooms[directKey(ids[0], ids[1])] = r.id
        }
        return MockRoom(id: r.id, title: r.title, type: r.type, teamId: r.teamId)
    }

    @discardableResult
    public func addMembership(roomId: String, email: String, isModerator: Bool = false) -> MockMembership {
        lock.lock(); defer { lock.unlock() }
        let p = personFor(email: email, create: true)!
        if var existing = membership(roomId: roomId, personId: p.id) {
            existing.isModerator = isModerator
            membershipsById[existing.id] = existing
            return MockMembership(id: existing.id, roomId: roomId, personId: p.id, personEmail: p.email)
        }
        let m = insertMembership(roomId: roomId, person: p, isModerator: isModerator)
        membershipActivity("add", m, by: p)
        return MockMembership(id: m.id, roomId: roomId, personId: p.id, personEmail: p.email)
    }

    /// A message in `roomId` from `fromEmail` (created when unknown). `created` (ISO 8601) defaults to now
    /// (strictly after every earlier stamp); `files` are stored as given (use `addContent` for real URLs).
    @discardableResult
    public func addMessage(roomId: String, fromEmail: String, text: String, markdown: String? = nil, html: String? = nil,
                           files: [String] = [], mentionedEmails: [String] = [], created: String? = nil,
                           parentId: String? = nil) -> MockMessage {
        lock.lock(); defer { lock.unlock() }
        let p = personFor(email: fromEmail, create: true)!
        let mentioned = mentionedEmails.compactMap { personFor(email: $0, create: true)?.id }
        let ms = created.flatMap(MockTime.parse) ?? tick()
        if ms > lastMs { lastMs = ms }
        let stamp = created ?? MockTime.format(ms)
        let id = nextId("MESSAGE")
        seq += 1
        let roomType = roomsById[roomId]?.type ?? "group"
        let json = renderMessage(id: id, roomId: roomId, roomType: roomType, text: text, markdown: markdown, html: html,
                                 files: files, personId: p.id, personEmail: p.email, mentioned: mentioned,
                                 parentId: parentId, created: stamp)
        storeMessage(MessageRec(id: id, roomId: roomId, personId: p.id, createdMs: ms, seq: seq, mentioned: mentioned,
                                json: json, parentId: parentId, hasAttachment: !files.isEmpty))
        return MockMessage(id: id, roomId: roomId, created: stamp, json: String(decoding: json, as: UTF8.self))
    }

    /// Bulk messages "message 1" ... "message N" (N newest), 1 ms apart, ending about now
    /// (later than any message already in the room). With `from` (ISO 8601) they start
    /// there instead, `stepMillis` apart (0: all at the same instant), among the room's others.
    public func addMessages(roomId: String, count: Int, fromEmail: String, from: String? = nil, stepMillis: Int = 1) {
        guard count > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let p = personFor(email: fromEmail, create: true)!
        let roomType = roomsById[roomId]?.type ?? "group"
        var arr = roomMessages[roomId] ?? []
        let step = Int64(max(0, stepMillis))
        var start = MockTime.nowMillis() - Int64(count) * step
        if let last = arr.last, last.createdMs >= start { start = last.createdMs + 1 }
        if let from, let ms = MockTime.parse(from) { start = ms }
        let appended = arr.last.map { $0.createdMs <= start } ?? true
        arr.reserveCapacity(arr.count + count)
        let firstCounter = counter + 1
        var second = Int64.min
        var secondPrefix = ""
        let millis = MockTime.millisSuffixes
        let open = #"{"id":""#
        let mid1 = #"","roomId":""# + roomId + #"","roomType":""# + roomType + #"","text":"message "#
        var mid2 = #"","personId":""# + p.id + #"","personEmail":"#
        JSONOut.escape(p.email, into: &mid2)
        mid2 += #","created":""#
        let close = #""}"#
        let capacity = open.utf8.count + mid1.utf8.count + mid2.utf8.count + close.utf8.count + 120
        for i in 0..<count {
            let ms = start + Int64(i) * step
            if ms / 1000 != second {
                second = ms / 1000
                secondPrefix = String(MockTime.format(ms).prefix(20))
            }
            let id = nextId("MESSAGE")
            seq += 1
            // Same bytes as renderMessage, spliced from constant pieces.
            var text = String()
            text.reserveCapacity(capacity)
            text += open
            text += id
            text += mid1
            text += String(i + 1)
            text += mid2
            text += secondPrefix
            text += millis[Int(ms % 1000)]
            text += close
            let json = Array(text.utf8)
            arr.append(MessageRec(id: id, roomId: roomId, personId: p.id, createdMs: ms, seq: seq, mentioned: [], json: json))
        }
        bulkRanges.append((firstCounter, counter, roomId))
        if !appended { arr.sort { $0.key < $1.key } }
        roomMessages[roomId] = arr
        backdateRoom(roomId, to: start)
        let end = start + Int64(count - 1) * step
        lastMs = max(lastMs, end)
        if var room = roomsById[roomId], end > room.lastActivity.ms {
            room.lastActivity = Stamp(ms: end)
            roomsById[roomId] = room
        }
    }

    /// Stores an attachment and returns its full contents URL (`baseURL + "/contents/" + id`).
    /// The URL embeds the port, so the server is started here if it was not yet.
    /// While `scanningRetries` > 0, GET/HEAD answer 423 (`Retry-After: 0`) and decrement it; `unsafe` answers 410.
    /// `contentDisposition` replaces the whole `Content-Disposition` header value (for hostile names).
    @discardableResult
    public func addContent(filename: String?, contentType: String = "application/octet-stream", data: Data,
                           scanningRetries: Int = 0, unsafe: Bool = false, contentDisposition: String? = nil) -> String {
        if port == 0 { try? start() }
        lock.lock(); defer { lock.unlock() }
        let id = nextId("CONTENT")
        contents[id] = ContentRec(id: id, filename: filename, contentType: contentType, data: data,
                                  scanningRetries: scanningRetries, unsafe: unsafe, disposition: contentDisposition)
        return "http://127.0.0.1:\(boundPort)/v1/contents/\(id)"
    }

    // MARK: Inspection

    /// Every request received, in arrival order (including faulted ones).
    public var requests: [MockRequest] {
        lock.lock(); defer { lock.unlock() }
        return requestLog
    }

    public func clearRequests() {
        lock.lock(); defer { lock.unlock() }
        requestLog.removeAll()
    }

    /// Requests whose method (if given) and relative path prefix match.
    public func requests(method: String? = nil, pathPrefix: String) -> [MockRequest] {
        requests.filter { ($0.method == method?.uppercased() || method == nil) && $0.path.hasPrefix(pathPrefix) }
    }

    public var uploads: [MockUpload] {
        lock.lock(); defer { lock.unlock() }
        return uploadLog
    }

    /// All rooms (whoever is a member), in creation order, as the API renders them.
    public func rooms() -> [[String: Any]] {
        lock.lock(); defer { lock.unlock() }
        return roomsById.values.map { JSONOut.dict(JSONOut.bytes($0.json())) }
    }

    public func room(id: String) -> [String: Any]? {
        lock.lock(); defer { lock.unlock() }
        return roomsById[id].map { JSONOut.dict(JSONOut.bytes($0.json())) }
    }

    public func teams() -> [[String: Any]] {
        lock.lock(); defer { lock.unlock() }
        return teamsById.values.map { JSONOut.dict(JSONOut.bytes($0.json())) }
    }

    public func memberships(roomId: String) -> [[String: Any]] {
        lock.lock(); defer { lock.unlock() }
        return (roomMembers[roomId] ?? []).compactMap { membershipsById[$0] }.map { JSONOut.dict(JSONOut.bytes($0.json())) }
    }

    /// Messages of a room, newest first.
    public func messages(roomId: String) -> [[String: Any]] {
        lock.lock()
        let arr = roomMessages[roomId] ?? []
        lock.unlock()
        return arr.reversed().map { JSONOut.dict($0.json) }
    }

    public func messageCount(roomId: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        return roomMessages[roomId]?.count ?? 0
    }

    /// Webhooks owned by the person of `token`, in creation order.
    public func webhooks(token: String) -> [[String: Any]] {
        lock.lock(); defer { lock.unlock() }
        guard let owner = tokens[token] else { return [] }
        return webhooksById.values.filter { $0.ownerId == owner }
            .map { JSONOut.dict(JSONOut.bytes($0.json())) }
    }

    public func person(email: String) -> MockPerson? {
        lock.lock(); defer { lock.unlock() }
        guard let p = personFor(email: email, create: false) else { return nil }
        let token = tokens.first { $0.value == p.id }?.key
        return MockPerson(id: p.id, email: p.email, displayName: p.displayName, token: token, isBot: p.type == "bot")
    }

    // MARK: Fault injection

    /// Time added before every answer (a dropped connection excepted), to model the round
    /// trip and the server's time of the real service; 0 by default.
    public var latency: TimeInterval {
        get { lock.lock(); defer { lock.unlock() }; return latencySeconds }
        set { lock.lock(); defer { lock.unlock() }; latencySeconds = max(0, newValue) }
    }

    /// The next `times` requests matching `method` (nil = any) and `pathPrefix` (relative to /v1, e.g. "/rooms")
    /// get `fault`, after the first `after` of them went through. Rules are consumed in the order they were added.
    public func inject(_ fault: Fault, method: String? = nil, pathPrefix: String, times: Int = 1, after: Int = 0) {
        lock.lock(); defer { lock.unlock() }
        faultRules.append(FaultRule(fault: fault, match: RequestMatch(method: method, pathPrefix: pathPrefix),
                                    remaining: times, skip: after))
    }

    /// Deterministic random faults on matching requests: 429 (`Retry-After: 0`), 5xx, or a dropped connection.
    /// 5xx is 503 for POST (which clients may retry) and cycles 500/502/503/504 for other methods.
    public func randomFaults(seed: UInt64, rate429: Double, rate5xx: Double, rateDrop: Double, pathPrefix: String,
                             method: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        let bounds = (rate429, rate429 + rate5xx, rate429 + rate5xx + rateDrop)
        randomRules.append(RandomRule(match: RequestMatch(method: method, pathPrefix: pathPrefix),
                                      rng: SplitMix64(state: seed), bounds: bounds))
    }

    /// Every `n`-th matching request answers 429 with `Retry-After: retryAfter`.
    public func throttle(pathPrefix: String, method: String?, every n: Int, retryAfter: String) {
        lock.lock(); defer { lock.unlock() }
        throttleRules.append(ThrottleRule(match: RequestMatch(method: method, pathPrefix: pathPrefix), every: max(1, n),
                                          retryAfter: retryAfter))
    }

    /// Removes every injected, throttling and random fault.
    public func clearFaults() {
        lock.lock(); defer { lock.unlock() }
        faultRules.removeAll()
        throttleRules.removeAll()
        randomRules.removeAll()
    }

    /// Picks the fault for a request (lock held).
    func pickFault(method: String, path: String) -> Fault? {
        for i in faultRules.indices where faultRules[i].remaining > 0 {
            let r = faultRules[i]
            if r.match.matches(method: method, path: path) {
                if r.skip > 0 {
                    faultRules[i].skip -= 1
                    continue
                }
                faultRules[i].remaining -= 1
                return r.fault
            }
        }
        faultRules.removeAll { $0.remaining <= 0 }
        for i in throttleRules.indices {
            let r = throttleRules[i]
            if r.match.matches(method: method, path: path) {
                throttleRules[i].count += 1
                if throttleRules[i].count % r.every == 0 { return .status(429, retryAfter: r.retryAfter) }
            }
        }
        for i in randomRules.indices {
            let r = randomRules[i]
            if r.match.matches(method: method, path: path) {
                let x = randomRules[i].rng.nextDouble()
                if x < r.bounds.status429 { return .status(429, retryAfter: "0") }
                if x < r.bounds.status5xx {
                    randomRules[i].n5xx += 1
                    if method == "POST" { return .status(503, retryAfter: nil) }
                    return .status([500, 502, 503, 504][randomRules[i].n5xx % 4], retryAfter: nil)
                }
                if x < r.bounds.drop { return .drop }
            }
        }
        return nil
    }
}
