#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// After a create whose outcome is unknown (the POST was sent, then a 5xx or a lost connection),
/// the object is looked up and what is true is reported: the object found (done), or the error
/// saying that the look-up did not find it (failed). Never a second POST (SPEC "Network behaviour").
extension SparkError {
    /// True when a POST may have been carried out although no answer said so.
    public var isAmbiguousCreate: Bool {
        switch self {
        case .transport(let method, _, _): return method == "POST"
        case .api(let failure): return failure.method == "POST" && failure.status >= 500
        default: return false
        }
    }

    /// The same error, with what the look-up found appended to its reason.
    func lookedUp(_ finding: String) -> SparkError {
        switch self {
        case .transport(let method, let path, let reason):
            return .transport(method: method, path: path, reason: reason + "; " + finding)
        case .api(var failure):
            failure.message += "; " + finding
            return .api(failure)
        default:
            return self
        }
    }
}

extension Space {
    /// Runs `create`; when it fails ambiguously, `lookUp` says whether the object exists after all
    /// (its value is returned, as if the create had answered) or not (the error, saying so).
    func createOrLookUp<T>(_ what: String, _ create: () throws -> T, lookUp: () throws -> T?) throws -> T {
        do {
            return try create()
        } catch let failure as SparkError where failure.isAmbiguousCreate {
            let found: T?
            do {
                found = try lookUp()
            } catch {
                throw failure.lookedUp("whether the \(what) was made is unknown (the look-up failed: \(error))")
            }
            guard let found else { throw failure.lookedUp("a look-up found no such \(what): it was not made") }
            return found
        }
    }

    /// `POST path` with `body`, answered by a `T`; after an ambiguous failure `lookUp` says whether it was
    /// made (`createOrLookUp`; `what` names it in the error, by default `T.kind`).
    func create<T: APIObject>(_ what: String? = nil, at path: String, _ body: [String: JSON], as role: TokenRole,
                              lookUp: () throws -> T?) throws -> T {
        try createOrLookUp(what ?? T.kind, { try T(json: client(role).post(path, .object(body))) }, lookUp: lookUp)
    }

    /// The body of a membership create: the room or team (`owner`), the person, and `isModerator` when set.
    private func membershipBody(_ owner: (key: String, id: String), _ email: String, _ moderator: Bool) -> [String: JSON] {
        var body: [String: JSON] = [owner.key: .string(owner.id), "personEmail": .string(email)]
        if moderator { body["isModerator"] = true }
        return body
    }

    /// Adds one person to a room (`POST /memberships`), looking the membership up after an ambiguous failure.
    func createMembership(roomId: String, email: String, moderator: Bool, as role: TokenRole) throws -> Membership {
        try create(at: "memberships", membershipBody(("roomId", roomId), email, moderator), as: role) {
            let found = try client(role).get("memberships", query: [("roomId", roomId), ("personEmail", email)])
            return try (found["items"]?.array ?? []).map(Membership.init(json:))
                .first { $0.roomId == roomId && $0.personEmail?.lowercased() == email.lowercased() }
        }
    }

    /// Adds one person to a team (`POST /team/memberships`), looking the membership up after an ambiguous failure.
    func createTeamMembership(teamId: String, email: String, moderator: Bool, as role: TokenRole) throws -> Membership {
        try create("team membership", at: "team/memberships", membershipBody(("teamId", teamId), email, moderator),
                   as: role) {
            try teamMemberships(teamId: teamId, as: role).first { $0.personEmail?.lowercased() == email.lowercased() }
        }
    }

    /// The room just created: among the 100 newest group rooms, the one with this title and team,
    /// made by the identity in use since `since` (a minute of clock skew allowed).
    func createdRoom(title: String, teamId: String?, since: Date, as role: TokenRole) throws -> Room? {
        let me = try self.me(role).id
        let newest = try client(role).get("rooms", query: [("type", "group"), ("sortBy", "created"), ("max", "100")])
        let earliest = since.timeIntervalSince1970 - 60
        return try (newest["items"]?.array ?? []).map(Room.init(json:)).first { room in
            guard room.title == title, room.teamId == teamId, room.json["creatorId"]?.string == me else { return false }
            guard let created = room.json["created"]?.string.flatMap(RFC3339.millis) else { return true }
            return Double(created) / 1000 >= earliest
        }
    }

    /// The team just created: one of the identity's teams with this name, made by it since `since`
    /// (a minute of clock skew allowed); the newest when several.
    func createdTeam(name: String, since: Date, as role: TokenRole) throws -> Team? {
        let me = try self.me(role).id
        let earliest = Self.millis(since) - 60_000
        return try teams(as: role).filter { team in
            team.name == name && team.json["creatorId"]?.string == me && Self.createdMillis(team.json) >= earliest
        }.max { Self.createdMillis($0.json) < Self.createdMillis($1.json) }
    }

    /// The webhook just created: one of the token's webhooks with the spec's name, target, resource,
    /// event and filter, created since `since` (a minute of clock skew allowed), not one of `excluding`;
    /// the newest when several.
    func createdWebhook(_ spec: WebhookSpec, since: Date, excluding: Set<String>, as role: TokenRole) throws -> Webhook? {
        let earliest = Self.millis(since) - 60_000
        return try webhooks(as: role).filter { hook in
            !excluding.contains(hook.id) && hook.name == spec.name && hook.targetUrl == spec.targetUrl
                && hook.resource == spec.resource && hook.event == spec.event && hook.filter == spec.filter
                && Self.createdMillis(hook.json) >= earliest
        }.max { Self.createdMillis($0.json) < Self.createdMillis($1.json) }
    }

    private static func millis(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }

    /// `created` in milliseconds; an object without a readable one counts as new (the other fields matched).
    private static func createdMillis(_ json: JSON) -> Int64 {
        json["created"]?.string.flatMap(RFC3339.millis) ?? Int64.max
    }

    /// The message just posted, when the latest messages of its room (or of the direct conversation
    /// with its person) show it: sent by the identity in use, with the same text (or markdown),
    /// created since `since` (a minute of clock skew allowed). Throws when it cannot look, so that
    /// the post is said to be unknown, never "not made".
    func postedMessage(_ message: OutgoingMessage, since: Date, as role: TokenRole) throws -> Message? {
        let me = try self.me(role).id
        let recent: JSON
        switch message.target {
        case .room(let roomId):
            let query = [("roomId", roomId), ("max", "50")]
            do {
                recent = try client(role).get("messages", query: query)
            } catch SparkError.api(let failure) where failure.status == 403 && role == .bot && hasAuditToken {
                // A bot may list only the messages that mention it in a group room, and its own
                // post does not: the audit token (a person in the room) reads them all.
                recent = try client(.audit).get("messages", query: query)
            }
        case .person(let email):
            recent = try client(role).get("messages/direct", query: [("personEmail", email)])
        }
        let earliest = since.addingTimeInterval(-60)
        return try (recent["items"]?.array ?? []).map(Message.init(json:)).first { posted in
            guard posted.personId == me, posted.parentId == message.parentId else { return false }
            if let created = posted.createdMillis, Double(created) / 1000 < earliest.timeIntervalSince1970 {
                return false
            }
            if let markdown = message.sentMarkdown, !markdown.isEmpty { return posted.json["markdown"]?.string == markdown }
            return posted.text == message.text
        }
    }
}
