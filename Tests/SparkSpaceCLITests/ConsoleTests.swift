import SparkSpace
import XCTest
@testable import SparkSpaceCLI

/// Answers every request from `answer` and records what was asked (no network).
final class RecordingTransport: HTTPTransport {
    var requests: [HTTPRequest] = []
    let answer: (HTTPRequest) -> (Int, String)

    init(_ answer: @escaping (HTTPRequest) -> (Int, String) = { _ in (200, "{}") }) { self.answer = answer }

    func perform(_ request: HTTPRequest, sink: BodySink?, progress: ProgressHandler?) throws -> HTTPResponse {
        requests.append(request)
        let (status, body) = answer(request)
        return HTTPResponse(status: status, body: Array(body.utf8))
    }
}

/// The console: one sanitizing path to stderr, prompts only on a terminal, and commands run in
/// process against a test console and a scripted transport.
final class ConsoleTests: XCTestCase {
    let token = ["--token", "secret-token-1234"]
    let messageId = "Y2lzY29zcGFyazovL3VzL01FU1NBR0UvOTJkYjNiZTAtNDNiZC0xMWU2LThhZTktZGQ1YjNkZmM1NjVk"
    let environment = ["HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"]

    func console(stdin: String = "", terminal: Bool = false) -> TestConsole {
        TestConsole(stdin: stdin, stdinIsTerminal: terminal, stdoutIsTerminal: terminal, stderrIsTerminal: terminal,
                    width: 80, environment: environment)
    }

