#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a webhook delivery turned into.
public enum DeliveryOutcome: Equatable {
    /// A normalized event to print.
    case event(JSON)
    /// Acknowledged but nothing to print, with the reason (for `-v`).
    case ignored(String)
}

extension Space {
    /// Seed `webhook`: turns one delivery into a normalized event.
    ///
    /// - `messages/created`: dropped when sent by the bot (`data.personId == botId`),
    ///   except on the audit hook (a `name` ending in `-audit`); otherwise the message is
    ///   fetched with the token of the hook (audit hook → audit token) and normalized,
    ///   with `attachment` naming its first file.
    /// - `attachmentActions/created` → `card`, fetched from `/attachment/actions/{id}`.
    /// - `memberships/created` → `join`, `memberships/deleted` → `leave`.
    /// - Anything else is ignored.
    /// `hook` in the event is the delivery's webhook `name`.
    public func event(forDelivery delivery: JSON, botId: String) throws -> DeliveryOutcome {
        let resource = delivery["resource"]?.string ?? "?"
        let event = delivery["event"]?.string ?? "?"
        let name = delivery["name"]?.string
        let hook = name ?? "webhook"
        guard let data = delivery["data"], data.object != nil else {
            return .ignored("\(resource)/\(event) without data")
        }
        switch (resource, event) {
        case ("messages", "created"):
            let audit = WebhookNames.isAudit(name)
            if !audit && data["personId"]?.string == botId {
                return .ignored("messages/created from the bot itself")
            }
            guard let id = data["id"]?.string, !id.isEmpty else { return .ignored("messages/created without data.id") }
            // Unsigned deliveries come from anyone: an id is fetched only when it looks like one.
            guard WebexClient.isPlausibleId(id, of: .message) else { return .ignored("messages/created with a malformed data.id") }
            let role: TokenRole = audit ? .audit : .bot
            let message = try self.message(id: id, as: role)
            if !audit && message.personId == botId {
                return .ignored("messages/created from the bot itself")
            }
            return .event(Events.message(message.json, hook: hook, attachment: attachment(of: message.json, as: role)))
        case ("attachmentActions", "created"):
            guard let id = data["id"]?.string, !id.isEmpty else {
                return .ignored("attachmentActions/created without data.id")
            }
            // As for messages: an id from a delivery is fetched only when it looks like one.
            guard WebexClient.isPlausibleId(id, of: .attachmentAction) else {
                return .ignored("attachmentActions/created with a malformed data.id")
            }
            // The submitted values are not in the delivery: fetch them with the hook's token.
            let action = try attachmentAction(id: id, as: WebhookNames.isAudit(name) ? .audit : .bot)
            return .event(Events.card(action.json, hook: hook))
        case ("memberships", "created"):
            return .event(Events.membership(data, joined: true, hook: hook))
        case ("memberships", "deleted"):
            return .event(Events.membership(data, joined: false, hook: hook))
        default:
            return .ignored("\(resource)/\(event) is not handled")
        }
    }

    /// The file name of a message's first file (seed `name_attachment`), nil when it
    /// has none or the name cannot be read (the event is printed anyway).
    public func attachment(of message: JSON, as role: TokenRole) -> String? {
        guard let url = message["files"]?.array?.first?.string else { return nil }
        return try? attachmentName(url, as: role)
    }
}
