import Foundation
import MockWebex
import XCTest

/// Issue 25 item 2, for teams and webhooks: a create whose answer was cut off after the API
/// carried it out is looked up, not sent again, and reported as what is true.
final class AmbiguousCreateTeamsWebhooksTests: MockTestCase {
    let hookURL = "https://bot.example.com/hook"

    func testATeamCreateCutOffIsLookedUpAndDone() throws {
        try runCutOffCreate(["teams", "create", "Cut off team", "-o", "json"], path: "/teams") {
            mock.teams().filter { $0["name"] as? String == "Cut off team" }
        }
    }

    func testATeamCreateThatFailedWith500AndMadeNothingSaysSo() throws {
        try runFailedCreate(["teams", "create", "Never made"], path: "/teams", noun: "team")
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/teams").count, 1)
    }

    func testAWebhookCreateCutOffIsLookedUpAndDone() throws {
        // One like it but older and elsewhere: not the one the look-up may report.
        let other = mock.addWebhook(token: "bot-token", name: "ops", targetUrl: "https://elsewhere.example.com/x",
                                    resource: "rooms", event: "all")
        let r = try runCutOffCreate(["webhooks", "create", "ops", hookURL, "--resource", "rooms", "--event", "all",
                                     "-o", "json"], path: "/webhooks") {
            mock.webhooks(token: "bot-token").filter { $0["targetUrl"] as? String == hookURL }
        }
        XCTAssertFalse(r.stdout.contains(other), r.stdout)
    }

    func testAWebhookCreateThatFailedWith500AndMadeNothingSaysSo() throws {
        try runFailedCreate(["webhooks", "create", "ops", hookURL, "--resource", "rooms", "--event", "all"],
                            path: "/webhooks", noun: "webhook")
        XCTAssertEqual(mock.webhooks(token: "bot-token").count, 0)
    }

    /// The old set has the same names and URL: the look-up takes the new webhook, never an old one,
    /// and the old set is then replaced as usual.
    func testRegisterWithACreateCutOffLooksItUpAndReplacesTheOldSet() throws {
        let old = [mock.addWebhook(token: "bot-token", name: "shellbot-memberships", targetUrl: hookURL,
                                   resource: "memberships", event: "all"),
                   mock.addWebhook(token: "bot-token", name: "shellbot-messages", targetUrl: hookURL)]
        mock.inject(.truncateBody, method: "POST", pathPrefix: "/webhooks", times: 1)
        let r = try run(["webhooks", "register", hookURL, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let hooks = mock.webhooks(token: "bot-token")
        XCTAssertEqual(hooks.compactMap { $0["name"] as? String }.sorted(), ["shellbot-memberships", "shellbot-messages"])
        XCTAssertTrue(hooks.allSatisfy { !old.contains($0["id"] as! String) }, "an old webhook was kept")
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/webhooks").count, 2)
        let printed = try r.json() as! [[String: Any]]
        XCTAssertEqual(Set(printed.compactMap { $0["id"] as? String }), Set(hooks.compactMap { $0["id"] as? String }))
    }

    /// A create that made nothing: the new half-set is undone, the old set stays, and the error says so.
    func testRegisterWithACreateThatMadeNothingKeepsTheOldSet() throws {
        let old = mock.addWebhook(token: "bot-token", name: "shellbot-messages", targetUrl: hookURL)
        mock.inject(.status(500), method: "POST", pathPrefix: "/webhooks", times: 1, after: 1)
        let r = try run(["webhooks", "register", hookURL])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("a look-up found no such webhook: it was not made"), r.stderr)
        XCTAssertEqual(mock.webhooks(token: "bot-token").compactMap { $0["id"] as? String }, [old])
    }
}
