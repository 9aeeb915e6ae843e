#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// REST ids of the objects a websocket activity names (SPEC "Events without a public URL"):
/// unpadded base64 of `ciscospark://<cluster>/<KIND>/<uuid>`.
public enum RestIds {
    /// `ciscospark://us/MESSAGE/<uuid>` as a REST id.
    public static func make(_ kind: String, _ uuid: String, cluster: String) -> String {
        var text = Data("ciscospark://\(cluster)/\(kind)/\(uuid)".utf8).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// The cluster, kind and uuid inside a REST id, nil when it is not one.
    public static func parts(_ id: String) -> (cluster: String, kind: String, uuid: String)? {
        guard let text = WebexClient.decodedId(id), text.hasPrefix("ciscospark://") else { return nil }
        let pieces = text.dropFirst("ciscospark://".count).split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 3, !pieces[0].isEmpty, !pieces[2].isEmpty else { return nil }
        return (String(pieces[0]), String(pieces[1]), String(pieces[2]))
    }
}

/// Who the listener is and what it keeps, for turning activities into events.
public struct ActivityContext: Sendable {
    /// The REST id of the identity whose token reads the socket (its own messages are dropped).
    public var selfId: String
    /// The uuid inside `selfId`.
    public var selfUUID: String
    /// The cluster of REST ids (`us` for most organizations): taken from the rooms named,
    /// else from the identity's own id.
    public var cluster: String
    /// Keep messages this identity posted or edited itself; false (the default) drops them.
    public var includeSelf = false
    /// Only activities in these conversations (room uuids); empty: every room.
    public var roomUUIDs: Set<String> = []
    /// The cluster of each room named by id (SPEC: the cluster as in the room's REST id).
    public var roomClusters: [String: String] = [:]
    /// Whose token fetches the messages and card submissions an activity names.
    public var role: TokenRole = .bot

    /// The context of the identity `selfId` (a REST id): `selfUUID` and `cluster` come from it
    /// (the whole id and `us` when it is not a REST id); every room, own messages dropped, the bot token.
    public init(selfId: String) {
        self.selfId = selfId
        let parts = RestIds.parts(selfId)
        selfUUID = parts?.uuid ?? selfId
        cluster = parts?.cluster ?? "us"
    }

    func cluster(ofRoom uuid: String) -> String { roomClusters[uuid] ?? cluster }
}

/// The `hook` of events read from the websocket.
extension Events {
    /// The `hook` of events read from the websocket (where a webhook event has its webhook's name).
    public static let websocketHook = "websocket"
    /// Event types `listen --websocket --type` keeps.
    public static let websocketTypes = ["message", "edit", "delete", "card", "join", "leave", "moderator"]
}

extension Space {
    /// One websocket activity as a normalized event (SPEC "Events without a public URL"):
    /// messages and card submissions are fetched over REST by their derived ids (frame text is
    /// encrypted); memberships, moderator changes and deletions are built from the activity.
    /// A 404 on a fetch (a room this identity cannot read) is `.ignored`, never an error.
    public func event(forActivity activity: JSON, context: ActivityContext) throws -> DeliveryOutcome {
        let verb = activity["verb"]?.string ?? "?"
        let roomUUID = activity["target"]?["id"]?.string ?? ""
        if !context.roomUUIDs.isEmpty && !context.roomUUIDs.contains(roomUUID) {
            return .ignored("\(verb) in another room")
        }
        let cluster = context.cluster(ofRoom: roomUUID)
        let actorUUID = activity["actor"]?["entryUUID"]?.string ?? activity["actor"]?["id"]?.string
        let own = actorUUID != nil && actorUUID == context.selfUUID
        do {
            switch verb {
            case "post", "share":
                if own && !context.includeSelf { return .ignored("\(verb) by this identity itself") }
                let edit = activity["parent"]?["type"]?.string == "edit"
                let uuid = edit ? activity["parent"]?["id"]?.string : activity["id"]?.string
                guard let uuid, !uuid.isEmpty else { return .ignored("\(verb) without an id") }
                return try messageEvent(RestIds.make("MESSAGE", uuid, cluster: cluster), edit: edit, context: context)
            case "delete":
                guard let uuid = activity["object"]?["id"]?.string else { return .ignored("delete without object.id") }
                return .event(deleteEvent(activity, messageId: RestIds.make("MESSAGE", uuid, cluster: cluster),
                                          roomUUID: roomUUID, cluster: cluster))
            case "add", "leave":
                return .event(membershipEvent(activity, joined: verb == "add", roomUUID: roomUUID, cluster: cluster))
            case "assignModerator", "unassignModerator":
                return .event(moderatorEvent(activity, on: verb == "assignModerator", roomUUID: roomUUID,
                                             cluster: cluster))
            case "cardAction":
                guard let uuid = activity["id"]?.string else { return .ignored("cardAction without an id") }
                let action = try attachmentAction(id: RestIds.make("ATTACHMENT_ACTION", uuid, cluster: cluster),
                                                  as: context.role)
                return .event(Events.card(action.json, hook: Events.websocketHook))
            default:
                return .ignored("\(verb) is not an event")
            }
        } catch SparkError.api(let failure) where failure.status == 404 {
            return .ignored("\(verb): \(failure.path) answered 404 (a room this identity cannot read?)")
        }
    }

