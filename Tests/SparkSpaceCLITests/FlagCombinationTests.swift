import Foundation
import SparkSpace
import XCTest
@testable import SparkSpaceCLI

/// Flag combinations are checked by each command's options (options → validate → run) before any
/// request: run in process against a transport that records, no server.
final class FlagCombinationTests: XCTestCase {
    let token = ["--token", "secret-token-1234"]
    let messageId = "Y2lzY29zcGFyazovL3VzL01FU1NBR0UvOTJkYjNiZTAtNDNiZC0xMWU2LThhZTktZGQ1YjNkZmM1NjVk"
    let console = TestConsole(environment: ["HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"])

    /// Runs `arguments`; asserts exit 2, a one-line error containing `says`, and no request at all.
    func assertUsage(_ arguments: [String], says: String, file: StaticString = #filePath, line: UInt = #line) {
        let transport = RecordingTransport()
        let run = runInProcess(arguments + token, console: console, transport: transport)
        XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)", file: file, line: line)
        XCTAssertTrue(run.stderr.hasPrefix("spark-space: error: "), run.stderr, file: file, line: line)
        XCTAssertTrue(run.stderr.contains(says), "\(arguments): \(run.stderr)", file: file, line: line)
        XCTAssertEqual(transport.requests.map(\.url), [], "\(arguments) sent a request", file: file, line: line)
        XCTAssertEqual(run.stdout, "", file: file, line: line)
    }

    /// Opposite flags: both is exit 2 whichever comes last (one rule, `Invocation.opposite`).
    func testOppositeFlagsTogetherAreExit2InEitherOrder() {
        assertUsage(["rooms", "update", "Ops", "--lock", "--unlock"], says: "give --lock or --unlock, not both")
        assertUsage(["rooms", "update", "Ops", "--unlock", "--lock"], says: "give --lock or --unlock, not both")
        assertUsage(["rooms", "update", "Ops", "--no-announcement-only", "--announcement-only"],
                    says: "give --announcement-only or --no-announcement-only, not both")
        assertUsage(["participants", "set", "Ops", "a@example.com", "--no-moderator", "--moderator"],
                    says: "give --moderator or --no-moderator, not both")
    }

    /// `--room` and a ROOM argument both: exit 2 for every command that takes ROOM, as for
    /// `rooms delete` (a wrapper's `--room` must not silently lose to the ROOM given, on a write).
    func testRoomOptionAndRoomArgumentTogetherAreExit2() {
        let both = "give ROOM either as an argument or with --room, not both"
        assertUsage(["post", "--room", "Ops", "Dev", "--text", "hi"], says: both)
        assertUsage(["participants", "add", "--room", "Ops", "Dev", "a@example.com"], says: both)
        assertUsage(["participants", "remove", "Dev", "a@example.com", "--room", "Ops"], says: both)
        assertUsage(["participants", "list", "--room", "Ops", "Dev"], says: both)
        assertUsage(["walk-messages", "--room", "Ops", "Dev"], says: both)
        assertUsage(["rooms", "get", "--room", "Ops", "Dev"], says: both)
        assertUsage(["pull", "--room", "Ops", "Dev", "--once"], says: both)
        assertUsage(["rooms", "delete", "--room", "Ops", "Dev", "--yes"], says: both)
    }

    /// A blank ROOM, from the settings file (or `$CHAT_ROOM_TITLE` set empty in CI) or as an
    /// argument, is no ROOM: exit 2 naming the ways to give one, not a look-up of "".
    func testABlankRoomIsNoRoom() throws {
        let path = NSTemporaryDirectory() + "blank-room-\(UUID().uuidString).yaml"
        try "space:\n  room: \"  \"\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        assertUsage(["walk-messages", "-c", path], says: "no ROOM: give ROOM, or --room ROOM, or set space.room")
        assertUsage(["post", "-c", path, "--text", "hi"], says: "no ROOM: give ROOM, or --room ROOM, or set space.room")
        assertUsage(["walk-messages", " "], says: "ROOM is empty")
    }

    func testAPairThatMustBeGivenNeedsOne() {
        assertUsage(["participants", "set", "Ops", "a@example.com"], says: "give one of --moderator or --no-moderator")
        assertUsage(["rooms", "update", "Ops"], says: "nothing to change")
    }

    func testWalkMessagesCombinations() {
        assertUsage(["walk-messages", "Ops", "--raw", "--names"], says: "--names adds to normalized events")
        assertUsage(["walk-messages", "Ops", "--person", "bob@example.com"], says: "--person does not go with ROOM")
        assertUsage(["walk-messages", "--room", "Ops", "--person", "bob@example.com"],
                    says: "--person does not go with ROOM")
        assertUsage(["walk-messages", "--person", "bob@example.com", "--before", "2h"],
                    says: "--person does not go with --before")
        assertUsage(["walk-messages", "--person", "bob@example.com", "--mentions-me"],
                    says: "--person does not go with --mentions-me")
        assertUsage(["walk-messages", "--person", "bob"], says: "--person takes an e-mail address")
        assertUsage(["walk-messages", "Ops", "--since", "yesterday"], says: "--since takes RFC 3339")
        assertUsage(["walk-messages", "Ops", "--before", "soon"], says: "--before takes a TIME")
        assertUsage(["walk-messages", "Ops", "--since", "2026-01-02T00:00:00Z", "--before", "2026-01-01T00:00:00Z"],
                    says: "--since (2026-01-02T00:00:00.000Z) is not earlier than --before (2026-01-01T00:00:00.000Z)")
        assertUsage(["walk-messages", "Ops", "--since", "1h", "--before", "2h"], says: "is not earlier than --before")
        assertUsage(["walk-messages", "Ops", "--thread", "x"], says: "--thread takes a message id")
    }

    func testRoomsTeamsPeopleArguments() {
        assertUsage(["rooms", "get", "Ops", "--person", "a@example.com"], says: "give either ROOM or --person")
        assertUsage(["rooms", "get", "--person", "alice"], says: "--person takes an e-mail address")
        assertUsage(["rooms", "create", "  "], says: "the room title is empty")
        assertUsage(["rooms", "create", "Ops", "--participant", "nobody"], says: "'nobody' is not an e-mail address")
        assertUsage(["rooms", "rename", "Ops", " "], says: "the new title is empty")
        assertUsage(["rooms", "update", "Ops", "--title", " "], says: "the title is empty")
        assertUsage(["teams", "create", " "], says: "the team name is empty")
        assertUsage(["teams", "rename", "T", ""], says: "the new name is empty")
        assertUsage(["teams", "members", "add", "T", "nobody"], says: "'nobody' is not an e-mail address")
        assertUsage(["people", "list", "--email", "nobody"], says: "--email takes an e-mail address")
        assertUsage(["people", "list", "--name", " "], says: "the --name prefix is empty")
        assertUsage(["participants", "add", "Ops", "-"], says: "no e-mail addresses given")
    }

    func testMessagesAndApi() {
        assertUsage(["messages", "get", "not-an-id"], says: "'not-an-id' is not a message id")
        assertUsage(["messages", "edit", messageId], says: "give one of --text or --markdown")
        assertUsage(["messages", "edit", messageId, "--text", "a", "--markdown", "b"],
                    says: "give one of --text or --markdown")
        assertUsage(["api", "rooms", "-X", "FETCH"], says: "-X takes GET, POST, PUT, PATCH, DELETE or HEAD")
        assertUsage(["api", "rooms", "--paginate", "-X", "POST"], says: "--paginate needs GET, not POST")
        assertUsage(["api", "rooms", "--input", "-", "-f", "a=b"], says: "give --input or -f/-F fields, not both")
        assertUsage(["api", "rooms", "-f", "=b"], says: "a field is KEY=VALUE")
        assertUsage(["help", "--man", "rooms"], says: "--man prints the whole manual")
        assertUsage(["help", "rooms", "nope"], says: "unknown command 'nope'")
        assertUsage(["completions", "tcsh"], says: "no completions for 'tcsh'")
    }

    func testListenCombinations() {
        assertUsage(["listen", "--count", "3"], says: "--count goes with --websocket")
        assertUsage(["listen", "--include-self"], says: "--include-self goes with --websocket")
        assertUsage(["listen", "--dry-run"], says: "listen has no --dry-run")
        assertUsage(["listen", "--websocket", "--port", "8080"], says: "--port is for the webhook receiver")
        assertUsage(["listen", "--websocket", "--dry-run"], says: "listen has no --dry-run")
        assertUsage(["listen", "--register", "ftp://example.com/hook"], says: "must be an http(s) URL")
        assertUsage(["listen", "--fields", "nonsense"], says: "nonsense")
    }

    func testPullAndPostCombinations() {
        assertUsage(["pull", "Ops", "--interval", "0"], says: "--interval takes a number of seconds from 0.001 to 86400, not '0'")
        assertUsage(["pull", "Ops", "--fields", "nonsense"], says: "nonsense")
        assertUsage(["post", "Ops", "--person", "a@example.com", "--text", "x"], says: "give either ROOM or --person")
        assertUsage(["post", "--room", "Ops", "--person", "a@example.com", "--text", "x"],
                    says: "give either ROOM or --person")
        assertUsage(["post", "--person", "bob", "--text", "x"], says: "--person takes an e-mail address")
        assertUsage(["post", "Ops", "--text", "x", "--reply-to", "nope"], says: "--reply-to takes a message id")
        assertUsage(["post", "Ops", "--text", "x", "--wait"], says: "--wait needs --card")
        assertUsage(["post", "Ops", "--text", "x", "--within", "1h"], says: "--within goes with --wait")
        assertUsage(["post", "Ops", "--card", "/nonexistent/card.json", "--text", "x"], says: "cannot read --card")
    }

    /// `post --card F --wait --within BAD`: the duration is checked with the post's options,
    /// before the room is looked up.
    func testPostWaitWithinIsCheckedBeforeAnyRequest() throws {
        let path = NSTemporaryDirectory() + "flag-card-\(getpid()).json"
        try Data(#"{"type": "AdaptiveCard", "version": "1.3", "body": []}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        assertUsage(["post", "Ops", "--card", path, "--text", "x", "--wait", "--within", "soon"],
                    says: "--within takes a duration")
        assertUsage(["post", "Ops", "--card", path, "--text", "x", "--wait", "--dry-run"],
                    says: "--wait and --dry-run do not go together")
    }

    func testWebhookAttachmentProvisionAuthCombinations() {
        assertUsage(["webhooks", "register", "https://bot.example.com/hook", "--prefix", "a b"],
                    says: "--prefix takes letters")
        assertUsage(["webhooks", "deregister", "--prefix", "a/b"], says: "--prefix takes letters")
        assertUsage(["webhooks", "register", "mailto:x"], says: "must be an http(s) URL")
        assertUsage(["webhooks", "create", "hook", "https://bot.example.com/hook", "--event", "created"],
                    says: "--resource is required")
        assertUsage(["webhooks", "create", " ", "https://bot.example.com/hook"], says: "the webhook name is empty")
        assertUsage(["webhooks", "update", "ID", "--filter", "roomId=x"], says: "cannot change a webhook's filter")
        assertUsage(["webhooks", "update", "ID", "--status", "inactive"], says: "--status takes only 'active'")
        assertUsage(["webhooks", "update", "ID"], says: "nothing to change")
        assertUsage(["webhooks", "update", "ID", "--url", "x"], says: "must be an http(s) URL")
        assertUsage(["attachments", "download", "https://example.com/f", "--stdout", "--dir", "/tmp"],
                    says: "--stdout and --dir do not go together")
        assertUsage(["provision", "--prune"], says: "--prune needs -f FILE")
        assertUsage(["auth", "refresh", "--dry-run"], says: "--dry-run does not apply")
    }

    /// The options values themselves: what a walk was asked, without running it.
    func testWalkOptionsReadWhatWasAsked() throws {
        func options(_ arguments: [String]) throws -> WalkMessagesOptions {
            let parsed = try Parser().parse(arguments)
            var terminal = Terminal()
            terminal.environment = [:]
            return try WalkMessagesOptions(Invocation(parsed: parsed, console: Console(terminal: terminal)))
        }
        let byId = try options(["walk-messages", "Ops", "--before", messageId, "--download", "/tmp/x"])
        XCTAssertEqual(byId.beforeMessage, messageId)
        XCTAssertNil(byId.before)
        XCTAssertTrue(byId.names, "--download resolves names")
        XCTAssertEqual(byId.parallel, 4)
        XCTAssertEqual(byId.eventKeys.last, "saved_paths")
        let byTime = try options(["walk-messages", "--before", "2h", "--limit", "5", "--raw", "--parallel", "2"])
        XCTAssertNotNil(byTime.before)
        XCTAssertNil(byTime.room)
        XCTAssertEqual(byTime.limit, 5)
        XCTAssertEqual(byTime.parallel, 2)
        XCTAssertEqual(byTime.eventKeys, [], "--raw adds no event keys")
    }
}
