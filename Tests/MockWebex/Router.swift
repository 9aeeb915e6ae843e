import Foundation

struct IncomingRequest {
    var method: String
    var target: String
    var headers: [(String, String)]
    var body: [UInt8]
}

enum ReplyAction {
    case normal
    case drop
    case delay(TimeInterval)
    case truncate
    /// Half the body, a pause, then the rest.
    case stall(TimeInterval)
    /// Wait, then answer as `truncate`.
    case delayThenTruncate(TimeInterval)
}

struct Reply {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    /// For HEAD: the Content-Length the GET would have had.
    var headLength: Int?
    var action: ReplyAction = .normal
}

/// One request being routed (lock held while it is handled).
struct Ctx {
    var method: String
    var path: String
    var parts: [String]
    var queryPairs: [(String, String)]
    var query: [String: String]
    var headers: [String: String]
    var body: [UInt8]
    var token: String?
    var trackingId: String
    var caller: PersonRec!
}

private let jsonType = "application/json;charset=UTF-8"

extension MockWebexServer {
    // MARK: Entry point (called on an event loop)

    func handle(_ req: IncomingRequest) -> Reply {
        let reply = answer(req)
        return delayed(reply, by: latency)
    }

    /// `reply` answered `seconds` later (on top of an injected delay); a dropped connection drops at once.
    private func delayed(_ reply: Reply, by seconds: TimeInterval) -> Reply {
        guard seconds > 0 else { return reply }
        var reply = reply
        switch reply.action {
        case .drop, .delayThenTruncate, .stall: break
        case .normal: reply.action = .delay(seconds)
        case .delay(let t): reply.action = .delay(t + seconds)
        case .truncate: reply.action = .delayThenTruncate(seconds)
        }
        return reply
    }