    private func messageEvent(_ id: String, edit: Bool, context: ActivityContext) throws -> DeliveryOutcome {
        let message = try self.message(id: id, as: context.role)
        if !context.includeSelf && message.personId == context.selfId {
            return .ignored("a message by this identity itself")
        }
        var event = Events.message(message.json, hook: Events.websocketHook,
                                   attachment: attachment(of: message.json, as: context.role))
        if edit { event["type"] = "edit" }
        return .event(event)
    }

    private func person(_ json: JSON?, cluster: String) -> (id: JSON, email: JSON, name: JSON) {
        let uuid = json?["entryUUID"]?.string ?? json?["id"]?.string
        return (uuid.map { .string(RestIds.make("PEOPLE", $0, cluster: cluster)) } ?? .null,
                json?["emailAddress"] ?? .null, json?["displayName"] ?? .null)
    }

    private func deleteEvent(_ activity: JSON, messageId: String, roomUUID: String, cluster: String) -> JSON {
        [
            "type": "delete", "message_id": .string(messageId),
            "channel_id": .string(RestIds.make("ROOM", roomUUID, cluster: cluster)),
            "actor_id": person(activity["actor"], cluster: cluster).id,
            "stamp": activity["published"] ?? .null, "hook": .string(Events.websocketHook),
        ]
    }

    /// A membership as the REST API shows one (the webhook's `data`), then `join`/`leave`.
    private func membershipEvent(_ activity: JSON, joined: Bool, roomUUID: String, cluster: String) -> JSON {
        // `add`: the object is the person added; `leave`: the object (or the actor) left.
        let member = activity["object"]?["objectType"]?.string == "person" ? activity["object"] : activity["actor"]
        let who = person(member, cluster: cluster)
        let memberUUID = member?["entryUUID"]?.string ?? member?["id"]?.string ?? ""
        let membership: JSON = [
            "id": .string(RestIds.make("MEMBERSHIP", "\(memberUUID):\(roomUUID)", cluster: cluster)),
            "roomId": .string(RestIds.make("ROOM", roomUUID, cluster: cluster)),
            "personId": who.id, "personEmail": who.email, "personDisplayName": who.name,
            "created": activity["published"] ?? .null,
        ]
        return Events.membership(membership, joined: joined, hook: Events.websocketHook)
    }

    private func moderatorEvent(_ activity: JSON, on: Bool, roomUUID: String, cluster: String) -> JSON {
        let member = activity["object"]?["objectType"]?.string == "person" ? activity["object"] : activity["actor"]
        let who = person(member, cluster: cluster)
        return [
            "type": "moderator", "actor_id": who.id, "actor_address": who.email,
            "channel_id": .string(RestIds.make("ROOM", roomUUID, cluster: cluster)),
            "is_moderator": .bool(on), "stamp": activity["published"] ?? .null,
            "hook": .string(Events.websocketHook),
        ]
    }
}
