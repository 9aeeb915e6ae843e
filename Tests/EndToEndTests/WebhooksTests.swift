import Foundation
import MockWebex
import XCTest

/// Issue 5: `webhooks list|register|deregister` against the mock.
final class WebhooksTests: MockTestCase {
    let audit = ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"]

    /// name → (resource, event, targetUrl, secret) of the webhooks of `token`.
    func hooks(_ token: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for hook in mock.webhooks(token: token) {
            let name = hook["name"] as! String
            XCTAssertNil(result[name], "two webhooks named \(name)")
            result[name] = [hook["resource"] as! String, hook["event"] as! String, hook["targetUrl"] as! String,
                            hook["secret"] as? String ?? "-"]
        }
        return result
    }

    func testRegisterWithoutAuditTokenCreatesTheTwoBotHooksAndReplacesOldOnes() throws {
        mock.addWebhook(token: "bot-token", name: "shellbot-messages", targetUrl: "https://old.example.com/x")
        let r = try run(["webhooks", "register", "https://bot.example.com/hook", "--secret", "s3cret-value-9876",
                         "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let url = "https://bot.example.com/hook"
        XCTAssertEqual(hooks("bot-token"), [
            "shellbot-memberships": ["memberships", "all", url, "s3cret-value-9876"],
            "shellbot-messages": ["messages", "created", url, "s3cret-value-9876"],
        ])
        XCTAssertEqual(hooks("audit-token"), [:])
        let printed = try r.json() as! [[String: Any]]
        XCTAssertEqual(printed.map { $0["name"] as? String }, ["shellbot-memberships", "shellbot-messages"])
        XCTAssertEqual(Set(printed.map { $0["owner"] as? String }), ["bot"])
        XCTAssertFalse(r.stdout.contains("s3cret-value-9876") || r.stderr.contains("s3cret-value-9876"))
        XCTAssertTrue(r.stdout.contains("***9876"), r.stdout)
        // Only the bot token was used: no audit token is set.
        XCTAssertEqual(Set(mock.requests.compactMap(\.token)), ["bot-token"])
    }

    func testRegisterWithAuditTokenTwiceKeepsExactlyOneSetAndThePersonsOwnHooks() throws {
        let personal = mock.addWebhook(token: "audit-token", name: "alice-personal")
        for _ in 0..<2 {
            let r = try run(["webhooks", "register", "https://bot.example.com/hook", "-o", "tsv"], env: audit)
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertEqual(r.stdout.split(separator: "\n").count, 3, r.stdout)
            XCTAssertTrue(r.stdout.contains("audit\t") && r.stdout.contains("shellbot-audit"), r.stdout)
            XCTAssertTrue(r.stderr.contains("no secret"), r.stderr)
        }
        let url = "https://bot.example.com/hook"
        XCTAssertEqual(hooks("bot-token"), [
            "shellbot-memberships": ["memberships", "all", url, "-"],
            "shellbot-messages": ["messages", "created", url, "-"],
        ])
        XCTAssertEqual(hooks("audit-token"), [
            "alice-personal": ["messages", "created", "https://elsewhere.example.com/hook", "-"],
            "shellbot-audit": ["messages", "created", url, "-"],
        ])
        XCTAssertTrue(mock.webhooks(token: "audit-token").contains { $0["id"] as? String == personal })
        // The audit hook was created with the audit token, the others with the bot token.
        let posts = mock.requests(method: "POST", pathPrefix: "/webhooks")
        XCTAssertEqual(posts.count, 6)
        for post in posts {
            let name = (try JSONSerialization.jsonObject(with: post.body) as! [String: Any])["name"] as! String
            XCTAssertEqual(post.token, name == "shellbot-audit" ? "audit-token" : "bot-token", name)
        }
    }

    func testRegisterURLAndSecretFromSettingsAndPrefix() throws {
        let settings = try writeFile("settings.yaml", """
            server:
              url: https://bot.example.com/
              hook: /spark
              secret: $HOOK_SECRET
            """)
        let r = try run(["webhooks", "register", "--prefix", "mybot", "-c", settings],
                        env: audit.merging(["HOOK_SECRET": "from-the-env-1234"]) { $1 })
        XCTAssertEqual(r.code, 0, r.stderr)
        let url = "https://bot.example.com/spark"
        XCTAssertEqual(hooks("bot-token"), [
            "mybot-memberships": ["memberships", "all", url, "from-the-env-1234"],
            "mybot-messages": ["messages", "created", url, "from-the-env-1234"],
        ])
        XCTAssertEqual(hooks("audit-token"), ["mybot-audit": ["messages", "created", url, "from-the-env-1234"]])
        XCTAssertFalse(r.stdout.contains("from-the-env-1234"))

        // SPARK_WEBHOOK_SECRET is the fallback of server.secret; SERVER_URL of server.url.
        let r2 = try run(["webhooks", "register"],
                         env: ["SERVER_URL": "http://10.0.0.1:8080", "SPARK_WEBHOOK_SECRET": "env-secret"])
        XCTAssertEqual(r2.code, 0, r2.stderr)
        // The mybot- set is another prefix's: left alone.
        XCTAssertEqual(Set(mock.webhooks(token: "bot-token").map { "\($0["name"]!) \($0["targetUrl"]!) \($0["secret"]!)" }),
                       ["shellbot-memberships http://10.0.0.1:8080/hook env-secret",
                        "shellbot-messages http://10.0.0.1:8080/hook env-secret",
                        "mybot-memberships https://bot.example.com/spark from-the-env-1234",
                        "mybot-messages https://bot.example.com/spark from-the-env-1234"])
    }

    func testRegisterWithoutURLOrWithBadURLOrPrefixIsAUsageError() throws {
        for arguments in [["webhooks", "register"], ["webhooks", "register", "not-a-url"],
                          ["webhooks", "register", "https://x.example.com/h", "--prefix", "a b"]] {
            let r = try run(arguments)
            XCTAssertEqual(r.code, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("spark-space: error: "), r.stderr)
        }
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testDeregisterDeletesOnlyThePrefixedHooksOfBothTokensUnlessAll() throws {
        let bot = mock.addWebhook(token: "bot-token", name: "shellbot-messages")
        mock.addWebhook(token: "bot-token", name: "prod-integration")
        mock.addWebhook(token: "audit-token", name: "shellbot-audit")
        mock.addWebhook(token: "audit-token", name: "mybot-audit")
        mock.addWebhook(token: "audit-token", name: "alice-personal")

        var r = try run(["webhooks", "deregister", "-o", "json"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let deleted = try r.json() as! [[String: Any]]
        XCTAssertEqual(Set(deleted.map { "\($0["owner"]!) \($0["name"]!)" }),
                       ["bot shellbot-messages", "audit shellbot-audit"])
        // One stderr line per deletion, with name and id.
        XCTAssertTrue(r.stderr.contains("deleted webhook 'shellbot-messages' (\(bot)) of the bot token"), r.stderr)
        XCTAssertTrue(r.stderr.contains("deleted webhook 'shellbot-audit' ("), r.stderr)
        XCTAssertEqual(Set(hooks("bot-token").keys), ["prod-integration"])
        XCTAssertEqual(Set(hooks("audit-token").keys), ["mybot-audit", "alice-personal"])

        // Twice in a row is fine and deletes nothing more.
        r = try run(["webhooks", "deregister", "-o", "json"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [[String: Any]]).count, 0)
        XCTAssertEqual(Set(hooks("audit-token").keys), ["mybot-audit", "alice-personal"])

        r = try run(["webhooks", "deregister", "--prefix", "mybot"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(Set(hooks("audit-token").keys), ["alice-personal"])
        XCTAssertEqual(Set(hooks("bot-token").keys), ["prod-integration"])

        r = try run(["webhooks", "deregister", "--all", "--yes"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(hooks("audit-token"), [:])
        XCTAssertEqual(hooks("bot-token"), [:])
        XCTAssertTrue(r.stderr.contains("deleted webhook 'prod-integration'"), r.stderr)
    }

    func testDeregisterAllWithoutYesOffATerminalIsExit2AndDeletesNothing() throws {
        mock.addWebhook(token: "bot-token", name: "prod-integration")
        mock.addWebhook(token: "bot-token", name: "shellbot-messages")
        let r = try run(["webhooks", "deregister", "--all"], env: audit)
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--yes"), r.stderr)
        XCTAssertEqual(Set(hooks("bot-token").keys), ["prod-integration", "shellbot-messages"])
        XCTAssertTrue(mock.requests.isEmpty, "\(requestLines)")
    }

    func testDeregisterAllDeclinedOnATerminalIsExit1AndDeletesNothing() throws {
        mock.addWebhook(token: "bot-token", name: "prod-integration")
        let r = try runOnTerminal(["webhooks", "deregister", "--all"], answer: "n")
        XCTAssertEqual(r.code, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("[y/N]"), r.stdout)
        XCTAssertEqual(Set(hooks("bot-token").keys), ["prod-integration"])
        XCTAssertTrue(mock.requests(method: "DELETE", pathPrefix: "/webhooks").isEmpty)
    }

    func testDeregisterDryRunPrintsTheDeletesAndSendsNone() throws {
        let old = mock.addWebhook(token: "bot-token", name: "shellbot-messages")
        mock.addWebhook(token: "bot-token", name: "prod-integration")
        let r = try run(["webhooks", "deregister", "--dry-run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        // The global gate says each write on stderr, one line each.
        XCTAssertEqual(plannedWrites(r.stderr), ["DELETE /webhooks/\(old)"])
        XCTAssertTrue(r.stderr.contains("would delete webhook 'shellbot-messages' (\(old))"), r.stderr)
        XCTAssertFalse(r.stderr.contains("spark-space: deleted webhook"), r.stderr)
        XCTAssertEqual(Set(hooks("bot-token").keys), ["prod-integration", "shellbot-messages"])
        XCTAssertEqual(Set(requestLines), ["GET /webhooks"])
    }

    func testRegisterKeepsAForeignHookAndReplacesOnlyThePrefixedOnes() throws {
        let foreign = mock.addWebhook(token: "bot-token", name: "prod-integration")
        let old = mock.addWebhook(token: "bot-token", name: "shellbot-messages", targetUrl: "https://old.example.com/h")
        let r = try run(["webhooks", "register", "https://bot.example.com/hook", "--cards"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let url = "https://bot.example.com/hook"
        XCTAssertEqual(hooks("bot-token"), [
            "prod-integration": ["messages", "created", "https://elsewhere.example.com/hook", "-"],
            "shellbot-memberships": ["memberships", "all", url, "-"],
            "shellbot-messages": ["messages", "created", url, "-"],
            "shellbot-cards": ["attachmentActions", "created", url, "-"],
        ])
        XCTAssertTrue(mock.webhooks(token: "bot-token").contains { $0["id"] as? String == foreign })
        XCTAssertTrue(r.stderr.contains("deleted webhook 'shellbot-messages' (\(old))"), r.stderr)
        // The new set is created before the old one goes: never a moment without webhooks.
        let writes = requestLines.filter { !$0.hasPrefix("GET") }
        XCTAssertEqual(writes, ["POST /webhooks", "POST /webhooks", "POST /webhooks", "DELETE /webhooks/\(old)"])
    }

    func testRegisterWhoseCreateFailsKeepsTheOldSetAndDeletesWhatItCreated() throws {
        mock.addWebhook(token: "bot-token", name: "shellbot-memberships")
        mock.addWebhook(token: "bot-token", name: "shellbot-messages")
        mock.addWebhook(token: "audit-token", name: "shellbot-audit")
        mock.addWebhook(token: "bot-token", name: "prod-integration")
        let before = mock.webhooks(token: "bot-token").map { $0["id"] as! String }
        let auditBefore = mock.webhooks(token: "audit-token").map { $0["id"] as! String }
        // The third create (P-audit) is refused.
        mock.inject(.status(400), method: "POST", pathPrefix: "/webhooks", after: 2)
        let r = try run(["webhooks", "register", "https://bot.example.com/hook"], env: audit)
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("spark-space: error:"), r.stderr)
        XCTAssertEqual(mock.webhooks(token: "bot-token").map { $0["id"] as! String }, before)
        XCTAssertEqual(mock.webhooks(token: "audit-token").map { $0["id"] as! String }, auditBefore)
        XCTAssertEqual(mock.requests(method: "POST", pathPrefix: "/webhooks").count, 3)
        XCTAssertEqual(mock.requests(method: "DELETE", pathPrefix: "/webhooks").count, 2)
    }

    func testRegisterDryRunPrintsEachWriteWithoutTokenOrSecretAndSendsNone() throws {
        let old = mock.addWebhook(token: "bot-token", name: "shellbot-messages")
        let r = try run(["webhooks", "register", "https://bot.example.com/hook", "--secret", "s3cret-value-9876",
                         "--dry-run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = plannedWrites(r.stderr)
        XCTAssertEqual(lines.count, 3, r.stderr)
        XCTAssertTrue(lines[0].hasPrefix("POST /webhooks {"), r.stderr)
        XCTAssertTrue(lines[0].contains("\"name\":\"shellbot-memberships\""), r.stderr)
        XCTAssertTrue(lines[1].contains("\"name\":\"shellbot-messages\""), r.stderr)
        XCTAssertEqual(lines[2], "DELETE /webhooks/\(old)")
        XCTAssertFalse(r.stdout.contains("s3cret-value-9876") || r.stderr.contains("s3cret-value-9876"))
        XCTAssertFalse(r.stdout.contains("bot-token") || r.stderr.contains("bot-token"))
        XCTAssertEqual(Set(requestLines), ["GET /webhooks"])
        XCTAssertEqual(Set(hooks("bot-token").keys), ["shellbot-messages"])
    }

    func testDeregisterToleratesAHookDeletedMeanwhile() throws {
        mock.addWebhook(token: "bot-token", name: "shellbot-messages")
        mock.addWebhook(token: "bot-token", name: "shellbot-memberships")
        mock.inject(.status(404), method: "DELETE", pathPrefix: "/webhooks/")
        let r = try run(["webhooks", "deregister"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests(method: "DELETE", pathPrefix: "/webhooks/").count, 2)
    }

    func testListShowsBothTokensWithOwnerColumnAndNoSecret() throws {
        mock.addWebhook(token: "bot-token", name: "shellbot-messages", secret: "hidden-secret-abcd")
        mock.addWebhook(token: "audit-token", name: "shellbot-audit")
        var r = try run(["webhooks", "list", "-o", "table"], env: audit)
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, r.stdout)
        XCTAssertEqual(lines[0].split(separator: " ", omittingEmptySubsequences: true),
                       ["owner", "id", "name", "resource", "event", "targetUrl", "status"])
        XCTAssertTrue(lines[1].hasPrefix("bot ") && lines[1].contains("shellbot-messages"), r.stdout)
        XCTAssertTrue(lines[2].hasPrefix("audit ") && lines[2].contains("shellbot-audit"), r.stdout)

        r = try run(["webhooks", "list", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let items = try r.json() as! [[String: Any]]
        XCTAssertEqual(items.count, 1)
        XCTAssertEqual(items[0]["secret"] as? String, "***abcd")
        XCTAssertFalse(r.stdout.contains("hidden-secret-abcd"))
    }

    /// The writes `--dry-run` reported on stderr (`spark-space: dry-run: METHOD /path ...`), prefix removed.
    private func plannedWrites(_ stderr: String) -> [String] {
        let prefix = "spark-space: dry-run: "
        return stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count)) }
    }
}