    private func answer(_ req: IncomingRequest) -> Reply {
        let trackingId = "ROUTER_" + UUID().uuidString
        var pathPart = Substring(req.target)
        var queryPart: Substring = ""
        if let q = req.target.firstIndex(of: "?") {
            pathPart = req.target[..<q]
            queryPart = req.target[req.target.index(after: q)...]
        }
        let fullPath = QueryCoding.pathDecode(pathPart)
        let rel: String
        if fullPath == "/v1" || fullPath.hasPrefix("/v1/") {
            rel = String(fullPath.dropFirst(3))
        } else {
            rel = fullPath
        }
        let pairs = QueryCoding.parse(queryPart)
        var query: [String: String] = [:]
        for (k, v) in pairs { query[k] = v }
        var headers: [String: String] = [:]
        for (k, v) in req.headers {
            let lk = k.lowercased()
            if let e = headers[lk] { headers[lk] = e + ", " + v } else { headers[lk] = v }
        }
        var token: String?
        if let auth = headers["authorization"] {
            let t = auth.trimmingCharacters(in: .whitespaces)
            if t.lowercased().hasPrefix("bearer ") {
                token = String(t.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            }
        }
        let method = req.method.uppercased()
        let record = MockRequest(method: method, path: rel, target: req.target, query: query, headers: headers,
                                 body: Data(req.body), token: token, time: Date())

        lock.lock()
        defer { lock.unlock() }
        requestLog.append(record)

        if let code = roomFailure(method: method, path: rel, query: query) { return errorReply(code, "Injected fault \(code)", trackingId) }
        var action = ReplyAction.normal
        if let fault = pickFault(method: method, path: rel) {
            switch fault {
            case .drop:
                return Reply(status: 0, action: .drop)
            case let .status(code, retryAfter):
                var r = errorReply(code, code == 429 ? "Too Many Requests" : "Injected fault \(code)", trackingId)
                if let ra = retryAfter { r.headers.append(("Retry-After", ra)) }
                return finish(r, trackingId)
            case let .delay(t):
                action = .delay(t)
            case .truncateBody:
                action = .truncate
            case let .stallBody(t):
                action = .stall(t)
            }
        }

        var ctx = Ctx(method: method, path: rel, parts: rel.split(separator: "/").map(String.init), queryPairs: pairs,
                      query: query, headers: headers, body: req.body, token: token, trackingId: trackingId, caller: nil)
        var reply = route(&ctx)
        reply.action = action
        return finish(reply, trackingId)
    }

    private func finish(_ r: Reply, _ trackingId: String) -> Reply {
        var r = r
        r.headers.append(("TrackingID", trackingId))
        return r
    }

    func errorReply(_ status: Int, _ message: String, _ trackingId: String) -> Reply {
        let body = JSONOut.bytes([("message", message), ("errors", [[("description", message)] as JObj] as [Any]),
                                  ("trackingId", trackingId)])
        return Reply(status: status, headers: [("Content-Type", jsonType)], body: body)
    }

    func jsonReply(_ status: Int, _ obj: JObj) -> Reply {
        Reply(status: status, headers: [("Content-Type", jsonType)], body: JSONOut.bytes(obj))
    }

    func noContent() -> Reply { Reply(status: 204) }

    // MARK: Routing

    private func route(_ c: inout Ctx) -> Reply {
        let p = c.parts
        if let signIn = routeOAuth(c) { return signIn }  // AuthMock.swift
        guard let first = p.first else { return errorReply(404, "The requested resource could not be found.", c.trackingId) }
        if let r = routeSocketMock(c) { return r } // catalog, devices, websocket (DeviceMock.swift)
        let known = ["people", "rooms", "teams", "team", "memberships", "messages", "webhooks", "contents", "attachment"]
        guard known.contains(first), c.path.hasPrefix("/") else {
            return errorReply(404, "The requested resource could not be found.", c.trackingId)
        }
        guard let token = c.token, oauthTokenLive(token), let pid = tokens[token], let caller = people[pid] else {
            return errorReply(401, "The request requires a valid access token set in the Authorization request header.",
                              c.trackingId)
        }
        c.caller = caller
        if let unknown = unknownQueryParameter(c) {
            return errorReply(400, "Unknown query parameter '\(unknown)'.", c.trackingId)
        }
        let m = c.method
        func allow(_ methods: [String], _ body: () -> Reply) -> Reply {
            if methods.contains(m) || (m == "HEAD" && methods.contains("GET")) { return body() }
            var r = errorReply(405, "Method \(m) is not allowed for this resource.", c.trackingId)
            r.headers.append(("Allow", methods.joined(separator: ", ")))
            return r
        }
        let ctx = c
        switch (first, p.count) {
        case ("people", 1): return allow(["GET"]) { listPeople(ctx) }
        case ("people", 2): return allow(["GET"]) { getPerson(ctx, p[1]) }
        case ("rooms", 1): return allow(["GET", "POST"]) { m == "POST" ? createRoom(ctx) : listRooms(ctx) }
        case ("rooms", 2):
            return allow(["GET", "PUT", "DELETE"]) {
                m == "PUT" ? updateRoom(ctx, p[1]) : m == "DELETE" ? deleteRoom(ctx, p[1]) : getRoom(ctx, p[1])
            }
        case ("teams", 1): return allow(["GET", "POST"]) { m == "POST" ? createTeam(ctx) : listTeams(ctx) }
        case ("teams", 2):
            return allow(["GET", "PUT", "DELETE"]) {
                m == "PUT" ? updateTeam(ctx, p[1]) : m == "DELETE" ? deleteTeam(ctx, p[1]) : getTeam(ctx, p[1])
            }
        case ("team", 2) where p[1] == "memberships":
            return allow(["GET", "POST"]) { m == "POST" ? createTeamMembership(ctx) : listTeamMemberships(ctx) }
        case ("team", 3) where p[1] == "memberships":
            return allow(["GET", "PUT", "DELETE"]) {
                m == "PUT" ? updateTeamMembership(ctx, p[2]) : m == "DELETE" ? deleteTeamMembership(ctx, p[2])
                    : getTeamMembership(ctx, p[2])
            }
        case ("memberships", 1):
            return allow(["GET", "POST"]) { m == "POST" ? createMembership(ctx) : listMemberships(ctx) }
        case ("memberships", 2):
            return allow(["GET", "PUT", "DELETE"]) {
                m == "PUT" ? updateMembership(ctx, p[1]) : m == "DELETE" ? deleteMembership(ctx, p[1]) : getMembership(ctx, p[1])
            }
        case ("messages", 1): return allow(["GET", "POST"]) { m == "POST" ? createMessage(ctx) : listMessages(ctx) }
        case ("messages", 2) where p[1] == "direct": return allow(["GET"]) { listDirectMessages(ctx) }
        case ("messages", 2):
            return allow(["GET", "PUT", "DELETE"]) {
                m == "PUT" ? editMessage(ctx, p[1]) : m == "DELETE" ? deleteMessage(ctx, p[1]) : getMessage(ctx, p[1])
            }
        case ("attachment", 2) where p[1] == "actions": return allow(["POST"]) { createAttachmentAction(ctx) }
        case ("attachment", 3) where p[1] == "actions": return allow(["GET"]) { getAttachmentAction(ctx, p[2]) }
        case ("webhooks", 1): return allow(["GET", "POST"]) { m == "POST" ? createWebhook(ctx) : listWebhooks(ctx) }
        case ("webhooks", 2):
            return allow(["GET", "PUT", "DELETE"]) {
                m == "PUT" ? updateWebhook(ctx, p[1]) : m == "DELETE" ? deleteWebhook(ctx, p[1]) : getWebhook(ctx, p[1])
            }
        case ("contents", 2), ("contents", 3): return allow(["GET"]) { getContent(ctx, p[1]) }
        default: return errorReply(404, "The requested resource could not be found.", c.trackingId)
        }
    }

    // MARK: Common helpers

    /// Query parameters each GET takes, from the OpenAPI file (`cursor` is this mock's own paging).
    /// Every other request takes none.
    private static let queryParameters: [String: Set<String>] = [
        "people": ["email", "displayName", "id", "orgId", "roles", "callingData", "locationId", "max", "excludeStatus",
                   "cursor"],
        "people/ID": ["callingData"],
        "rooms": ["teamId", "type", "orgPublicSpaces", "from", "to", "sortBy", "max", "cursor"],
        "teams": ["max", "cursor"],
        "teams/ID": ["description"],
        "team/memberships": ["teamId", "max", "cursor"],
        "memberships": ["roomId", "personId", "personEmail", "max", "cursor"],
        "messages": ["roomId", "parentId", "mentionedPeople", "before", "beforeMessage", "max", "cursor"],
        "messages/direct": ["parentId", "personId", "personEmail", "cursor"],
        "webhooks": ["max", "ownedBy", "cursor"],
    ]

    /// The first query parameter the endpoint does not take (Webex answers 400), if any.
    private func unknownQueryParameter(_ c: Ctx) -> String? {
        guard !c.queryPairs.isEmpty else { return nil }
        var key = c.parts.first ?? ""
        if c.parts.count == 2 {
            let named = (key == "messages" && c.parts[1] == "direct") || (key == "team" && c.parts[1] == "memberships")
            key += named ? "/" + c.parts[1] : "/ID"
        }
        let allowed = (c.method == "GET" || c.method == "HEAD") ? Self.queryParameters[key] ?? [] : []
        return c.queryPairs.first { !allowed.contains($0.0) }?.0
    }

    /// Parses `max`; returns nil plus an error reply when invalid.
    func parseMax(_ c: Ctx, default d: Int, limit: Int) -> (Int?, Reply?) {
        guard let s = c.query["max"] else { return (d, nil) }
        guard let v = Int(s), v >= 1 else {
            return (nil, errorReply(400, "max must be a positive integer.", c.trackingId))
        }
        guard v <= limit else { return (nil, errorReply(400, "max must be equal or less than \(limit).", c.trackingId)) }
        return (v, nil)
    }

    func nextLink(_ c: Ctx, cursor: String) -> String {
        var q = c.queryPairs.filter { $0.0 != "cursor" }.map { "\(QueryCoding.encode($0.0))=\(QueryCoding.encode($0.1))" }
        q.append("cursor=\(QueryCoding.encode(cursor))")
        return "<http://127.0.0.1:\(boundPort)/v1\(c.path)?\(q.joined(separator: "&"))>; rel=\"next\""
    }

    func encodeCursor(_ s: String) -> String {
        var e = Data(s.utf8).base64EncodedString()
        while e.hasSuffix("=") { e.removeLast() }
        return e
    }

    func decodeCursor(_ s: String) -> String? { MockIds.decode(s) }

    /// Offset-paged list of already-rendered items.
    func pagedList(_ c: Ctx, _ items: [[UInt8]], defaultMax: Int = 100, limit: Int = 1000) -> Reply {
        let (maxOpt, err) = parseMax(c, default: defaultMax, limit: limit)
        if let err = err { return err }
        let max = maxOpt!
        var offset = 0
        if let cur = c.query["cursor"] {
            guard let d = decodeCursor(cur), d.hasPrefix("o:"), let o = Int(d.dropFirst(2)), o >= 0 else {
                return errorReply(400, "Invalid cursor.", c.trackingId)
            }
            offset = o
        }
        let end = min(items.count, offset + max)
        var r = listBody(offset < end ? Array(items[offset..<end]) : [])
        if end < items.count { r.headers.append(("Link", nextLink(c, cursor: encodeCursor("o:\(end)")))) }
        return r
    }

    func listBody(_ items: [[UInt8]]) -> Reply {
        var total = 12
        for i in items { total += i.count + 1 }
        var body = [UInt8]()
        body.reserveCapacity(total)
        body.append(contentsOf: Array("{\"items\":[".utf8))
        for (i, item) in items.enumerated() {
            if i > 0 { body.append(44) }
            body.append(contentsOf: item)
        }
        body.append(contentsOf: [93, 125])
        return Reply(status: 200, headers: [("Content-Type", jsonType)], body: body)
    }

    /// The request body's JSON object (`[:]` for no body); nil when it is not one (answer `unparsable`).
    func jsonBody(_ c: Ctx) -> [String: Any]? {
        if c.body.isEmpty { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(c.body))) as? [String: Any]
    }

