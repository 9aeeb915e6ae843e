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

/// What `rooms update` changes; nil leaves a setting as it is.
public struct RoomChanges: Sendable {
    /// The new title.
    public var title: String?
    /// The new description.
    public var description: String?
    /// Lock (true) or unlock (false) the room; nil leaves it.
    public var isLocked: Bool?
    /// Only moderators may post (true) or everyone (false); nil leaves it.
    public var isAnnouncementOnly: Bool?
    /// The team to move a room without a team into.
    public var teamId: String?

    /// No change yet: set the ones to make.
    public init() {}

    /// True when nothing would change.
    public var isEmpty: Bool {
        title == nil && description == nil && isLocked == nil && isAnnouncementOnly == nil && teamId == nil
    }
}

extension Space {
    /// Changes a room's settings (`PUT /rooms/{id}`). Webex needs the title in every PUT, so the
    /// room's current one is sent when it does not change. Webex moves only a room without a team
    /// into one: a room already in another team is `alreadyInTeam`, refused before any write, as
    /// announcement mode for a room that is not (or would not be) locked (`invalidInput`).
    public func updateRoom(_ room: Room, _ changes: RoomChanges, as role: TokenRole = .bot) throws -> Room {
        let id = room.id
        if let teamId = changes.teamId, let current = room.teamId, current != teamId {
            throw SparkError.alreadyInTeam(room: room.title, team: current)
        }
        // The OpenAPI: "A space can only be put into announcement mode when it is locked."
        if changes.isAnnouncementOnly == true, !(changes.isLocked ?? room.isLocked) {
            throw SparkError.invalidInput("room '\(room.title)' is not locked: Webex puts only a locked room in "
                + "announcement mode; lock it in the same change")
        }
        var body: [String: JSON] = ["title": .string(changes.title ?? room.title)]
        if let description = changes.description { body["description"] = .string(description) }
        if let locked = changes.isLocked { body["isLocked"] = .bool(locked) }
        if let only = changes.isAnnouncementOnly { body["isAnnouncementOnly"] = .bool(only) }
        if let teamId = changes.teamId { body["teamId"] = .string(teamId) }
        return try existing(.room, id: id) {
            try Room(json: client(role).put(WebexClient.path(.room, id, check: .asTyped), .object(body)))
        }
    }
}
