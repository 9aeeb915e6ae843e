#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An object of the Webex API with the fields the tool uses, checked once when decoded, and the
/// answer as it came (`json`): `-o json` prints that, so output stays a byte-for-byte pass-through
/// and fields the tool never reads still reach the user.
public protocol APIObject: Sendable, Equatable {
    /// The noun in errors: "the API returned a room without an id".
    static var kind: String { get }
    /// The string members besides `id` the tool relies on (default none): `init(json:)` checks them.
    static var requiredFields: [String] { get }
    /// The object exactly as the API sent it.
    var json: JSON { get }
    /// Keeps `json` as it is: `init(json:)` calls it once the required fields are checked.
    init(checked json: JSON)
}

extension APIObject {
    /// None besides `id`, unless the model says.
    public static var requiredFields: [String] { [] }

    /// Decodes an object; throws `SparkError.io` when `id` or one of `requiredFields` is missing or empty.
    public init(json: JSON) throws {
        for key in ["id"] + Self.requiredFields { _ = try json.required(key, of: Self.kind) }
        self.init(checked: json)
    }

    /// The object's id.
    public var id: String { checked("id") }

    /// A string member `init(json:)` checked (so never empty).
    func checked(_ key: String) -> String { json[key]?.string ?? "" }

    /// Decodes every item of a listing; one without a required field fails the whole listing.
    public static func list(_ items: [JSON]) throws -> [Self] {
        try items.map(Self.init(json:))
    }
}

extension Array where Element: APIObject {
    /// The raw objects, for output.
    public var json: [JSON] { map(\.json) }
}

extension JSON {
    /// The string member `key` of an API object of `kind`; missing or empty is a malformed answer.
    func required(_ key: String, of kind: String) throws -> String {
        guard let value = self[key]?.string, !value.isEmpty else {
            let article = "aeiou".contains(key.first ?? "x") ? "an" : "a"
            throw SparkError.io("the API returned a \(kind) without \(article) \(key)")
        }
        return value
    }
}

/// An object that names a room (`roomId`): a room membership, a message, a card submission.
public protocol RoomLinked: APIObject {}

extension RoomLinked {
    /// The room it belongs to; nil when the API left it out (a team membership; a dry-run's
    /// stand-in for a post to a person).
    public var roomId: String? { json["roomId"]?.string }
}

/// An object that names a team (`teamId`): a room of a team, a team membership.
public protocol TeamLinked: APIObject {}

extension TeamLinked {
    /// The team it belongs to; nil for a room outside any team and for a room membership.
    public var teamId: String? { json["teamId"]?.string }
}

/// An object that names a person (`personId`): a membership (the member), a message (who sent
/// it), a card submission (who submitted it).
public protocol PersonLinked: APIObject {}

extension PersonLinked {
    /// The person's id.
    public var personId: String? { json["personId"]?.string }
}

/// What a room is. A kind this version does not know is kept as the API sent it (`other`), so a
/// new kind of room is neither an error nor mistaken for a group room.
public enum RoomKind: Equatable, Sendable, CustomStringConvertible {
    /// A room of several people, with a title.
    case group
    /// A 1:1 room between two people.
    case direct
    /// Any other `type` the API sends.
    case other(String)

    /// The kind named `type` in the API's JSON.
    public init(_ type: String) {
        switch type {
        case "group": self = .group
        case "direct": self = .direct
        default: self = .other(type)
        }
    }

    /// The API's name of the kind: `group`, `direct`, or what it sent.
    public var description: String {
        switch self {
        case .group: return "group"
        case .direct: return "direct"
        case .other(let name): return name
        }
    }
}

/// A room (`/rooms`).
public struct Room: TeamLinked {
    /// The noun of this object in errors.
    public static let kind = "room"
    /// Checked by `init(json:)` besides the id.
    public static let requiredFields = ["title"]
    /// The object exactly as the API sent it.
    public let json: JSON
    /// The title (the other person's name in a direct room).
    public var title: String { checked("title") }
    /// Group or direct (or a kind this version does not know); nil when the API left it out.
    public var type: RoomKind? { json["type"]?.string.map(RoomKind.init) }
    /// The room's description, if set.
    public var description: String? { json["description"]?.string }
    /// Whether the room is moderated (locked). Absent means off: a new room starts unlocked and open to all.
    public var isLocked: Bool { json["isLocked"]?.bool ?? false }
    /// Whether only moderators may post (absent: off).
    public var isAnnouncementOnly: Bool { json["isAnnouncementOnly"]?.bool ?? false }

    /// Keeps `json`; `init(json:)` checks it first.
    public init(checked json: JSON) { self.json = json }
}