    /// Webex's 400 for a body that is not a JSON object.
    func unparsable(_ c: Ctx) -> Reply {
        errorReply(400, "The request body could not be parsed as JSON.", c.trackingId)
    }

    /// 200 with `json`, or the 404 of `what` when the caller cannot see it (nil): a GET by id.
    func found(_ json: JObj?, else what: String, _ c: Ctx) -> Reply {
        json.map { jsonReply(200, $0) } ?? notFound(what, c)
    }

    /// 200 with `record`, stored under its id: the answer of a create or an update.
    func saved<Record: JSONRecord>(_ record: Record, in records: inout OrderedRecords<Record>) -> Reply {
        records[record.id] = record
        return jsonReply(200, record.json())
    }

    /// 204 with record `id` removed from `records`, or the 404 of `what` when the caller cannot see
    /// it (`found` false): a DELETE by id.
    func delete<Record>(_ id: String, from records: inout OrderedRecords<Record>, found: Bool, else what: String,
                        _ c: Ctx) -> Reply {
        guard found else { return notFound(what, c) }
        records[id] = nil
        return noContent()
    }

    /// Webex's 404 for an id it does not know (or the caller may not see): "Could not find a room with provided ID."
    func notFound(_ what: String, _ c: Ctx) -> Reply {
        errorReply(404, "Could not find \(what) with provided ID.", c.trackingId)
    }

    /// A refused request, as an `Error` so it can travel in a `Result`.
    struct Refusal: Error { var reply: Reply }

    /// The person a membership POST names: `personId` (must exist) or `personEmail` (created on first use).
    func personToAdd(_ body: [String: Any], _ c: Ctx) -> Result<PersonRec, Refusal> {
        if let pid = str(body, "personId") {
            guard let p = people[pid] else {
                return .failure(Refusal(reply: notFound("a person", c)))
            }
            return .success(p)
        }
        if let email = str(body, "personEmail"), email.contains("@") {
            return .success(personFor(email: email, create: true)!)
        }
        return .failure(Refusal(reply: errorReply(400, "personId or personEmail is required.", c.trackingId)))
    }

    func str(_ d: [String: Any], _ k: String) -> String? {
        if let s = d[k] as? String { return s }
        return nil
    }

