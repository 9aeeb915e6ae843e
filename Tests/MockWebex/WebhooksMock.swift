import Foundation

extension MockWebexServer {
    /// A webhook owned by the person of `token`, as if created with `POST /webhooks`; returns its id.
    @discardableResult
    public func addWebhook(token: String, name: String, targetUrl: String = "https://elsewhere.example.com/hook",
                           resource: String = "messages", event: String = "created", secret: String? = nil) -> String {
        lock.lock(); defer { lock.unlock() }
        let owner = tokens[token] ?? bot.id
        let w = WebhookRec(id: nextId("WEBHOOK"), created: MockTime.format(tick()), ownerId: owner, orgId: orgId,
                           appId: appId, name: name, targetUrl: targetUrl, resource: resource, event: event,
                           filter: nil, secret: secret)
        webhooksById[w.id] = w
        return w.id
    }
}
