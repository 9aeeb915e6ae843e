import Foundation
import MockWebex
@testable import SparkSpaceCLI
import XCTest

/// Issue 15: the global `--dry-run`. The write gate is `WebexClient.send`; this runs EVERY command the
/// table marks `writes` under `--dry-run` against the mock and checks that only reads reached it.
final class DryRunTests: MockTestCase {
    /// A sample command line per write command, and the exit it must give under --dry-run.
    func samples(hook: String, config: String, message: String) -> [String: (args: [String], code: Int32)] {
        [
            "rooms create": (["rooms", "create", "New room", "--participant", "carol@example.com", "--team", "Platform"], 0),
            "rooms rename": (["rooms", "rename", "Ops", "Ops 2"], 0),
            "rooms update": (["rooms", "update", "Loose", "--lock", "--description", "d", "--team", "Platform"], 0),
            "rooms delete": (["rooms", "delete", "Ops"], 0),
            "teams create": (["teams", "create", "New team", "--description", "d"], 0),
            "teams rename": (["teams", "rename", "Platform", "Platform 2"], 0),
            "teams delete": (["teams", "delete", "Platform"], 0),
            "teams members add": (["teams", "members", "add", "Platform", "carol@example.com", "--moderator"], 0),
            "teams members remove": (["teams", "members", "remove", "Platform", "dave@example.com"], 0),
            "participants add": (["participants", "add", "Ops", "carol@example.com"], 0),
            "participants remove": (["participants", "remove", "Ops", "bob@example.com"], 0),
            "participants set": (["participants", "set", "Ops", "bob@example.com", "--moderator"], 0),
            "post": (["post", "Ops", "--text", "hello"], 0),
            "messages edit": (["messages", "edit", message, "--text", "edited"], 0),
            // Under --dry-run nothing is deleted, so no --yes is needed off a terminal.
            "messages delete": (["messages", "delete", message], 0),
            "provision": (["provision", "-c", config], 0),
            "webhooks register": (["webhooks", "register", "https://bot.example.com/hook", "--secret", "s3cret-value-9876"], 0),
            "webhooks deregister": (["webhooks", "deregister"], 0),
            "webhooks create": (["webhooks", "create", "mine", "https://bot.example.com/x", "--resource", "rooms",
                                 "--event", "all", "--secret", "s3cret-value-9876"], 0),
            "webhooks update": (["webhooks", "update", hook, "--status", "active", "--name", "renamed"], 0),
            "webhooks delete": (["webhooks", "delete", hook], 0),
            "api": (["api", "rooms", "-X", "POST", "-f", "title=Made by api"], 0),
            // A receiver serves until stopped: no run to rehearse, refused before any request.
            "listen": (["listen", "--register", "https://bot.example.com/hook", "--port", "0"], 2),
        ]
    }

    func testEveryWriteCommandSendsNoWriteUnderDryRun() throws {
        let team = mock.addTeam(name: "Platform")
        mock.addTeamMember(teamId: team.id, email: "dave@example.com")
        let ops = mock.addRoom(title: "Ops", members: ["bob@example.com"])
        let message = mock.addMessage(roomId: ops.id, fromEmail: "bot@example.com", text: "deploy running")
        mock.addRoom(title: "Loose")
        let hook = mock.addWebhook(token: "bot-token", name: "shellbot-messages")
        let config = try writeFile("settings.yaml", "space:\n  room: Fresh room\n  team: Platform\n"
            + "  participants: [erin@example.com]\n")
        let samples = samples(hook: hook, config: config, message: message.id)
        let writeCommands = rootCommand.descendants.filter(\.writes).map(\.path)
        XCTAssertGreaterThan(writeCommands.count, 15)
        let before = (mock.rooms().count, mock.teams().count, mock.webhooks(token: "bot-token").count)
        for path in writeCommands {
            guard let sample = samples[path] else {
                XCTFail("no --dry-run sample for the write command '\(path)': add one here")
                continue
            }
            mock.clearRequests()
            let r = try run(sample.args + ["--dry-run"])
            XCTAssertEqual(r.code, sample.code, "\(path): \(r.stderr)")
            let writes = mock.requests.filter { $0.method != "GET" && $0.method != "HEAD" }
            XCTAssertEqual(writes.map { "\($0.method) \($0.path)" }, [], path)
            XCTAssertFalse(r.stdout.contains("bot-token") || r.stderr.contains("bot-token"), path)
            XCTAssertFalse(r.stderr.contains("s3cret-value-9876"), path)
            if sample.code == 0 && path != "provision" {
                XCTAssertTrue(r.stderr.contains("spark-space: dry-run: "), "\(path): \(r.stderr)")
            }
        }
        XCTAssertEqual(before.0, mock.rooms().count)
        XCTAssertEqual(before.1, mock.teams().count)
        XCTAssertEqual(before.2, mock.webhooks(token: "bot-token").count)
        XCTAssertEqual(mock.teamMembers(teamId: team.id).map(\.email), ["bot@example.com", "dave@example.com"])
    }

