/// Normalized events (seed `on_message`, `on_join`, `on_leave`): the API
/// object's own fields plus neutral keys a listener can rely on.
public enum Events {
    /// The `hook` of messages printed by `walk-messages`.
    public static let walkHook = "shellbot-messages"
    /// The `hook` of messages printed by `pull`.
    public static let pullHook = "pull"

    /// A message event. `attachment` is the first file's name, when it was resolved.
    public static func message(_ item: JSON, hook: String, attachment: String? = nil) -> JSON {
        guard case .object(var event) = item else { return item }
        event.reserveCapacity(event.count + 11)  // one copy at the final size, not several resizes
        event["type"] = "message"
        event["content"] = item["html"] ?? item["text"] ?? .string("")
        event["from_id"] = item["personId"] ?? .null
        event["from_label"] = item["personEmail"] ?? .null
        event["is_direct"] = .bool(item["roomType"]?.string == "direct")
        event["mentioned_ids"] = item["mentionedPeople"] ?? .array([])
        event["channel_id"] = item["roomId"] ?? .null
        event["stamp"] = item["created"] ?? .null
        event["hook"] = .string(hook)
        if let url = item["files"]?.array?.first {
            event["url"] = url
            if let attachment { event["attachment"] = .string(attachment) }
        }
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