    /// A string field that must be there and not empty (`missing` answers otherwise).
    func nonEmpty(_ d: [String: Any], _ k: String) -> String? {
        str(d, k).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Webex's 400 for a required field not given: "title is required."
    func missing(_ field: String, _ c: Ctx) -> Reply {
        errorReply(400, "\(field) is required.", c.trackingId)
    }

    func bool(_ d: [String: Any], _ k: String) -> Bool? {
        if let b = d[k] as? Bool { return b }
        if let n = d[k] as? NSNumber { return n.boolValue }
        return nil
    }

    // MARK: People

    private func listPeople(_ c: Ctx) -> Reply {
        var found: [PersonRec] = []
        if let email = c.query["email"] {
            if let p = personFor(email: email, create: false) { found.append(p) }
        } else if let ids = c.query["id"] {
            found = ids.split(separator: ",").compactMap { people[String($0)] }
        } else if let name = c.query["displayName"] {
            found = people.values.filter { $0.displayName.lowercased().hasPrefix(name.lowercased()) }
                .sorted { $0.id < $1.id }
        } else {
            return errorReply(400, "Email, displayName, or id list should be specified.", c.trackingId)
        }
        return pagedList(c, found.map { JSONOut.bytes($0.json()) })
    }

    private func getPerson(_ c: Ctx, _ id: String) -> Reply {
        let p = id == "me" ? c.caller : people[id]
        guard let person = p else { return errorReply(404, "Person not found.", c.trackingId) }
        return jsonReply(200, person.json())
    }

    // MARK: Rooms

    private func listRooms(_ c: Ctx) -> Reply {
        let me = c.caller.id
        var list = roomsById.values.filter { isMember(me, $0.id) }
        if let team = c.query["teamId"] { list = list.filter { $0.teamId == team } }
        if let type = c.query["type"] {
            guard type == "group" || type == "direct" else {
                return errorReply(400, "type must be group or direct.", c.trackingId)
            }
            list = list.filter { $0.type == type }
        }
        switch c.query["sortBy"] {
        case nil: break
        case "id": list.sort { $0.id < $1.id }
        case "lastactivity": list.sort { ($0.lastActivity.ms, $0.seq) > ($1.lastActivity.ms, $1.seq) }
        case "created": list.sort { ($0.created.ms, $0.seq) > ($1.created.ms, $1.seq) }
        default: return errorReply(400, "sortBy must be one of id, lastactivity, created.", c.trackingId)
        }
        return pagedList(c, list.map { JSONOut.bytes($0.json()) })
    }

    private func visibleRoom(_ c: Ctx, _ id: String) -> RoomRec? {
        guard let r = roomsById[id], isMember(c.caller.id, id) else { return nil }
        return r
    }

    private func getRoom(_ c: Ctx, _ id: String) -> Reply {
        found(visibleRoom(c, id)?.json(), else: "a room", c)
    }

    private func createRoom(_ c: Ctx) -> Reply {
        guard let body = jsonBody(c) else { return unparsable(c) }
        guard let title = nonEmpty(body, "title") else { return missing("title", c) }
        let teamId = str(body, "teamId")
        if let t = teamId {
            guard let team = teamsById[t] else { return notFound("a team", c) }
            guard team.members.contains(c.caller.id) else {
                return errorReply(403, "The caller is not a member of the team.", c.trackingId)
            }
        }
        let r = insertRoom(title: title, type: "group", teamId: teamId, creatorId: c.caller.id)
        insertMembership(roomId: r.id, person: c.caller, isModerator: false)
        return jsonReply(200, r.json())
    }

    private func updateRoom(_ c: Ctx, _ id: String) -> Reply {
        guard let r = visibleRoom(c, id) else { return notFound("a room", c) }
        return updateRoom(c, r)
    }

    private func deleteRoom(_ c: Ctx, _ id: String) -> Reply {
        guard visibleRoom(c, id) != nil else { return notFound("a room", c) }
        roomsById[id] = nil
        for mid in roomMembers[id] ?? [] { membershipsById[mid] = nil }
        roomMembers[id] = nil
        messageRoom = messageRoom.filter { $0.value != id }
        roomMessages[id] = nil
        directRooms = directRooms.filter { $0.value != id }
        bulkRanges.removeAll { $0.roomId == id }
        return noContent()
    }

    // MARK: Teams

    private func listTeams(_ c: Ctx) -> Reply {
        let list = teamsById.values.filter { $0.members.contains(c.caller.id) }
        return pagedList(c, list.map { JSONOut.bytes($0.json()) })
    }

    /// A team the caller is a member of.
    private func visibleTeam(_ c: Ctx, _ id: String) -> TeamRec? {
        teamsById[id].flatMap { $0.members.contains(c.caller.id) ? $0 : nil }
    }

    private func getTeam(_ c: Ctx, _ id: String) -> Reply {
        found(visibleTeam(c, id)?.json(), else: "a team", c)
    }

    private func createTeam(_ c: Ctx) -> Reply {
        guard let body = jsonBody(c) else { return unparsable(c) }
        guard let name = nonEmpty(body, "name") else { return missing("name", c) }
        let t = TeamRec(id: nextId("TEAM"), name: name, creatorId: c.caller.id, created: MockTime.format(tick()),
                        members: [c.caller.id], moderators: [c.caller.id], description: str(body, "description"))
        teamsById[t.id] = t
        // Webex creates the team's general space, titled like the team.
        let r = insertRoom(title: name, type: "group", teamId: t.id, creatorId: c.caller.id)
        insertMembership(roomId: r.id, person: c.caller, isModerator: true)
        return jsonReply(200, t.json())
    }

    private func updateTeam(_ c: Ctx, _ id: String) -> Reply {
        guard var t = visibleTeam(c, id) else { return notFound("a team", c) }
        guard let body = jsonBody(c) else { return unparsable(c) }
        guard let name = nonEmpty(body, "name") else { return missing("name", c) }
        t.name = name
        if let d = str(body, "description") { t.description = d }
        return saved(t, in: &teamsById)
    }

    private func deleteTeam(_ c: Ctx, _ id: String) -> Reply {
        delete(id, from: &teamsById, found: visibleTeam(c, id) != nil, else: "a team", c)
    }

    // MARK: Memberships

    private func listMemberships(_ c: Ctx) -> Reply {
        let me = c.caller.id
        var list: [MembershipRec]
        if let roomId = c.query["roomId"] {
            guard roomsById[roomId] != nil, isMember(me, roomId) else {
                return notFound("a room", c)
            }
            list = (roomMembers[roomId] ?? []).compactMap { membershipsById[$0] }
            if let email = c.query["personEmail"] { list = list.filter { $0.personEmail.lowercased() == email.lowercased() } }
            if let pid = c.query["personId"] { list = list.filter { $0.personId == pid } }
        } else {
            if c.query["personEmail"] != nil || c.query["personId"] != nil {
                return errorReply(400, "personId or personEmail must be used with roomId.", c.trackingId)
            }
            list = roomsById.ids.compactMap { membership(roomId: $0, personId: me) }
        }
        return pagedList(c, list.map { JSONOut.bytes($0.json()) })
    }

    private func visibleMembership(_ c: Ctx, _ id: String) -> MembershipRec? {
        guard let m = membershipsById[id], isMember(c.caller.id, m.roomId) else { return nil }
        return m
    }

    private func getMembership(_ c: Ctx, _ id: String) -> Reply {
        found(visibleMembership(c, id)?.json(), else: "a membership", c)
    }

    private func createMembership(_ c: Ctx) -> Reply {
        guard let body = jsonBody(c) else { return unparsable(c) }
        guard let roomId = str(body, "roomId") else { return errorReply(400, "roomId is required.", c.trackingId) }
        guard let room = roomsById[roomId], isMember(c.caller.id, roomId) else {
            return notFound("a room", c)
        }
        let person: PersonRec
        switch personToAdd(body, c) {
        case .success(let found): person = found
        case .failure(let refusal): return refusal.reply
        }
        if room.type == "direct" {
            return errorReply(400, "Cannot add a person to a 1:1 room.", c.trackingId)
        }
        if isMember(person.id, roomId) {
            return errorReply(409, "Person is already in the room.", c.trackingId)
        }
        let m = insertMembership(roomId: roomId, person: person, isModerator: bool(body, "isModerator") ?? false)
        membershipActivity("add", m, by: c.caller)
        return jsonReply(200, m.json())
    }

    private func updateMembership(_ c: Ctx, _ id: String) -> Reply {
        guard var m = visibleMembership(c, id) else {
            return notFound("a membership", c)
        }
        guard let body = jsonBody(c) else { return unparsable(c) }
        guard body["isModerator"] != nil || body["isRoomHidden"] != nil else {
            return errorReply(400, "isModerator is required.", c.trackingId)
        }
        let wasModerator = m.isModerator
        if let v = bool(body, "isModerator") { m.isModerator = v }
        if let v = bool(body, "isRoomHidden") { m.isRoomHidden = v }
        membershipsById[id] = m
        if m.isModerator != wasModerator {
            membershipActivity(m.isModerator ? "assignModerator" : "unassignModerator", m, by: c.caller)
        }
        return jsonReply(200, m.json())
    }

    private func deleteMembership(_ c: Ctx, _ id: String) -> Reply {
        guard let m = visibleMembership(c, id) else {
            return notFound("a membership", c)
        }
        membershipsById[id] = nil
        roomMembers[m.roomId]?.removeAll { $0 == id }
        membershipActivity("leave", m, by: c.caller)
        return noContent()
    }

    // MARK: Messages

    private func listMessages(_ c: Ctx) -> Reply {
        guard let roomId = c.query["roomId"], !roomId.isEmpty else {
            return errorReply(400, "roomId is required.", c.trackingId)
        }
        let mentioned = c.query["mentionedPeople"]
        let (maxOpt, err) = parseMax(c, default: 50, limit: mentioned == nil ? 1000 : 100)
        if let err = err { return err }
        guard let room = visibleRoom(c, roomId) else {
            return notFound("a room", c)
        }
        if mentioned == nil && c.caller.type == "bot" && room.type == "group" {
            return errorReply(403, "Failed to get activity: bots can only list messages that mention them in group rooms (use mentionedPeople=me).",
                              c.trackingId)
        }
        var mentionIds: Set<String>? = nil
        if let mp = mentioned {
            mentionIds = Set(mp.split(separator: ",").map { $0 == "me" ? c.caller.id : String($0) })
        }
        if let parentId = c.query["parentId"], roomOfMessage(parentId) != roomId {
            return notFound("a message", c)
        }
        return messagePage(c, roomMessages[roomId] ?? [], max: maxOpt!, mentionIds: mentionIds,
                           parentId: c.query["parentId"])
    }

    /// Newest-first page over an ascending message array, honouring before/beforeMessage/cursor.
    func messagePage(_ c: Ctx, _ arr: [MessageRec], max: Int, mentionIds: Set<String>?, parentId: String? = nil) -> Reply {
        // A reply is listed only with its parent's id (parentId=); without it, every message.
        func matches(_ m: MessageRec) -> Bool {
            if let ids = mentionIds, !m.mentioned.contains(where: ids.contains) { return false }
            return parentId == nil || m.parentId == parentId
        }
        var upper = arr.count // exclusive index bound
        if let cur = c.query["cursor"] {
            let parts = decodeCursor(cur)?.split(separator: ":") ?? []
            guard parts.count == 3, parts[0] == "m", let ms = Int64(parts[1]), let sq = Int(parts[2]) else {
                return errorReply(400, "Invalid cursor.", c.trackingId)
            }
            upper = lowerBound(arr, MsgKey(ms: ms, seq: sq))
        } else {
            if let b = c.query["before"] {
                guard let ms = MockTime.parse(b) else {
                    return errorReply(400, "before must be an ISO 8601 date-time.", c.trackingId)
                }
                upper = Swift.min(upper, lowerBound(arr, MsgKey(ms: ms, seq: Int.min)))
            }
            if let bm = c.query["beforeMessage"] {
                guard roomOfMessage(bm) != nil,
                      let idx = arr.firstIndex(where: { $0.id == bm }) else {
                    return notFound("a message", c)
                }
                upper = Swift.min(upper, idx)
            }
        }
        var items: [[UInt8]] = []
        items.reserveCapacity(Swift.min(max, upper))
        var i = upper - 1
        var lastKey: MsgKey?
        while i >= 0 && items.count < max {
            let m = arr[i]
            if !matches(m) { i -= 1; continue }
            items.append(m.json)
            lastKey = m.key
            i -= 1
        }
        var more = false
        if items.count == max {
            if mentionIds != nil || parentId != nil {
                var j = i
                while j >= 0 {
                    if matches(arr[j]) { more = true; break }
                    j -= 1
                }
            } else {
                more = i >= 0
            }
        }
        var r = listBody(items)
        if more, let k = lastKey {
            r.headers.append(("Link", nextLink(c, cursor: encodeCursor("m:\(k.ms):\(k.seq)"))))
        }
        return r
    }

    private func listDirectMessages(_ c: Ctx) -> Reply {
        let other: PersonRec?
        if let email = c.query["personEmail"] {
            other = personFor(email: email, create: false)
        } else if let pid = c.query["personId"] {
            other = people[pid]
        } else {
            return errorReply(400, "personId or personEmail is required.", c.trackingId)
        }
        guard let o = other, let room = directRoom(between: c.caller, o, create: false) else { return listBody([]) }
        // No `max` here (the OpenAPI file lists none): the server's own page size, with `Link`.
        return messagePage(c, roomMessages[room.id] ?? [], max: 50, mentionIds: nil, parentId: c.query["parentId"])
    }

    private func findMessage(_ c: Ctx, _ id: String) -> MessageRec? {
        guard let rid = roomOfMessage(id), isMember(c.caller.id, rid) else { return nil }
        return roomMessages[rid]?.first { $0.id == id }
    }

    private func getMessage(_ c: Ctx, _ id: String) -> Reply {
        guard let m = findMessage(c, id) else {
            return notFound("a message", c)
        }
        return Reply(status: 200, headers: [("Content-Type", jsonType)], body: m.json)
    }

    private func deleteMessage(_ c: Ctx, _ id: String) -> Reply {
        guard let m = findMessage(c, id) else {
            return notFound("a message", c)
        }
        if m.personId != c.caller.id && membership(roomId: m.roomId, personId: c.caller.id)?.isModerator != true {
            return errorReply(403, "You can only delete your own messages.", c.trackingId)
        }
        roomMessages[m.roomId]?.removeAll { $0.id == id }
        messageRoom[id] = nil
        deleteActivity(m, by: c.caller)
        return noContent()
    }

    private func createMessage(_ c: Ctx) -> Reply {
        let ctype = c.headers["content-type"] ?? ""
        var fields: [String: Any] = [:]
        var files: [String] = []
        if ctype.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = Multipart.parameter("boundary", in: ctype), !boundary.isEmpty,
                  let parts = Multipart.parse(body: c.body, boundary: boundary) else {
                return errorReply(400, "Malformed multipart body.", c.trackingId)
            }
            var plain: [String: String] = [:]
            var fileParts: [MultipartPart] = []
            for part in parts {
                if part.filename != nil || part.name == "files" {
                    fileParts.append(part)
                } else if let name = part.name {
                    plain[name] = String(decoding: part.data, as: UTF8.self)
                }
            }
            let fp = fileParts.first
            guard fileParts.count <= 1 else {
                uploadLog.append(MockUpload(fields: plain, fileName: fp?.filename, contentType: fp?.contentType,
                                            fileData: fp?.data, contentURL: nil))
                return errorReply(400, "Only one file per message is allowed.", c.trackingId)
            }
            var url: String?
            if let f = fp {
                let id = nextId("CONTENT")
                contents[id] = ContentRec(id: id, filename: f.filename, contentType: f.contentType ?? "application/octet-stream",
                                          data: f.data)
                url = "http://127.0.0.1:\(boundPort)/v1/contents/\(id)"
                files = [url!]
            }
            uploadLog.append(MockUpload(fields: plain, fileName: fp?.filename, contentType: fp?.contentType,
                                        fileData: fp?.data, contentURL: url))
            for (k, v) in plain { fields[k] = v }
        } else {
            guard let body = jsonBody(c) else { return unparsable(c) }
            fields = body
            if let f = fields["files"] {
                if let s = f as? String {
                    files = [s]
                } else if let a = f as? [Any] {
                    files = a.compactMap { $0 as? String }
                } else {
                    return errorReply(400, "files must be a list of URLs.", c.trackingId)
                }
                guard files.count <= 1 else {
                    return errorReply(400, "Only one file per message is allowed.", c.trackingId)
                }
            }
        }
        var attachments: String?
        if let value = fields["attachments"] {
            let (rendered, refusal) = checkedAttachments(value, files: files, c)
            if let refusal = refusal { return refusal }
            attachments = rendered
        }
        let text = str(fields, "text")
        let markdown = str(fields, "markdown")
        var html = str(fields, "html")
        for (k, v) in [("text", text), ("markdown", markdown)] {
            if let v = v, v.utf8.count > 7439 {
                return errorReply(400, "\(k) must not exceed 7439 bytes.", c.trackingId)
            }
        }
        guard text != nil || markdown != nil || html != nil || !files.isEmpty || attachments != nil else {
            return errorReply(400, "text, markdown, html or files is required.", c.trackingId)
        }
        let room: RoomRec
        if let rid = str(fields, "roomId") {
            guard let r = visibleRoom(c, rid) else {
                return notFound("a room", c)
            }
            room = r
        } else if let email = str(fields, "toPersonEmail") {
            guard email.contains("@") else { return errorReply(400, "toPersonEmail is not an e-mail address.", c.trackingId) }
            let other = personFor(email: email, create: true)!
            guard other.id != c.caller.id else { return errorReply(400, "Cannot message yourself.", c.trackingId) }
            room = directRoom(between: c.caller, other, create: true)!
        } else if let pid = str(fields, "toPersonId") {
            guard let other = people[pid] else {
                return notFound("a person", c)
            }
            room = directRoom(between: c.caller, other, create: true)!
        } else {
            return errorReply(400, "roomId, toPersonEmail or toPersonId is required.", c.trackingId)
        }
        let parentId = str(fields, "parentId")
        if let pid = parentId, roomOfMessage(pid) != room.id {
            return errorReply(400, "parentId must be a message of the same room.", c.trackingId)
        }
        if let pid = parentId, roomMessages[room.id]?.first(where: { $0.id == pid })?.parentId != nil {
            return errorReply(400, "Cannot reply to a reply: parentId must be the first message of a thread.",
                              c.trackingId)
        }
        var mentioned: [String] = []
        var plainText = text
        if let md = markdown {
            let rendered = renderMarkdown(md)
            mentioned = rendered.mentioned
            if plainText == nil { plainText = rendered.plain }
            if html == nil { html = rendered.html }
        }
        let ms = tick()
        let id = nextId("MESSAGE")
        seq += 1
        let json = renderMessage(id: id, roomId: room.id, roomType: room.type, text: plainText, markdown: markdown,
                                 html: html, files: files, personId: c.caller.id, personEmail: c.caller.email,
                                 mentioned: mentioned, parentId: parentId, created: MockTime.format(ms),
                                 attachments: attachments)
        storeMessage(MessageRec(id: id, roomId: room.id, personId: c.caller.id, createdMs: ms, seq: seq,
                                mentioned: mentioned, json: json, parentId: parentId,
                                hasAttachment: !files.isEmpty || attachments != nil, hasCard: attachments != nil))
        return Reply(status: 200, headers: [("Content-Type", jsonType)], body: json)
    }

