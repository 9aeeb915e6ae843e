import Foundation
import MockWebex
import XCTest

/// Issue 25 item 2, for teams and webhooks: a create whose answer was cut off after the API
/// carried it out is looked up, not sent again, and reported as what is true.
final class AmbiguousCreateTeamsWebhooksTests: MockTestCase {
    let hookURL = "https://bot.example.com/hook"

    func testATeamCreateCutOffIsLookedUpAndDone() throws {
        mock.inject(.truncateBody, method: "POST", pathPrefix: "/teams", times: 1)
        let r = try run(["teams", "create", "Cut off team", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let teams = mock.teams().filter { $0["name"] as? String == "Cut off team" }
        XCTAssertEqual(teams.count, 1, "created twice or not at all")
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/teams").count, 1)
        XCTAssertTrue(r.stdout.contains(teams[0]["id"] as! String), r.stdout)
    }

    func testATeamCreateThatFailedWith500AndMadeNothingSaysSo() throws {
        mock.inject(.status(500), method: "POST", pathPrefix: "/teams", times: 1)
        let r = try run(["teams", "create", "Never made"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("a look-up found no such team: it was not made"), r.stderr)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/teams").count, 1)
    }

    func testAWebhookCreateCutOffIsLookedUpAndDone() throws {
        // One like it but older and elsewhere: not the one the look-up may report.
        let other = mock.addWebhook(token: "bot-token", name: "ops", targetUrl: "https://elsewhere.example.com/x",
                                    resource: "rooms", event: "all")
        mock.inject(.truncateBody, method: "POST", pathPrefix: "/webhooks", times: 1)
        let r = try run(["webhooks", "create", "ops", hookURL, "--resource", "rooms", "--event", "all", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let made = mock.webhooks(token: "bot-token").filter { $0["targetUrl"] as? String == hookURL }
        XCTAssertEqual(made.count, 1, "created twice or not at all")
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/webhooks").count, 1)
        XCTAssertTrue(r.stdout.contains(made[0]["id"] as! String), r.stdout)
        XCTAssertFalse(r.stdout.contains(other), r.stdout)
    }

    func testAWebhookCreateThatFailedWith500AndMadeNothingSaysSo() throws {
        mock.inject(.status(500), method: "POST", pathPrefix: "/webhooks", times: 1)
        let r = try run(["webhooks", "create", "ops", hookURL, "--resource", "rooms", "--event", "all"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("a look-up found no such webhook: it was not made"), r.stderr)
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
