#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A webhook and the token that owns it.
public struct OwnedWebhook {
    /// Whose token sees (and owns) the webhook.
    public var owner: TokenRole
    /// The webhook.
    public var webhook: Webhook

    /// A webhook and the token it was listed with.
    public init(owner: TokenRole, webhook: Webhook) {
        self.owner = owner
        self.webhook = webhook
    }

    /// The webhook as printed: `owner` added, the `secret` redacted (a secret never appears in output).
    public var printable: JSON {
        var item = webhook.json
        item["owner"] = .string(owner.rawValue)
        if let secret = webhook.secret { item["secret"] = .string(redact(secret)) }
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
    /// `P-cards`: attachmentActions/created (card submissions) with the bot token.
    public static func cards(_ prefix: String) -> String { "\(prefix)-cards" }

    /// The names of the set `prefix`: exactly `P-memberships`, `P-messages`, `P-audit` and `P-cards`.
    public static func set(_ prefix: String) -> Set<String> {
        [memberships(prefix), messages(prefix), audit(prefix), cards(prefix)]
    }

    /// True when a webhook is one of `register`'s for this prefix: named exactly as one of the
    /// set (never by prefix: `shellbot-dev-messages` and `shellbot2-messages` belong to others).
    public static func isOwn(_ hook: Webhook, prefix: String) -> Bool {
        set(prefix).contains(hook.name)
    }

    /// True when a delivery came through an audit webhook (its name ends in `-audit`).
    public static func isAudit(_ name: String?) -> Bool { name?.hasSuffix("-audit") ?? false }
}

extension Space {
    /// The webhooks of one token, in the API's order.
    public func webhooks(as role: TokenRole) throws -> [Webhook] {
        var pages = try client(role).list("webhooks", query: [("max", String(Self.maxPage))])
        return try Webhook.list(pages.collect())
    }

    /// The webhooks of the bot token and, when one is set, of the audit token.
    public func allWebhooks() throws -> [OwnedWebhook] {
        var result = try webhooks(as: .bot).map { OwnedWebhook(owner: .bot, webhook: $0) }
        if hasAuditToken {
            result += try webhooks(as: .audit).map { OwnedWebhook(owner: .audit, webhook: $0) }
        }
        return result
    }

    /// The webhooks of `roles` that `belongs` picks, each with its owner.
    private func webhooks(of roles: [TokenRole], where belongs: (Webhook) -> Bool) throws -> [OwnedWebhook] {
        var found: [OwnedWebhook] = []
        for role in roles {
            found += try webhooks(as: role).filter(belongs).map { OwnedWebhook(owner: role, webhook: $0) }
        }
        return found
    }

    /// The bot token and, when one is set, the audit token.
    private var webhookRoles: [TokenRole] { hasAuditToken ? [.bot, .audit] : [.bot] }

    /// Deletes webhooks one by one, telling `deleted` after each. One already gone
    /// (404) counts as deleted: running twice is safe. Under `--dry-run` the client's gate
    /// reports each DELETE instead of sending it.
    private func deleteWebhooks(_ hooks: [OwnedWebhook], deleted: (OwnedWebhook) -> Void) throws {
        for hook in hooks {
            do {
                try client(hook.owner).delete(WebexClient.path(.webhook, hook.webhook.id))
            } catch SparkError.api(let failure) where failure.status == 404 {
                // Deleted meanwhile: the goal is reached.
            }
            deleted(hook)
        }
    }

    /// Deletes exactly `hooks` (by id; one already gone counts as deleted): what `listen --register`
    /// made, on its way out.
    public func removeWebhooks(_ hooks: [OwnedWebhook], deleted: (OwnedWebhook) -> Void = { _ in }) throws {
        try deleteWebhooks(hooks, deleted: deleted)
    }

    /// `deregister`: deletes the webhooks of the set `prefix` of the bot and the audit token;
    /// with `all`, every webhook of both. A webhook named otherwise (another integration's)
    /// is never touched without `all`. `confirm` sees the list before any delete (throw to stop);
    /// `deleted` hears of each deletion as it happens.
    /// - Returns: the webhooks deleted (under `--dry-run`: that would be deleted).
    @discardableResult
    public func deregisterWebhooks(prefix: String = WebhookNames.defaultPrefix, all: Bool = false,
                                   confirm: ([OwnedWebhook]) throws -> Void = { _ in },
                                   deleted: (OwnedWebhook) -> Void = { _ in }) throws -> [OwnedWebhook]
    {
        let doomed = try webhooks(of: webhookRoles) { all || WebhookNames.isOwn($0, prefix: prefix) }
        if !doomed.isEmpty { try confirm(doomed) }
        try deleteWebhooks(doomed, deleted: deleted)
        return doomed
    }

    /// Seed `register`: creates `P-memberships` (memberships/all) and `P-messages`
    /// (messages/created) with the bot token, `P-audit` (messages/created) with the audit
    /// token when one is set, and `P-cards` (attachmentActions/created) with `cards`;
    /// `secret`, when given, is set on every webhook. The new set is created first, then
    /// the older `P-…` webhooks of the same tokens are deleted (one delivery per event).
    /// When a create fails, what was created is deleted again and the old set stays: a bot
    /// is never left without webhooks. Webhooks not named `P-…` are never touched.
    /// - Returns: the webhooks created (under `--dry-run`: the client's stand-in answers).
    @discardableResult
    public func registerWebhooks(url: String, secret: String?, prefix: String = WebhookNames.defaultPrefix,
                                 cards: Bool = false,
                                 deleted: (OwnedWebhook) -> Void = { _ in }) throws -> [OwnedWebhook]
    {
        let old = try webhooks(of: webhookRoles) { WebhookNames.isOwn($0, prefix: prefix) }
        var wanted: [(TokenRole, String, String, String)] = [
            (.bot, WebhookNames.memberships(prefix), "memberships", "all"),
            (.bot, WebhookNames.messages(prefix), "messages", "created"),
        ]
        if hasAuditToken { wanted.append((.audit, WebhookNames.audit(prefix), "messages", "created")) }
        if cards { wanted.append((.bot, WebhookNames.cards(prefix), "attachmentActions", "created")) }
        var created: [OwnedWebhook] = []
        // The old set has the same names: a look-up after an ambiguous create must not take one of them.
        let oldIds = Set(old.map(\.webhook.id))
        for (role, name, resource, event) in wanted {
            let spec = WebhookSpec(name: name, targetUrl: url, resource: resource, event: event, secret: secret)
            do {
                created.append(OwnedWebhook(owner: role, webhook: try createWebhook(spec, as: role, existing: oldIds)))
            } catch {
                // Keep the old set: undo the half-made new one (best effort; the create's error is the one to report).
                try? deleteWebhooks(created) { _ in }
                throw error
            }
        }
        try deleteWebhooks(old, deleted: deleted)
        return created
    }
}