    /// Markdown as Webex renders it: mentions (<@personEmail:E|Label>, <@personId:ID|Label>) become
    /// the label in the plain text and <spark-mention> in the html, and their people `mentioned`.
    private func renderMarkdown(_ md: String) -> (plain: String, html: String, mentioned: [String]) {
        var mentioned: [String] = []
        var rendered = ""
        var htmlOut = ""
        var rest = Substring(md)
        while let open = rest.range(of: "<@") {
            let before = rest[..<open.lowerBound]
            rendered += before
            htmlOut += htmlEscape(String(before))
            guard let close = rest[open.upperBound...].firstIndex(of: ">") else {
                rest = rest[open.lowerBound...]
                break
            }
            let inner = rest[open.upperBound..<close]
            let pieces = inner.split(separator: "|", maxSplits: 1)
            let ref = pieces.first.map(String.init) ?? ""
            var target: PersonRec?
            if ref.hasPrefix("personEmail:") { target = personFor(email: String(ref.dropFirst(12)), create: false) }
            if ref.hasPrefix("personId:") { target = people[String(ref.dropFirst(9))] }
            if let t = target {
                let label = pieces.count > 1 ? String(pieces[1]) : t.displayName
                if !mentioned.contains(t.id) { mentioned.append(t.id) }
                rendered += label
                htmlOut += "<spark-mention data-object-type=\"person\" data-object-id=\"\(t.id)\">\(htmlEscape(label))</spark-mention>"
            } else {
                let raw = String(rest[open.lowerBound...close])
                rendered += raw
                htmlOut += htmlEscape(raw)
            }
            rest = rest[rest.index(after: close)...]
        }
        rendered += rest
        htmlOut += htmlEscape(String(rest))
        return (rendered, "<p>\(htmlOut)</p>", mentioned)
    }

