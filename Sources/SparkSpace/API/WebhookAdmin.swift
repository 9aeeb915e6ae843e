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

/// The values Webex accepts for a webhook's `resource` and `event`: the OpenAPI's enums
/// (`POST /webhooks`), plus `all` for both (the firehose webhook; NOTICE.md: `event` accepts `all`).
public enum WebhookVocabulary {
    /// Every `resource` Webex accepts.
    public static let resources = [
        "all", "attachmentActions", "dataSources", "memberships", "messages", "rooms", "meetings", "recordings",
        "convergedRecordings", "meetingParticipants", "meetingTranscripts", "telephony_calls", "telephony_conference",
        "telephony_mwi", "uc_counters", "serviceApp", "adminBatchJobs",
    ]
    /// Every `event` Webex accepts.
    public static let events = [
        "all", "created", "updated", "deleted", "started", "ended", "joined", "left", "migrated", "authorized",
        "deauthorized", "statusChanged",
    ]
    /// `PUT /webhooks/{id}` `status`: `active` re-activates a hook Webex disabled.
    public static let statuses = ["active", "inactive"]
}

/// What one id of `webhooks delete` came to.
public struct WebhookDeletion {
    /// The webhook's id.
    public var id: String
    /// The webhook as it was (nil when it could not be read).
    public var webhook: Webhook?
    /// Why it could not be deleted; nil when it was.
    public var error: Error?
}

/// A new webhook (`webhooks create`).
public struct WebhookSpec: Sendable {
    /// The webhook's name.
    public var name: String
    /// The URL deliveries are posted to.
    public var targetUrl: String
    /// What it watches (`WebhookVocabulary.resources`).
    public var resource: String
    /// Which events (`WebhookVocabulary.events`).
    public var event: String
    /// Only deliveries that match this filter.
    public var filter: String?
    /// The secret deliveries are signed with.
    public var secret: String?

}

extension WebhookSpec {
    /// A webhook to create, with no filter and no secret (set them after). An init here, not in the
    /// type, keeps the memberwise one for the library.
    public init(name: String, targetUrl: String, resource: String, event: String) {
        self.name = name
        self.targetUrl = targetUrl
        self.resource = resource
        self.event = event
    }
}

/// What `webhooks update` changes; nil keeps the current value.
public struct WebhookChanges: Sendable {
    /// The new name.
    public var name: String?
    /// The new target URL.
    public var targetUrl: String?
    /// The new secret.
    public var secret: String?
    /// `active` or `inactive`.
    public var status: String?

    /// No change yet: set the ones to make.
    public init() {}

    /// True when nothing would change.
    public var isEmpty: Bool { name == nil && targetUrl == nil && secret == nil && status == nil }
}

extension Space {
    /// Creates one webhook with the token of `role`; after an ambiguous failure it is looked up
    /// (never one of `existing`, the ids known before the create).
    public func createWebhook(_ spec: WebhookSpec, as role: TokenRole = .bot, existing: Set<String> = []) throws -> Webhook {
        var body: [String: JSON] = ["name": .string(spec.name), "targetUrl": .string(spec.targetUrl),
                                    "resource": .string(spec.resource), "event": .string(spec.event)]
        if let filter = spec.filter { body["filter"] = .string(filter) }
        if let secret = spec.secret, !secret.isEmpty { body["secret"] = .string(secret) }
        let started = Date()
        return try create(at: "webhooks", body, as: role) {
            try createdWebhook(spec, since: started, excluding: existing, as: role)
        }
    }

    /// One webhook by id; a 404 is not found.
    public func webhook(id: String, as role: TokenRole = .bot) throws -> Webhook {
        try Webhook(json: fetch(.webhook, id: id, as: role))
    }

    /// Changes a webhook (`PUT /webhooks/{id}`): Webex needs `name` and `targetUrl` in every PUT, so
    /// the current ones are read and sent when they do not change.
    public func updateWebhook(id: String, _ changes: WebhookChanges, as role: TokenRole = .bot) throws -> Webhook {
        let current = try webhook(id: id, as: role)
        var body: [String: JSON] = [
            "name": .string(changes.name ?? current.name),
            "targetUrl": .string(changes.targetUrl ?? current.targetUrl),
        ]
        if let secret = changes.secret { body["secret"] = .string(secret) }
        if let status = changes.status { body["status"] = .string(status) }
        return try existing(.webhook, id: id) {
            try Webhook(json: client(role).put(WebexClient.path(.webhook, id, check: .asTyped), .object(body)))
        }
    }

    /// Deletes webhooks by id, one result per id in order; one failing does not stop the others.
    public func deleteWebhooks(ids: [String], as role: TokenRole = .bot,
                               onResult: ((WebhookDeletion) -> Void)? = nil) -> [WebhookDeletion] {
        concurrentMap(ids, workers: Self.bulkWorkers, onResult: onResult.map { f in { f($1) } }) { id in
            var webhook: Webhook?
            do {
                webhook = try self.webhook(id: id, as: role)
                try self.client(role).delete(WebexClient.path(.webhook, id, check: .asTyped))
                return WebhookDeletion(id: id, webhook: webhook)
            } catch SparkError.api(let f) where f.status == 404 {
                return WebhookDeletion(id: id, webhook: webhook, error: SparkError.notFound(kind: .id(.webhook), name: id, suggestions: []))
            } catch {
                return WebhookDeletion(id: id, webhook: webhook, error: error)
            }
        }
    }
}