    /// A new command named like a write (`messages edit`) must be marked `writes`, so the test above runs it.
    func testCommandsNamedLikeWritesAreMarkedWrites() {
        let verbs: Set = ["create", "rename", "update", "delete", "add", "remove", "set", "edit", "register",
                          "deregister", "post", "provision", "send", "move", "archive"]
        // The top-level `archive` (issue 28) only reads the API (it writes files): nothing for --dry-run to hold back.
        let readers: Set = ["archive"]
        for command in rootCommand.descendants where command.run != nil && verbs.contains(command.name)
            && !readers.contains(command.path) {
            XCTAssertTrue(command.writes, "'\(command.path)' looks like a write: mark it writes: true")
        }
    }

    func testEachWriteIsPrintedWithMethodPathAndBodyAndTheCommandGoesOn() throws {
        mock.addRoom(title: "Ops", members: ["bob@example.com"])
        let r = try run(["rooms", "create", "New room", "--participant", "carol@example.com", "-o", "json", "--dry-run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stderr.split(separator: "\n").filter { $0.contains("dry-run:") }
        XCTAssertEqual(lines, [
            #"spark-space: dry-run: POST /rooms {"title":"New room"}"#,
            #"spark-space: dry-run: POST /memberships {"personEmail":"carol@example.com","roomId":"DRY-RUN"}"#,
        ])
        // The stand-in answer: the body echoed with a placeholder id.
        let room = try r.json() as! [String: Any]
        XCTAssertEqual(room["title"] as? String, "New room")
        XCTAssertEqual(room["id"] as? String, "DRY-RUN")
        XCTAssertTrue(mock.requests.allSatisfy { $0.method == "GET" })
    }

    func testSecretsArePrintedRedacted() throws {
        let r = try run(["webhooks", "create", "mine", "https://bot.example.com/x", "--resource", "messages",
                         "--event", "created", "--secret", "s3cret-value-9876", "--dry-run", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains(#""secret":"***9876""#), r.stderr)
        XCTAssertFalse(r.stderr.contains("s3cret-value-9876") || r.stdout.contains("s3cret-value-9876"))
        XCTAssertTrue(mock.requests.isEmpty)
    }

    func testDeletesNeedNoConfirmationUnderDryRunAndLookupsStillFail() throws {
        mock.addRoom(title: "Ops")
        var r = try run(["rooms", "delete", "Ops", "--dry-run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("dry-run: DELETE /rooms/"), r.stderr)
        XCTAssertEqual(mock.rooms().count, 1)
        // What was "done" is not claimed: nothing was sent.
        XCTAssertTrue(r.stderr.contains("would have deleted room 'Ops'"), r.stderr)
        XCTAssertFalse(r.stderr.contains("spark-space: deleted room"), r.stderr)
        r = try run(["participants", "add", "Ops", "a@example.com", "--dry-run"])
        XCTAssertTrue(r.stderr.contains("would have added 1, unchanged 0, failed 0 (nothing sent, --dry-run)"), r.stderr)
        // A member already is not planned as added: no POST could say 409, so one listing tells.
        mock.addMembership(roomId: mock.rooms().first { $0["title"] as? String == "Ops" }!["id"] as! String,
                           email: "bob@example.com")
        mock.clearRequests()
        r = try run(["participants", "add", "Ops", "a@example.com", "BOB@example.com", "--dry-run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("would have added 1, unchanged 1, failed 0 (nothing sent, --dry-run)"), r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "dry-run: POST /memberships").count, 2, r.stderr)
        XCTAssertTrue(mock.requests.allSatisfy { $0.method == "GET" })
        let team = mock.addTeam(name: "Infra")
        mock.addTeamMember(teamId: team.id, email: "carol@example.com")
        r = try run(["teams", "members", "add", "Infra", "carol@example.com", "dan@example.com", "--dry-run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("added 1, unchanged 1, failed 0"), r.stderr)
        XCTAssertTrue(mock.requests.allSatisfy { $0.method == "GET" })
        // Lookups run: a room that is not there is still exit 4.
        r = try run(["rooms", "delete", "Opz", "--dry-run"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.contains("did you mean 'Ops'?"), r.stderr)
    }
}
