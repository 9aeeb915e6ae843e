import Foundation
import MockWebex
import XCTest

/// Issue 15: `webhooks create|get|update|delete` against the mock.
final class WebhookAdminTests: MockTestCase {
    var writes: [MockRequest] { mock.requests.filter { $0.method != "GET" } }

    func testCreateWithEitherTokenAndTheSecretRedacted() throws {
        var r = try run(["webhooks", "create", "ops", "https://bot.example.com/x", "--resource", "rooms", "--event", "all",
                         "--filter", "type=group", "--secret", "s3cret-value-9876", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let created = try r.json() as! [String: Any]
        XCTAssertEqual(created["owner"] as? String, "bot")
        XCTAssertEqual(created["secret"] as? String, "***9876")
        XCTAssertFalse(r.stdout.contains("s3cret-value-9876"))
        let stored = mock.webhooks(token: "bot-token")
        XCTAssertEqual(stored.count, 1)
        XCTAssertEqual(stored[0]["filter"] as? String, "type=group")
        XCTAssertEqual(stored[0]["secret"] as? String, "s3cret-value-9876")

        r = try run(["webhooks", "create", "mine", "https://bot.example.com/y", "--resource", "messages", "--event",
                     "created", "--as", "audit", "-o", "tsv"], env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("audit\t"), r.stdout)
        XCTAssertEqual(mock.webhooks(token: "audit-token").count, 1)
    }

    func testResourceAndEventAreCheckedBeforeAnyRequest() throws {
        for args in [["--resource", "message", "--event", "created"], ["--resource", "messages", "--event", "create"],
                     ["--event", "created"], ["--resource", "messages"]] {
            let r = try run(["webhooks", "create", "n", "https://bot.example.com/x"] + args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("attachmentActions") || r.stderr.contains("statusChanged"), r.stderr)
        }
        XCTAssertEqual(try run(["webhooks", "create", "n", "ftp://x", "--resource", "rooms", "--event", "all"]).code, 2)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testGetAndUpdateReactivatesSendingTheCurrentNameAndURL() throws {
        let id = mock.addWebhook(token: "bot-token", name: "ops", targetUrl: "https://bot.example.com/x",
                                 secret: "s3cret-value-9876")
        mock.setWebhookStatus(id: id, "disabled")
        var r = try run(["webhooks", "get", id, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let got = try r.json() as! [String: Any]
        XCTAssertEqual(got["status"] as? String, "disabled")
        XCTAssertEqual(got["secret"] as? String, "***9876")

        r = try run(["webhooks", "update", id, "--status", "active", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.webhook(id: id)?["status"] as? String, "active")
        let put = try JSONSerialization.jsonObject(with: writes[0].body) as! [String: String]
        XCTAssertEqual(put, ["name": "ops", "targetUrl": "https://bot.example.com/x", "status": "active"])

        r = try run(["webhooks", "update", id, "--name", "ops2", "--url", "https://bot.example.com/z",
                     "--secret", "new-secret-1234"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("new-secret-1234"))
        let stored = mock.webhook(id: id)!
        XCTAssertEqual(stored["name"] as? String, "ops2")
        XCTAssertEqual(stored["targetUrl"] as? String, "https://bot.example.com/z")
        XCTAssertEqual(stored["secret"] as? String, "new-secret-1234")
    }

    func testUpdateAndGetErrors() throws {
        let id = mock.addWebhook(token: "bot-token", name: "ops")
        let missing = "Y2lzY29zcGFyazovL3VzL1dFQkhPT0svbm9uZQ"
        XCTAssertEqual(try run(["webhooks", "get", missing]).code, 4)
        XCTAssertEqual(try run(["webhooks", "update", missing, "--name", "x"]).code, 4)
        mock.clearRequests()
        for args in [["webhooks", "update", id], ["webhooks", "update", id, "--status", "paused"],
                     ["webhooks", "update", id, "--filter", "roomId=x"], ["webhooks", "update", id, "--url", "nope"]] {
            let r = try run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
        }
        XCTAssertTrue(mock.requests.isEmpty)
        // Someone else's webhook is not found (Webex shows each token its own).
        XCTAssertEqual(try run(["webhooks", "get", id], env: ["CISCO_SPARK_BOT_TOKEN": "audit-token"]).code, 4)

        // The audit token's webhook (as `webhooks list` shows it), asked for with the bot: a hint.
        let audits = mock.addWebhook(token: "audit-token", name: "audit-set")
        let audit = ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"]
        for args in [["webhooks", "get", audits], ["webhooks", "update", audits, "--name", "x"],
                     ["webhooks", "delete", audits, "--yes"]] {
            let r = try run(args, env: audit)
            XCTAssertEqual(r.code, 4, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("hint: it may be the audit token's (webhooks list shows each one's owner): add --as audit"),
                          r.stderr)
        }
        XCTAssertEqual(try run(["webhooks", "get", audits, "--as", "audit"], env: audit).code, 0)
    }

    func testDeleteOneRowPerIdANotFoundRowIsExit4OthersDone() throws {
        let a = mock.addWebhook(token: "bot-token", name: "a")
        let b = mock.addWebhook(token: "bot-token", name: "b")
        let missing = "Y2lzY29zcGFyazovL3VzL1dFQkhPT0svbm9uZQ"
        var r = try run(["webhooks", "delete", a, missing, b])
        XCTAssertEqual(r.code, 2, "no --yes and stdin not a terminal")
        XCTAssertTrue(mock.requests.isEmpty)

        r = try run(["webhooks", "delete", a, missing, b, "--yes", "-o", "tsv"])
        XCTAssertEqual(r.code, 4, r.stderr)
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.map { "\($0[0]) \($0[1])" }, ["\(a) deleted", "\(missing) failed", "\(b) deleted"])
        XCTAssertTrue(mock.webhooks(token: "bot-token").isEmpty)
        XCTAssertTrue(r.stderr.contains("deleted 2, failed 1"), r.stderr)
    }
}

extension WebhookAdminTests {
    func testAnIdCannotReachAnotherResource() throws {
        let room = mock.addRoom(title: "Precious")
        var r = try run(["webhooks", "delete", "../rooms/\(room.id)", "--yes"])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertNotNil(mock.room(id: room.id))
        XCTAssertTrue(mock.requests.allSatisfy { $0.path.hasPrefix("/webhooks/") }, "\(mock.requests.map(\.path))")
        r = try run(["webhooks", "get", "../people/me"])
        XCTAssertEqual(r.code, 4, r.stderr)
    }
}