/// A team (`/teams`).
public struct Team: APIObject {
    /// The noun of this object in errors.
    public static let kind = "team"
    /// Checked by `init(json:)` besides the id.
    public static let requiredFields = ["name"]
    /// The object exactly as the API sent it.
    public let json: JSON
    /// The team's name.
    public var name: String { checked("name") }
    /// The team's description, if set.
    public var description: String? { json["description"]?.string }

    /// Keeps `json`; `init(json:)` checks it first.
    public init(checked json: JSON) { self.json = json }
}

/// A membership of a room (`/memberships`, `roomId` set) or of a team (`/team/memberships`, `teamId` set).
public struct Membership: RoomLinked, TeamLinked, PersonLinked {
    /// The noun of this object in errors.
    public static let kind = "membership"
    /// The object exactly as the API sent it.
    public let json: JSON
    /// Whether the member is a moderator.
    public var isModerator: Bool { json["isModerator"]?.bool ?? false }
    /// Whether the member has hidden the room (sent back unchanged on updates).
    public var isRoomHidden: Bool { json["isRoomHidden"]?.bool ?? false }
    /// The member's e-mail address. Optional: a dry-run's stand-in for an update echoes only the fields sent.
    public var personEmail: String? { json["personEmail"]?.string }

    /// Keeps `json`; `init(json:)` checks it first.
    public init(checked json: JSON) { self.json = json }
}

/// A person (`/people`).
public struct Person: APIObject {
    /// The noun of this object in errors.
    public static let kind = "person"
    /// The object exactly as the API sent it.
    public let json: JSON
    /// The person's e-mail addresses (the first is theirs to sign in with).
    public var emails: [String] { json["emails"]?.strings ?? [] }
    /// The name shown for the person.
    public var displayName: String? { json["displayName"]?.string }
    /// `person` or `bot`.
    public var type: String? { json["type"]?.string }

    /// Keeps `json`; `init(json:)` checks it first.
    public init(checked json: JSON) { self.json = json }
}

/// A webhook (`/webhooks`).
public struct Webhook: APIObject {
    /// The noun of this object in errors.
    public static let kind = "webhook"
    /// Checked by `init(json:)` besides the id: every PUT must carry both, so an update needs the current ones.
    public static let requiredFields = ["name", "targetUrl"]
    /// The object exactly as the API sent it.
    public let json: JSON
    /// The webhook's name.
    public var name: String { checked("name") }
    /// The URL Webex posts deliveries to.
    public var targetUrl: String { checked("targetUrl") }
    /// What it watches (`messages`, `memberships`, `all`, ...).
    public var resource: String? { json["resource"]?.string }
    /// Which events of the resource (`created`, `deleted`, `all`, ...).
    public var event: String? { json["event"]?.string }
    /// Only deliveries that match this filter (`roomId=...`).
    public var filter: String? { json["filter"]?.string }
    /// The secret deliveries are signed with (the command line prints it redacted).
    public var secret: String? { json["secret"]?.string }
    /// `active` or `inactive`.
    public var status: String? { json["status"]?.string }

    /// Keeps `json`; `init(json:)` checks it first.
    public init(checked json: JSON) { self.json = json }
}

/// A message (`/messages`), outside the walk (which streams raw bytes, see `RawItems`).
public struct Message: RoomLinked, PersonLinked {
    /// The noun of this object in errors.
    public static let kind = "message"
    /// The object exactly as the API sent it.
    public let json: JSON
    /// The message this one replies to, if it is a reply.
    public var parentId: String? { json["parentId"]?.string }
    /// The sender's e-mail address.
    public var personEmail: String? { json["personEmail"]?.string }
    /// The plain text, if any.
    public var text: String? { json["text"]?.string }
    /// RFC 3339, as the API wrote it (`pull` keeps it as its cursor).
    public var created: String? { json["created"]?.string }
    /// `created` in milliseconds since 1970, to compare instants (`…00.000Z` and `…00Z` are the
    /// same time); nil when missing or malformed.
    public var createdMillis: Int64? { created.flatMap(RFC3339.millis) }

    /// Keeps `json`; `init(json:)` checks it first.
    public init(checked json: JSON) { self.json = json }
}

/// A card submission (`/attachment/actions/{id}`): what a person entered in an Adaptive Card.
public struct AttachmentAction: RoomLinked, PersonLinked {
    /// The noun of this object in errors.
    public static let kind = "card action"
    /// The object exactly as the API sent it.
    public let json: JSON
    /// The message that carried the card (optional: a `card` event gives a missing field its default).
    public var messageId: String? { json["messageId"]?.string }
    /// The card's input values; empty when the API sent none (or null).
    public var inputs: JSON { json.given("inputs") ?? .object([:]) }

    /// Keeps `json`; `init(json:)` checks it first.
    public init(checked json: JSON) { self.json = json }
}
