#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import SparkSpace
import XCTest
@testable import SparkSpaceCLI

/// Errors become exit codes and text in one place (ExitCodes.swift), and the man page's
/// EXIT STATUS comes from the same table.
final class ExitCodeTests: XCTestCase {
    func api(_ status: Int) -> SparkError {
        .api(APIFailure(method: "GET", path: "/x", status: status, message: "m", trackingId: nil))
    }

    /// One of each case of `SparkError`, with its exit code.
    let cases: [(SparkError, Int32)] = [
        (.transport(method: "GET", path: "/x", reason: "reset"), 1),
        (.io("disk full"), 1),
        (.waitBudgetSpent(method: "GET", path: "/x", status: 429, wait: 15), 6),
        (.retriesSpent(method: "GET", path: "/x", attempts: 4, cause: "HTTP 503", detail: nil), 6),
        (.missingToken(.bot), 3),
        (.missingToken(.audit), 3),
        (.noRoom, 2),
        (.notFound(kind: .roomTitled, name: "Ops", suggestions: ["ops"]), 4),
        (.notFound(kind: .id(.webhook), name: "W1", suggestions: []), 4),
        (.ambiguous(kind: .teamNamed, name: "T", ids: ["A", "B"]), 5),
        (.fileExists(path: "out/a.pdf"), 5),
        (.alreadyInTeam(room: "Ops", team: "T1"), 5),
        (.textTooLong(part: .markdown, length: 8000, limit: 7439), 2),
        (.invalidMessage(.cardWithFile), 2),
        (.invalidInput("bad manifest"), 2),
        (.settings("unset $X"), 2),
        (.interrupted, 130),
    ]

    func testEachCaseHasItsCode() {
        for (error, code) in cases {
            XCTAssertEqual(ExitCode.of(error), code, "\(error)")
        }
    }

    func testMapping() {
        XCTAssertEqual(ExitCode.of(api(401)), 3)
        XCTAssertEqual(ExitCode.of(api(403)), 3)
        XCTAssertEqual(ExitCode.of(api(404)), 4)
        XCTAssertEqual(ExitCode.of(api(410)), 4)
        XCTAssertEqual(ExitCode.of(api(409)), 5)
        XCTAssertEqual(ExitCode.of(api(400)), 1)
        XCTAssertEqual(ExitCode.of(api(500)), 1)
        XCTAssertEqual(ExitCode.of(UsageError("x")), 2)
        XCTAssertEqual(ExitCode.of(OutputClosed()), 0)
        XCTAssertEqual(ExitCode.of(Declined()), 1)
        XCTAssertEqual(ExitCode.of(HintedError(underlying: api(403), hint: "h")), 3)
        XCTAssertEqual(ExitCode.of(HintedError(underlying: SparkError.noRoom, hint: "h")), 2)
        // Issue 26: --within passed, and Webex's websocket close codes.
        XCTAssertEqual(ExitCode.of(WithinPassed(duration: "30m")), 8)
        XCTAssertEqual(ExitCode.of(EventSocketError.closed(code: 4401, reason: "")), 3)
        XCTAssertEqual(ExitCode.of(EventSocketError.closed(code: 4403, reason: "")), 3)
        XCTAssertEqual(ExitCode.of(EventSocketError.closed(code: 4400, reason: "")), 3)
        XCTAssertEqual(ExitCode.of(EventSocketError.closed(code: 4000, reason: "")), 1)
        XCTAssertEqual(ExitCode.of(EventSocketError.deviceLimit(message: "excessive device registrations")), 1)
    }

    func testEveryCodeIsInTheTable() {
        let listed = Set(ExitCode.table.map(\.code))
        for (error, code) in cases { XCTAssertTrue(listed.contains(code), "\(error)") }
        XCTAssertEqual(ExitCode.table.map(\.code), [0, 1, 2, 3, 4, 5, 6, 7, 8, 130])
    }

