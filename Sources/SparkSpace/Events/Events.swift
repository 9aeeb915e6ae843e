/// Normalized events (seed `on_message`, `on_join`, `on_leave`): the API
/// object's own fields plus neutral keys a listener can rely on.
public enum Events {
    /// The `hook` of messages printed by `walk-messages`.
    public static let walkHook = "shellbot-messages"
    /// The `hook` of messages printed by `pull`.
    public static let pullHook = "pull"

    /// The keys a message event adds to the API object; `parent_id`, `url` and `attachment`
    /// only some messages have.
    public static let messageKeys = ["type", "content", "from_id", "from_label", "is_direct", "mentioned_ids",
                                     "channel_id", "stamp", "hook", "parent_id", "url", "attachment"]

    /// Every key an event of any type can have: what each type adds, then the Webex fields of the
    /// objects events are made of (message, attachment action, membership). A listener's
    /// `--fields` is checked against these before the first event arrives.
    public static let keys: [String] = {
        let added = messageKeys + ["action_id", "message_id", "inputs", "actor_id", "actor_address", "actor_label",
                                   "is_moderator"]
        let api = ["id", "roomId", "roomType", "parentId", "personId", "personEmail", "personDisplayName",
                   "personOrgId", "text", "markdown", "html", "files", "attachments", "mentionedPeople",
                   "mentionedGroups", "toPersonId", "toPersonEmail", "messageId", "isModerator", "isMonitor",
                   "isRoomHidden", "isVoiceClip", "created", "updated"]
        return added + api
    }()

    /// A message event. `attachment` is the first file's name, when it was resolved.
    public static func message(_ item: JSON, hook: String, attachment: String? = nil) -> JSON {
        item.merging(messageFields(item, hook: hook, attachment: attachment))
    }

    /// The members a message event adds to the API object (see `message`), for
    /// writers that merge them while writing instead of building the event; `item`
    /// is a parsed object or a `RawItem` straight from the page.
    package static func messageFields<Item: MessageMembers>(
        _ item: Item, hook: String, attachment: String? = nil
    ) -> [(String, Item.Value)] {
        let direct = item.member("roomType").map { item.isString($0, equalTo: "direct") } ?? false
        var fields: [(String, Item.Value)] = [
            ("type", item.lift("message")),
            ("content", item.given("html") ?? item.given("text") ?? item.lift("")),
            ("from_id", item.member("personId") ?? item.lift(.null)),
            ("from_label", item.member("personEmail") ?? item.lift(.null)),
            ("is_direct", item.lift(.bool(direct))),
            ("mentioned_ids", item.given("mentionedPeople") ?? item.lift([])),
            ("channel_id", item.member("roomId") ?? item.lift(.null)),
            ("stamp", item.member("created") ?? item.lift(.null)),
            ("hook", item.lift(.string(hook))),
        ]
        if let parent = item.given("parentId") { fields.append(("parent_id", parent)) }
        if let files = item.member("files"), let url = item.first(of: files) {
            fields.append(("url", url))
            if let attachment { fields.append(("attachment", item.lift(.string(attachment)))) }
        }
        return fields
    }

    /// A `card` event (attachmentActions created): a card submission fetched from
    /// `/attachment/actions/{id}`.
    public static func card(_ action: JSON, hook: String? = nil) -> JSON {
        guard case .object(var event) = action else { return action }
        event["type"] = .string("card")
        event["action_id"] = action["id"] ?? .null
        event["message_id"] = action["messageId"] ?? .null
        event["inputs"] = action.given("inputs") ?? .object([:])  // null gets the default of missing
        event["actor_id"] = action["personId"] ?? .null
        event["channel_id"] = action["roomId"] ?? .null
        event["stamp"] = action["created"] ?? .null
        if let hook { event["hook"] = .string(hook) }
        return .object(event)
    }

    /// A `join` (memberships created) or `leave` (memberships deleted) event.
    public static func membership(_ item: JSON, joined: Bool, hook: String? = nil) -> JSON {
        guard case .object(var event) = item else { return item }
        event["type"] = .string(joined ? "join" : "leave")
        event["actor_id"] = item["personId"] ?? .null
        event["actor_address"] = item["personEmail"] ?? .null
        event["actor_label"] = item["personDisplayName"] ?? .null
        event["channel_id"] = item["roomId"] ?? .null
        event["stamp"] = item["created"] ?? .null
        if let hook { event["hook"] = .string(hook) }
        return .object(event)
    }
}

/// What `Events.messageFields` needs of a message, however its members are held.
package protocol MessageMembers {
    associatedtype Value
    /// The member `key`, or nil.
    func member(_ key: String) -> Value?
    /// The first element of `value` when it is a non-empty array.
    func first(of value: Value) -> Value?
    /// Whether `value` is the string `text`.
    func isString(_ value: Value, equalTo text: String) -> Bool
    /// A value made here.
    func lift(_ json: JSON) -> Value
    /// Whether `value` is JSON `null`.
    func isNull(_ value: Value) -> Bool
}

extension MessageMembers {
    /// The member `key` unless it is missing or `null` (SPEC: a `null` gets the default of a missing field).
    func given(_ key: String) -> Value? {
        guard let value = member(key), !isNull(value) else { return nil }
        return value
    }
}

extension JSON: MessageMembers {
    package func member(_ key: String) -> JSON? { self[key] }
    package func first(of value: JSON) -> JSON? { value.array?.first }
    package func isString(_ value: JSON, equalTo text: String) -> Bool { value.string == text }
    package func lift(_ json: JSON) -> JSON { json }
    package func isNull(_ value: JSON) -> Bool { value == .null }
}