    /// What is read from stdin or a token file is bounded: past the limit it is exit 2 before any
    /// request, and reading stops there (`yes | spark-space post R --text -` ends).
    func testStdinAndTokenFilesAreReadUpToALimit() {
        let cases: [([String], String, String)] = [
            (["post", "Ops", "--text", "-"] + token, String(repeating: "x", count: 20_000), "--text from stdin is over 8463 bytes"),
            (["post", "Ops", "--text", "fb", "--card", "-"] + token, String(repeating: " ", count: 1_100_000),
             "--card from stdin is over 1048576 bytes"),
            (["--token-file", "/dev/zero", "whoami"], "", "--token-file /dev/zero is over 65536 bytes: not a token"),
            (["--token-file", "-", "whoami"], String(repeating: "t", count: 70_000), "--token-file from stdin is over 65536 bytes"),
        ]
        for (arguments, stdin, message) in cases {
            let transport = RecordingTransport()
            let run = runInProcess(arguments, console: console(stdin: stdin), transport: transport)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), run.stderr)
            XCTAssertTrue(transport.requests.isEmpty)
        }
    }

    /// `--json` is `-o json` where it stands: the last format given wins, whichever spelling.
    func testJsonAndOutputTheLastOneWins() {
        let rooms = #"{"items":[{"id":"r1","title":"Ops","type":"group","isLocked":false,"created":"2026-01-01T00:00:00.000Z","lastActivity":"2026-01-01T00:00:00.000Z","creatorId":"p"}]}"#
        for (arguments, json) in [(["--json", "rooms", "list", "-o", "tsv"], false), (["-o", "tsv", "rooms", "list", "--json"], true),
                                  (["rooms", "list", "--json"], true), (["rooms", "list", "-o", "json", "-o", "tsv"], false)] {
            let run = runInProcess(arguments + token, console: console(), transport: RecordingTransport { _ in (200, rooms) })
            XCTAssertEqual(run.status, 0, "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stdout.hasPrefix("["), json, "\(arguments): \(run.stdout)")
        }
    }

    /// Escape sequences and control characters in API text reach stderr only as visible escapes.
    func testAPITextCannotDriveTheTerminal() {
        let hostile = #"{"message":"no such message\u001b]0;pwned\u0007\u001b[2J\r\u202e","trackingId":"T1"}"#
        let transport = RecordingTransport { _ in (404, hostile) }
        let run = runInProcess(["messages", "get", messageId] + token, console: console(), transport: transport)
        XCTAssertEqual(run.status, 4, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("spark-space: error: "), run.stderr)
        XCTAssertTrue(run.stderr.contains("\\x1b]0;pwned\\x07"), run.stderr)
        for raw in ["\u{1B}", "\u{07}", "\r", "\u{202E}"] {
            XCTAssertFalse(run.stderr.contains(raw), "raw \(raw.unicodeScalars.first!.value) on stderr")
        }
        XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, "one line")
    }

    /// Notes, warnings and prompts go through the same path as errors.
    func testEveryDiagnosticIsSanitized() throws {
        let run = runInProcess(["rooms", "delete", "Ops\u{1B}[31m"] + token, console: console(stdin: "n\n", terminal: true),
                               transport: RecordingTransport { _ in (200, #"{"items":[]}"#) })
        XCTAssertFalse(run.stderr.contains("\u{1B}"), run.stderr)
        XCTAssertTrue(run.stderr.contains("Ops\\x1b[31m"), run.stderr)
    }

    /// A command that deletes, without --yes and with stdin not a terminal: exit 2, no question,
    /// no request, for every command the table marks destructive.
    func testDestructiveCommandsRefuseOffATerminal() {
        let destructive = rootCommand.descendants.filter { $0.destructive != nil }
        XCTAssertEqual(Set(destructive.map(\.path)),
                       ["rooms delete", "teams delete", "messages delete", "webhooks delete", "webhooks deregister"])
        for command in destructive {
            var arguments = command.path.split(separator: " ").map(String.init)
            arguments += command.arguments.filter { !$0.optional }.map { _ in messageId }
            if case .with(let flag) = command.destructive { arguments.append("--\(flag.long)") }
            let transport = RecordingTransport()
            let run = runInProcess(arguments + token, console: console(stdin: "yes\n"), transport: transport)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("refusing to delete without --yes when stdin is not a terminal"), run.stderr)
            XCTAssertFalse(run.stderr.contains("[y/N]"), run.stderr)
            XCTAssertTrue(transport.requests.isEmpty, "\(arguments) sent \(transport.requests.map(\.method))")
        }
    }

    /// `webhooks deregister` deletes only its own prefix without --all: no confirmation needed.
    func testConditionalDestructionAppliesOnlyWithItsFlag() {
        let transport = RecordingTransport { _ in (200, #"{"items":[]}"#) }
        let run = runInProcess(["webhooks", "deregister"] + token, console: console(), transport: transport)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(transport.requests.isEmpty)
    }

    /// On a terminal the question is asked on stderr and the answer read from stdin.
    func testConfirmationOnATerminal() {
        let declined = RecordingTransport()
        let no = runInProcess(["messages", "delete", messageId] + token, console: console(stdin: "n\n", terminal: true),
                              transport: declined)
        XCTAssertEqual(no.status, 1, no.stderr)
        XCTAssertTrue(no.stderr.contains("Delete message \(messageId)? [y/N]"), no.stderr)
        XCTAssertTrue(declined.requests.isEmpty)

        let accepted = RecordingTransport { _ in (204, "") }
        let yes = runInProcess(["messages", "delete", messageId, "-o", "tsv"] + token,
                               console: console(stdin: "yes\n", terminal: true), transport: accepted)
        XCTAssertEqual(yes.status, 0, yes.stderr)
        XCTAssertEqual(accepted.requests.map(\.method), [.delete])
        XCTAssertEqual(yes.stdout, "\(messageId)\tdeleted\t\n")
    }

    /// --yes and --dry-run never ask, terminal or not.
    func testYesAndDryRunNeverAsk() {
        for flag in ["--yes", "--dry-run"] {
            let transport = RecordingTransport { _ in (204, "") }
            let run = runInProcess(["messages", "delete", messageId, flag] + token, console: console(),
                                   transport: transport)
            XCTAssertEqual(run.status, 0, "\(flag): \(run.stderr)")
            XCTAssertFalse(run.stderr.contains("[y/N]"), run.stderr)
            XCTAssertEqual(transport.requests.map(\.method), flag == "--yes" ? [.delete] : [])
        }
    }

    /// Terminal-ness decides the default format; width and colour come from the console.
    func testLayoutFollowsTheConsole() {
        let rooms = #"{"items":[{"id":"R1","title":"Ops","type":"group","lastActivity":"2026-11-25T10:00:00Z"}]}"#
        let piped = runInProcess(["rooms", "list"] + token, console: console(),
                                 transport: RecordingTransport { _ in (200, rooms) })
        XCTAssertEqual(piped.stdout, "R1\tOps\tgroup\t\t2026-11-25T10:00:00Z\n")
        let shown = runInProcess(["rooms", "list"] + token,
                                 console: console(terminal: true), transport: RecordingTransport { _ in (200, rooms) })
        XCTAssertTrue(shown.stdout.hasPrefix("\u{1B}[1mid"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("ago"), shown.stdout)
    }

    /// Typed option values are checked by the parser: one usage line, exit 2, no request, no trap.
    func testValueKindsAreCheckedBeforeTheCommand() {
        let cases: [([String], String)] = [
            (["rooms", "list", "--limit", "1.5"], "--limit takes a whole number ≥ 0, not '1.5'"),
            (["rooms", "list", "--limit", "-1"], "--limit takes a whole number ≥ 0, not '-1'"),
            (["teams", "list", "--limit", "99999999999999999999"], "--limit takes a whole number ≥ 0"),
            (["walk-messages", "R", "--parallel", "17"], "--parallel takes a whole number from 1 to 16, not '17'"),
            (["listen", "--port", "65536"], "--port takes a port number (0-65535), not '65536'"),
            (["pull", "R", "--interval", "nan"], "--interval takes a number of seconds from 0.001 to 86400, not 'nan'"),
            (["whoami", "--timeout", "1e300"], "--timeout takes a number of seconds from 0.001 to 86400, not '1e300'"),
            (["whoami", "--max-wait", "-1"], "--max-wait takes a number of seconds from 0 to 604800, not '-1'"),
        ]
        for (arguments, message) in cases {
            let transport = RecordingTransport()
            let run = runInProcess(arguments + token, console: console(), transport: transport)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), run.stderr)
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, run.stderr)
            XCTAssertTrue(transport.requests.isEmpty)
        }
        // Help needs no values: a bad one does not stand in its way.
        XCTAssertEqual(runInProcess(["rooms", "list", "--limit", "x", "--help"], console: console()).status, 0)
    }

    func testUnmetNamesTheRange() {
        XCTAssertNil(unmet(.int(0...Int.max), by: "12"))
        XCTAssertEqual(unmet(.int(1...16), by: "0"), "a whole number from 1 to 16")
        XCTAssertEqual(unmet(.double(0.5...2), by: "3"), "a number from 0.5 to 2")
        XCTAssertNil(unmet(.duration(0.001...10), by: "0.001"))
        XCTAssertEqual(unmet(.duration(0...10), by: "inf"), "a number of seconds from 0 to 10")
        XCTAssertNil(unmet(.string, by: "\u{0}"))
    }

    /// The console's own diagnostics, written to a file: escapes visible, flushed per line.
    func testDiagnosticWritesOneSanitizedLine() throws {
        let run = runInProcess(["settings", "show", "--config", "/nonexistent/\u{1B}[2Jsettings.yaml"],
                               console: console())
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertFalse(run.stderr.contains("\u{1B}"), run.stderr)
        XCTAssertTrue(run.stderr.contains("\\x1b[2J"), run.stderr)
    }
}