    /// `attachments` of a new message as Webex checks them: a list of at most one card, whose
    /// contentType is the Adaptive Card one and whose content is an object; not with a file.
    /// Returns the list rendered as JSON, or the refusal.
    private func checkedAttachments(_ value: Any, files: [String], _ c: Ctx) -> (String?, Reply?) {
        guard let list = value as? [Any] else {
            return (nil, errorReply(400, "attachments must be a list.", c.trackingId))
        }
        guard list.count <= 1 else {
            return (nil, errorReply(400, "Only one attachment per message is allowed.", c.trackingId))
        }
        guard files.isEmpty else {
            return (nil, errorReply(400, "A message cannot have both files and attachments.", c.trackingId))
        }
        for item in list {
            guard let card = item as? [String: Any],
                  card["contentType"] as? String == "application/vnd.microsoft.card.adaptive" else {
                return (nil, errorReply(400, "Unsupported attachment contentType: use application/vnd.microsoft.card.adaptive.",
                                        c.trackingId))
            }
            guard card["content"] is [String: Any] else {
                return (nil, errorReply(400, "Attachment content must be an Adaptive Card object.", c.trackingId))
            }
        }
        guard !list.isEmpty, let data = try? JSONSerialization.data(withJSONObject: list, options: [.sortedKeys]) else {
            return (nil, errorReply(400, "attachments must not be empty.", c.trackingId))
        }
        return (String(decoding: data, as: UTF8.self), nil)
    }

