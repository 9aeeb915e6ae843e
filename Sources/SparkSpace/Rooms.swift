import Foundation

/// Webex ids are base64 of `ciscospark://<region>/<KIND>/<uuid>`.
public func isWebexId(_ text: String) -> Bool {
    guard text.count >= 20, !text.contains(" ") else { return false }
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64) else { return false }
    return String(decoding: data, as: UTF8.self).hasPrefix("ciscospark://")
}

extension SparkSpace {
    /// The largest page the API allows: fewer round trips.
    public static let maxPage = 1000

    /// A room by id, or by exact group-room title (seed `get_by_id` / `get_by_title`).
    /// A title matching several rooms is a conflict naming their ids; none is not found.
    public func room(_ reference: String, as role: TokenRole = .bot) throws -> JSON {
        if isWebexId(reference) {
            do {
                return try client(role).get("rooms/\(reference)")
            } catch SparkError.api(let f) where f.status == 404 {
                throw SparkError.notFound("no room with id \(reference)")
            }
        }
        let matches = try groupRooms(titled: reference, as: role)
        switch matches.count {
        case 0: throw SparkError.notFound("no group room titled '\(reference)'")
        case 1: return matches[0]
        default:
            let ids = matches.compactMap { $0["id"]?.string }.joined(separator: ", ")
            throw SparkError.conflict("\(matches.count) group rooms are titled '\(reference)': \(ids)")
        }
    }

    /// Every group room with exactly this title.
    public func groupRooms(titled title: String, as role: TokenRole = .bot) throws -> [JSON] {
        var rooms = try client(role).list("rooms", query: [("type", "group"), ("max", String(Self.maxPage))])
        var matches: [JSON] = []
        while let room = try rooms.next() {
            if room["title"]?.string == title { matches.append(room) }
        }
        return matches
    }

    /// The id of a room given by id or title (`nil` reference: `space.room`).
    public func roomId(_ reference: String?, as role: TokenRole = .bot) throws -> String {
        let reference = reference ?? settings.room
        if isWebexId(reference) { return reference }
        guard let id = try room(reference, as: role)["id"]?.string else {
            throw SparkError.io("the API returned a room without an id")
        }
        return id
    }
}
