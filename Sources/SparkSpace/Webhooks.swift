#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A webhook and the token that owns it.
public struct OwnedWebhook {
    public var owner: TokenRole
    public var webhook: JSON

    public init(owner: TokenRole, webhook: JSON) {
        self.owner = owner
        self.webhook = webhook
    }

    /// The webhook as printed: `owner` added, the `secret` redacted (a secret never appears in output).
    public var printable: JSON {
        var item = webhook
        item["owner"] = .string(owner.rawValue)
        if let secret = webhook["secret"]?.string { item["secret"] = .string(redact(secret)) }
        return item
    }
}

/// Names and shapes of the webhooks a bot registers (seed `register`).
public enum WebhookNames {
    /// The default prefix: shellbot deployments interoperate.
    public static let defaultPrefix = "shellbot"

    /// `P-memberships`: memberships/all with the bot token.
    public static func memberships(_ prefix: String) -> String { "\(prefix)-memberships" }
    /// `P-messages`: messages/created with the bot token.
    public static func messages(_ prefix: String) -> String { "\(prefix)-messages" }
    /// `P-audit`: messages/created with the audit token.
    public static func audit(_ prefix: String) -> String { "\(prefix)-audit" }

    /// True when a delivery came through an audit webhook (its name ends in `-audit`).
    public static func isAudit(_ name: String?) -> Bool { name?.hasSuffix("-audit") ?? false }
}

extension SparkSpace {
    /// The webhooks of one token, in the API's order.
    public func webhooks(as role: TokenRole) throws -> [JSON] {
        var pages = try client(role).list("webhooks", query: [("max", String(Self.maxPage))])
        return try pages.collect()
    }

    /// The webhooks of the bot token and, when one is set, of the audit token.
    public func allWebhooks() throws -> [OwnedWebhook] {
        var result = try webhooks(as: .bot).map { OwnedWebhook(owner: .bot, webhook: $0) }
        if hasAuditToken {
            result += try webhooks(as: .audit).map { OwnedWebhook(owner: .audit, webhook: $0) }
        }
        return result
    }

    /// Seed `deregister`: deletes every webhook of the bot token (only the newest
    /// instance of a bot is notified) and, of the audit token (a person's, who may
    /// have other webhooks), only those named `prefix-...` unless `all`.
    /// A webhook already gone (404) counts as deleted, so running it twice is safe.
    /// - Returns: the webhooks deleted.
    @discardableResult
    public func deregisterWebhooks(prefix: String = WebhookNames.defaultPrefix, all: Bool = false) throws
        -> [OwnedWebhook]
    {
        var deleted: [OwnedWebhook] = []
        for role in hasAuditToken ? [TokenRole.bot, .audit] : [.bot] {
            for hook in try webhooks(as: role) {
                guard let id = hook["id"]?.string else { continue }
                if role == .audit && !all && !(hook["name"]?.string ?? "").hasPrefix(prefix + "-") { continue }
                do {
                    try client(role).delete("webhooks/\(id)")
                } catch SparkError.api(let failure) where failure.status == 404 {
                    // Deleted meanwhile: the goal is reached.
                }
                deleted.append(OwnedWebhook(owner: role, webhook: hook))
            }
        }
        return deleted
    }

    /// Seed `register`: deregisters first, then creates `P-memberships`
    /// (memberships/all) and `P-messages` (messages/created) with the bot token,
    /// and `P-audit` (messages/created) with the audit token when one is set.
    /// `secret`, when given, is set on every webhook.
    /// - Returns: the webhooks created.
    @discardableResult
    public func registerWebhooks(url: String, secret: String?, prefix: String = WebhookNames.defaultPrefix) throws
        -> [OwnedWebhook]
    {
        try deregisterWebhooks(prefix: prefix)
        var wanted: [(TokenRole, String, String, String)] = [
            (.bot, WebhookNames.memberships(prefix), "memberships", "all"),
            (.bot, WebhookNames.messages(prefix), "messages", "created"),
        ]
        if hasAuditToken { wanted.append((.audit, WebhookNames.audit(prefix), "messages", "created")) }
        var created: [OwnedWebhook] = []
        for (role, name, resource, event) in wanted {
            var body: JSON = ["name": .string(name), "targetUrl": .string(url),
                              "resource": .string(resource), "event": .string(event)]
            if let secret, !secret.isEmpty { body["secret"] = .string(secret) }
            created.append(OwnedWebhook(owner: role, webhook: try client(role).post("webhooks", body)))
        }
        return created
    }
}