    /// PUT /messages/{id}: only the author, with the message's roomId and text or markdown; not a
    /// message with a file or card; at most 10 edits.
    private func editMessage(_ c: Ctx, _ id: String) -> Reply {
        guard var m = findMessage(c, id) else {
            return notFound("a message", c)
        }
        guard let b = jsonBody(c) else { return unparsable(c) }
        guard let roomId = str(b, "roomId") else { return errorReply(400, "roomId is required.", c.trackingId) }
        guard roomId == m.roomId else {
            return errorReply(400, "roomId does not match the room of the message.", c.trackingId)
        }
        let text = str(b, "text"), markdown = str(b, "markdown")
        guard text != nil || markdown != nil else { return errorReply(400, "text or markdown is required.", c.trackingId) }
        for (k, v) in [("text", text), ("markdown", markdown)] {
            if let v = v, v.utf8.count > 7439 { return errorReply(400, "\(k) must not exceed 7439 bytes.", c.trackingId) }
        }
        guard m.personId == c.caller.id else {
            return errorReply(403, "You can only edit your own messages.", c.trackingId)
        }
        guard !m.hasAttachment else {
            return errorReply(400, "Editing a message with files or attachments is not supported.", c.trackingId)
        }
        guard m.edits < 10 else { return errorReply(400, "The edit limit of this message has been reached.", c.trackingId) }
        guard let old = (try? JSONSerialization.jsonObject(with: Data(m.json))) as? [String: Any] else {
            return errorReply(500, "Stored message is corrupt.", c.trackingId)
        }
        let rendered = markdown.map(renderMarkdown)
        m.mentioned = rendered?.mentioned ?? []
        m.edits += 1
        m.json = renderMessage(id: m.id, roomId: m.roomId, roomType: old["roomType"] as? String ?? "group",
                               text: text ?? rendered?.plain, markdown: markdown, html: rendered?.html, files: [],
                               personId: m.personId, personEmail: old["personEmail"] as? String ?? "",
                               mentioned: m.mentioned, parentId: m.parentId,
                               created: old["created"] as? String ?? "", updated: MockTime.format(tick()))
        if let index = roomMessages[m.roomId]?.firstIndex(where: { $0.id == id }) { roomMessages[m.roomId]![index] = m }
        editActivity(m)
        return Reply(status: 200, headers: [("Content-Type", jsonType)], body: m.json)
    }

    // MARK: Attachment actions

