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
    /// The object exactly as the API sent it.
    var json: JSON { get }
    var id: String { get }
    /// Throws `SparkError.io` when a field the tool relies on is missing.
    init(json: JSON) throws
}

extension APIObject {
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
public struct Room: APIObject {
    public static let kind = "room"
    public let json: JSON
    public let id: String
    public let title: String
    /// Group or direct (or a kind this version does not know); nil when the API left it out.
    public let type: RoomKind?
    public let teamId: String?
    public let description: String?
    public let isLocked: Bool
    public let isAnnouncementOnly: Bool

    public init(json: JSON) throws {
        self.json = json
        id = try json.required("id", of: Self.kind)
        title = try json.required("title", of: Self.kind)
        type = json["type"]?.string.map(RoomKind.init)
        teamId = json["teamId"]?.string
        description = json["description"]?.string
        // Absent means off: a new room starts unlocked and open to all.
        isLocked = json["isLocked"]?.bool ?? false
        isAnnouncementOnly = json["isAnnouncementOnly"]?.bool ?? false
    }
}

/// A team (`/teams`).
public struct Team: APIObject {
    public static let kind = "team"
    public let json: JSON
    public let id: String
    public let name: String
    public let description: String?

    public init(json: JSON) throws {
        self.json = json
        id = try json.required("id", of: Self.kind)
        name = try json.required("name", of: Self.kind)
        description = json["description"]?.string
    }
}

/// A membership of a room (`/memberships`, `roomId` set) or of a team (`/team/memberships`, `teamId` set).
public struct Membership: APIObject {
    public static let kind = "membership"
    public let json: JSON
    public let id: String
    public let roomId: String?
    public let teamId: String?
    public let personId: String?
    /// Optional: a dry-run's stand-in for an update echoes only the fields sent.
    public let personEmail: String?
    public let isModerator: Bool
    public let isRoomHidden: Bool

    public init(json: JSON) throws {
        self.json = json
        id = try json.required("id", of: Self.kind)
        roomId = json["roomId"]?.string
        teamId = json["teamId"]?.string
        personId = json["personId"]?.string
        personEmail = json["personEmail"]?.string
        isModerator = json["isModerator"]?.bool ?? false
        isRoomHidden = json["isRoomHidden"]?.bool ?? false
    }
}

/// A person (`/people`).
public struct Person: APIObject {
    public static let kind = "person"
    public let json: JSON
    public let id: String
    public let emails: [String]
    public let displayName: String?
    /// `person` or `bot`.
    public let type: String?

    public init(json: JSON) throws {
        self.json = json
        id = try json.required("id", of: Self.kind)
        emails = json["emails"]?.strings ?? []
        displayName = json["displayName"]?.string
        type = json["type"]?.string
    }
}

/// A webhook (`/webhooks`).
public struct Webhook: APIObject {
    public static let kind = "webhook"
    public let json: JSON
    public let id: String
    public let name: String
    public let targetUrl: String
    public let resource: String?
    public let event: String?
    public let filter: String?
    public let secret: String?
    public let status: String?

    public init(json: JSON) throws {
        self.json = json
        id = try json.required("id", of: Self.kind)
        // Every PUT must carry both, so an update needs the current ones.
        name = try json.required("name", of: Self.kind)
        targetUrl = try json.required("targetUrl", of: Self.kind)
        resource = json["resource"]?.string
        event = json["event"]?.string
        filter = json["filter"]?.string
        secret = json["secret"]?.string
        status = json["status"]?.string
    }
}

/// A message (`/messages`), outside the walk (which streams raw bytes, see `RawItems`).
public struct Message: APIObject {
    public static let kind = "message"
    public let json: JSON
    public let id: String
    /// Optional: a dry-run's stand-in for a post to a person has none.
    public let roomId: String?
    public let parentId: String?
    public let personId: String?
    public let personEmail: String?
    public let text: String?
    /// RFC 3339, as the API wrote it (`pull` keeps it as its cursor).
    public let created: String?

    public init(json: JSON) throws {
        self.json = json
        id = try json.required("id", of: Self.kind)
        roomId = json["roomId"]?.string
        parentId = json["parentId"]?.string
        personId = json["personId"]?.string
        personEmail = json["personEmail"]?.string
        text = json["text"]?.string
        created = json["created"]?.string
    }
}

/// A card submission (`/attachment/actions/{id}`): what a person entered in an Adaptive Card.
public struct AttachmentAction: APIObject {
    public static let kind = "card action"
    public let json: JSON
    public let id: String
    /// The message that carried the card (optional: a `card` event gives a missing field its default).
    public let messageId: String?
    public let personId: String?
    public let roomId: String?
    /// The card's input values; empty when the API sent none (or null).
    public let inputs: JSON

    public init(json: JSON) throws {
        self.json = json
        id = try json.required("id", of: Self.kind)
        messageId = json["messageId"]?.string
        personId = json["personId"]?.string
        roomId = json["roomId"]?.string
        inputs = json.given("inputs") ?? .object([:])
    }
}
