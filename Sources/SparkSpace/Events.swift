/// Normalized events (seed `on_message`, `on_join`, `on_leave`): the API
/// object's own fields plus neutral keys a listener can rely on.
public enum Events {
    /// The `hook` of messages printed by `walk-messages`.
    public static let walkHook = "shellbot-messages"
    /// The `hook` of messages printed by `pull`.
    public static let pullHook = "pull"

    /// A message event. `attachment` is the first file's name, when it was resolved.
    public static func message(_ item: JSON, hook: String, attachment: String? = nil) -> JSON {
        item.merging(messageFields(item, hook: hook, attachment: attachment))
    }

    /// The members a message event adds to the API object (see `message`), for
    /// writers that merge them while writing instead of building the event.
    public static func messageFields(_ item: JSON, hook: String, attachment: String? = nil) -> [(String, JSON)] {
        var fields: [(String, JSON)] = [
            ("type", "message"),
            ("content", item["html"] ?? item["text"] ?? .string("")),
            ("from_id", item["personId"] ?? .null),
            ("from_label", item["personEmail"] ?? .null),
            ("is_direct", .bool(item["roomType"]?.string == "direct")),
            ("mentioned_ids", item["mentionedPeople"] ?? .array([])),
            ("channel_id", item["roomId"] ?? .null),
            ("stamp", item["created"] ?? .null),
            ("hook", .string(hook)),
        ]
        if let url = item["files"]?.array?.first {
            fields.append(("url", url))
            if let attachment { fields.append(("attachment", .string(attachment))) }
        }
        return fields
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
