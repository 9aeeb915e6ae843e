#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Webex ids are base64 of `ciscospark://<region>/<KIND>/<uuid>`.
public func isWebexId(_ text: String) -> Bool {
    guard text.count >= 20, !text.contains(" ") else { return false }
    return WebexClient.decodedId(text)?.hasPrefix("ciscospark://") ?? false
}

extension Space {
    /// The largest page the API allows: fewer round trips.
    public static let maxPage = 1000

    /// A room by id, or by exact group-room title (seed `get_by_id` / `get_by_title`).
    /// A title matching several rooms is `ambiguous` (with their ids); none is `notFound`.
    public func room(_ reference: String, as role: TokenRole = .bot) throws -> Room {
        if isWebexId(reference) { return try Room(json: fetch(.room, id: reference, as: role)) }
        var titles: [String] = []
        let matches = try groupRooms(titled: reference, as: role) { titles.append($0) }
        guard let room = try Self.single(matches, .roomTitled, reference) else {
            throw SparkError.notFound(kind: .roomTitled, name: reference,
                                      suggestions: closestTitles(to: reference, among: titles))
        }
        return room
    }

    /// `body`, where the API's 404 means no `kind` with this `id` (the one place that says so).
    func existing<T>(_ kind: Resource, id: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch SparkError.api(let f) where f.status == 404 {
            throw SparkError.notFound(kind: .id(kind), name: id, suggestions: [])
        }
    }

    /// `GET collection/id` of an id the user gave, where a 404 means no such `kind`.
    func fetch(_ kind: Resource, id: String, as role: TokenRole) throws -> JSON {
        return try existing(kind, id: id) { try client(role).get(WebexClient.path(kind.idKind, id, check: .asTyped)) }
    }

    /// The only item of `matches`, nil when there is none; several are a conflict naming their ids.
    static func single<Object: APIObject>(_ matches: [Object], _ kind: Lookup, _ name: String) throws -> Object? {
        guard matches.count <= 1 else {
            throw SparkError.ambiguous(kind: kind, name: name, ids: matches.map(\.id))
        }
        return matches.first
    }

    /// Every group room with exactly this title; `seen` is told every title of the listing
    /// (for suggestions when none matches).
    public func groupRooms(titled title: String, as role: TokenRole = .bot,
                           seen: ((String) -> Void)? = nil) throws -> [Room] {
        var rooms = try client(role).list("rooms", query: [("type", "group"), ("max", String(Self.maxPage))])
        var matches: [Room] = []
        while let item = try rooms.next() {
            let room = try Room(json: item)
            if room.title == title { matches.append(room) }
            seen?(room.title)
        }
        return matches
    }

    /// `reference`, else `space.room`; an error naming the ways to give a room when neither is set.
    public func roomReference(_ reference: String?) throws -> String {
        guard let reference = reference ?? settings.room else {
            throw SparkError.noRoom
        }
        return reference
    }

    /// The id of a room given by id or title (`nil` reference: `space.room`).
    public func roomId(_ reference: String?, as role: TokenRole = .bot) throws -> String {
        let reference = try roomReference(reference)
        if isWebexId(reference) { return reference }
        return try room(reference, as: role).id
    }
}

/// Which rooms `rooms(type:)` lists.
public enum RoomType: String, CaseIterable, Sendable {
    case group, direct, all
}

extension Space {
    /// The page size for a list capped at `limit` items (nil: all): `max` is a page size, not a total.
    public static func pageSize(for limit: Int?) -> Int {
        guard let limit, limit > 0 else { return maxPage }
        return min(limit, maxPage)
    }

    /// Rooms sorted by last activity, newest first (seed `list_group_channels`).
    /// - Parameters:
    ///   - type: group (default), direct, or all.
    ///   - teamId: only rooms of this team.
    ///   - limit: at most this many rooms (nil: all); stops fetching pages once reached.
    public func rooms(type: RoomType = .group, teamId: String? = nil, limit: Int? = 10,
                      as role: TokenRole = .bot) throws -> [Room] {
        var query: [(String, String)] = []
        if type != .all { query.append(("type", type.rawValue)) }
        if let teamId { query.append(("teamId", teamId)) }
        query.append(("sortBy", "lastactivity"))
        query.append(("max", String(Self.pageSize(for: limit))))
        var pages = try client(role).list("rooms", query: query)
        return try Room.list(pages.collect(limit: limit))
    }

    /// The direct (1:1) room with the person of this e-mail (seed `get_by_person`); `notFound` when none.
    ///
    /// Webex has no room filter by person: the room of the latest 1:1 message is tried first
    /// (`GET /messages/direct`); a 1:1 room without messages is found among the direct rooms titled
    /// like the person's display name, checked by membership.
    public func directRoom(with email: String, as role: TokenRole = .bot) throws -> Room {
        let api = try client(role)
        let messages = try api.get("messages/direct", query: [("personEmail", email)])
        if let roomId = try messages["items"]?.array?.first.map(Message.init(json:))?.roomId {
            return try room(roomId, as: role)
        }
        let people = try api.get("people", query: [("email", email)])
        if let name = try people["items"]?.array?.first.map(Person.init(json:))?.displayName {
            var rooms = api.list("rooms", query: [("type", "direct"), ("max", String(Self.maxPage))])
            while let item = try rooms.next() {
                let room = try Room(json: item)
                guard room.title == name else { continue }
                let members = try api.get("memberships", query: [("roomId", room.id), ("personEmail", email)])
                if !(members["items"]?.array ?? []).isEmpty { return room }
            }
        }
        throw SparkError.notFound(kind: .directRoomWith, name: email, suggestions: [])
    }

    /// Creates a group room, in a team when `teamId` is given (seed `create`).
    public func createRoom(title: String, teamId: String? = nil, as role: TokenRole = .bot) throws -> Room {
        var body: [String: JSON] = ["title": .string(title)]
        if let teamId { body["teamId"] = .string(teamId) }
        let started = Date()
        return try create(at: "rooms", body, as: role) {
            try createdRoom(title: title, teamId: teamId, since: started, as: role)
        }
    }

    /// Renames a room (seed `update`).
    public func renameRoom(id: String, to title: String, as role: TokenRole = .bot) throws -> Room {
        return try existing(.room, id: id) {
            try Room(json: client(role).put(WebexClient.path(.room, id, check: .asTyped), ["title": .string(title)]))
        }
    }

    /// Deletes a room (seed `delete`).
    public func deleteRoom(id: String, as role: TokenRole = .bot) throws {
        try existing(.room, id: id) { try client(role).delete(WebexClient.path(.room, id, check: .asTyped)) }
    }
}