    /// The interrupted row (the man page's EXIT STATUS) names every signal the tool ends on with 128+N
    /// after removing partial downloads, SIGQUIT, SIGXCPU and SIGXFSZ included.
    func testTheInterruptedRowNamesEverySignalThatRemovesPartialDownloads() throws {
        let row = try XCTUnwrap(ExitCode.table.first { $0.code == ExitCode.interrupted }).meaning
        for name in ["SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGQUIT", "SIGXCPU", "SIGXFSZ"] {
            XCTAssertTrue(row.contains(name), row)
        }
        XCTAssertEqual(ExitCode.endingSignals.map(\.number), [SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT, SIGXCPU, SIGXFSZ])
        XCTAssertTrue(row.contains("SIGALRM, SIGQUIT, SIGXCPU or SIGXFSZ (partial downloads are removed first)"), row)
    }

    func testCombined() {
        XCTAssertEqual(ExitCode.combined([api(404), api(404)]), 4)
        XCTAssertEqual(ExitCode.combined([api(404), api(403)]), 1)
    }

    func testAMissingTokenNamesTheRole() throws {
        var settings = Settings()
        settings.token = "bot-token-1234"
        let space = Space(settings: settings, transport: CurlTransport(userAgent: "test"))
        XCTAssertThrowsError(try space.client(.audit)) { error in
            XCTAssertEqual(error as? SparkError, .missingToken(.audit))
            XCTAssertEqual(ExitCode.of(error), 3)
        }
        XCTAssertTrue(errorText(SparkError.missingToken(.bot)).hasPrefix("no bot token: use --token-file FILE"))
        XCTAssertTrue(errorText(SparkError.missingToken(.audit)).hasPrefix("no audit token: use --audit-token-file FILE"))
        XCTAssertTrue(SparkError.missingToken(.audit).description.hasPrefix("no audit token"))
        XCTAssertTrue(SparkError.missingToken(.bot).description.contains("CISCO_SPARK_BOT_TOKEN"))
    }

    /// The library words errors without flags; the command line adds them.
    func testTheLibraryNamesNoFlagsTheCommandLineDoes() {
        for (error, _) in cases { XCTAssertFalse(error.description.contains("--"), error.description) }
        XCTAssertEqual(errorText(SparkError.fileExists(path: "a.pdf")), "a.pdf exists (use --force to overwrite it)")
        XCTAssertEqual(errorText(SparkError.waitBudgetSpent(method: "GET", path: "/rooms", status: 429, wait: 15)),
                       "GET /rooms: gave up: the API asked to wait 15 s more (429), past --max-wait")
        XCTAssertEqual(errorText(SparkError.textTooLong(part: .text, length: 8000, limit: 7439)),
                       "--text is 8000 bytes; Webex takes at most 7439")
        XCTAssertEqual(errorText(SparkError.noRoom),
                       "no room given: name one as ROOM, with --room, or in space.room / $CHAT_ROOM_TITLE")
        XCTAssertEqual(errorText(SparkError.ambiguous(kind: .roomTitled, name: "Ops", ids: ["A", "B"])),
                       "2 group rooms are titled 'Ops': A, B")
        XCTAssertEqual(errorText(SparkError.notFound(kind: .teamNamed, name: "Opz", suggestions: ["Ops"])),
                       "no team named 'Opz'; did you mean 'Ops'?")
        XCTAssertEqual("\(HintedError(underlying: SparkError.fileExists(path: "b"), hint: "h"))",
                       "b exists (use --force to overwrite it)")
    }

    /// EXIT STATUS in the man page: every code of the table, in order, with its meaning.
    func testTheManPageListsEveryCodeOfTheTable() throws {
        let page = manPage()
        let start = try XCTUnwrap(page.range(of: ".SH EXIT STATUS\n"))
        let section = page[start.upperBound...].prefix { _ in true }
        let end = section.range(of: "\n.SH ")?.lowerBound ?? section.endIndex
        let lines = section[..<end].split(separator: "\n").map(String.init)
        let codes = zip(lines, lines.dropFirst()).filter { $0.0 == ".TP" }.map { $0.1 }
        XCTAssertEqual(codes, ExitCode.table.map { ".B \($0.code)" })
        for entry in ExitCode.table { XCTAssertTrue(lines.contains(roffFlagsBold(entry.meaning)), entry.meaning) }
        XCTAssertTrue(lines.contains(#"Conflict: HTTP 409, an ambiguous title, a file that exists without \fB\-\-force\fR, an archive another run is writing."#))
    }
}