    /// POST /attachment/actions: the caller submits a card of a message they can see.
    private func createAttachmentAction(_ c: Ctx) -> Reply {
        guard let b = jsonBody(c) else { return unparsable(c) }
        guard str(b, "type") == "submit" else { return errorReply(400, "type must be submit.", c.trackingId) }
        guard let messageId = str(b, "messageId"), let m = findMessage(c, messageId) else {
            return notFound("a message", c)
        }
        guard m.hasCard else {
            return errorReply(400, "The message has no card to submit.", c.trackingId)
        }
        guard let inputs = b["inputs"] as? [String: Any],
              let data = try? JSONSerialization.data(withJSONObject: inputs, options: [.sortedKeys]) else {
            return errorReply(400, "inputs must be an object.", c.trackingId)
        }
        let action = AttachmentActionRec(id: nextId("ATTACHMENT_ACTION"), messageId: m.id,
                                         roomId: m.roomId, personId: c.caller.id,
                                         inputs: String(decoding: data, as: UTF8.self), created: MockTime.format(tick()))
        attachmentActions[action.id] = action
        cardActivity(action, by: c.caller)
        return Reply(status: 202, headers: [("Content-Type", jsonType)], body: action.json())
    }

    /// GET /attachment/actions/{id}: for members of the card's room.
    private func getAttachmentAction(_ c: Ctx, _ id: String) -> Reply {
        guard let action = attachmentActions[id], isMember(c.caller.id, action.roomId) else {
            return notFound("an attachment action", c)
        }
        return Reply(status: 200, headers: [("Content-Type", jsonType)], body: action.json())
    }

    private func htmlEscape(_ s: String) -> String {
        var o = ""
        for ch in s {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(ch)
            }
        }
        return o
    }

    // MARK: Webhooks

    private func listWebhooks(_ c: Ctx) -> Reply {
        let list = webhooksById.values.filter { $0.ownerId == c.caller.id }
        return pagedList(c, list.map { JSONOut.bytes($0.json()) })
    }

    private func ownWebhook(_ c: Ctx, _ id: String) -> WebhookRec? {
        guard let w = webhooksById[id], w.ownerId == c.caller.id else { return nil }
        return w
    }

    private func getWebhook(_ c: Ctx, _ id: String) -> Reply {
        found(ownWebhook(c, id)?.json(), else: "a webhook", c)
    }

    private func createWebhook(_ c: Ctx) -> Reply {
        guard let b = jsonBody(c) else { return unparsable(c) }
        guard let name = str(b, "name"), let target = str(b, "targetUrl"), let resource = str(b, "resource"),
              let event = str(b, "event") else {
            return errorReply(400, "name, targetUrl, resource and event are required.", c.trackingId)
        }
        let resources = ["attachmentActions", "memberships", "messages", "rooms", "meetings", "recordings",
                         "convergedRecordings", "meetingParticipants", "meetingTranscripts", "telephony_calls",
                         "telephony_conference", "telephony_mwi", "uc_counters", "serviceApp", "adminBatchJobs", "dataSources"]
        let events = ["all", "created", "updated", "deleted", "started", "ended", "joined", "left", "migrated",
                      "authorized", "deauthorized", "statusChanged"]
        guard resources.contains(resource) else { return errorReply(400, "Unknown resource \(resource).", c.trackingId) }
        guard events.contains(event) else { return errorReply(400, "Unknown event \(event).", c.trackingId) }
        guard target.hasPrefix("http://") || target.hasPrefix("https://") else {
            return errorReply(400, "targetUrl must be an http(s) URL.", c.trackingId)
        }
        let w = WebhookRec(id: nextId("WEBHOOK"), created: MockTime.format(tick()), ownerId: c.caller.id, orgId: orgId,
                           appId: appId, name: name, targetUrl: target, resource: resource, event: event,
                           filter: str(b, "filter"), secret: str(b, "secret"))
        return saved(w, in: &webhooksById)
    }

    private func updateWebhook(_ c: Ctx, _ id: String) -> Reply {
        guard var w = ownWebhook(c, id) else { return notFound("a webhook", c) }
        guard let b = jsonBody(c) else { return unparsable(c) }
        guard let name = str(b, "name"), let target = str(b, "targetUrl") else {
            return errorReply(400, "name and targetUrl are required.", c.trackingId)
        }
        w.name = name
        w.targetUrl = target
        if let s = str(b, "secret") { w.secret = s }
        if let st = str(b, "status") {
            // The OpenAPI lists only "active" (re-activates a disabled hook); Webex's docs add "inactive".
            guard st == "active" || st == "inactive" else {
                return errorReply(400, "status must be active or inactive.", c.trackingId)
            }
            w.status = st
        }
        // The OpenAPI's update body has no filter: Webex keeps the one the webhook was created with.
        return saved(w, in: &webhooksById)
    }

    private func deleteWebhook(_ c: Ctx, _ id: String) -> Reply {
        delete(id, from: &webhooksById, found: ownWebhook(c, id) != nil, else: "a webhook", c)
    }

    // MARK: Contents

    private func getContent(_ c: Ctx, _ id: String) -> Reply {
        guard var content = contents[id] else {
            return notFound("content", c)
        }
        if content.unsafe {
            return errorReply(410, "The file was found to be unsafe and is no longer available.", c.trackingId)
        }
        if content.scanningRetries > 0 {
            content.scanningRetries -= 1
            contents[id] = content
            var r = errorReply(423, "The file is being scanned for malware; retry later.", c.trackingId)
            r.headers.append(("Retry-After", "0"))
            return r
        }
        var headers: [(String, String)] = [("Content-Type", content.contentType)]
        if let d = content.disposition {
            headers.append(("Content-Disposition", d))
        } else if let name = content.filename {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            headers.append(("Content-Disposition", "attachment; filename=\"\(escaped)\""))
        } else {
            headers.append(("Content-Disposition", "attachment"))
        }
        if c.method == "HEAD" {
            return Reply(status: 200, headers: headers, body: [], headLength: content.data.count)
        }
        return Reply(status: 200, headers: headers, body: [UInt8](content.data))
    }
}
