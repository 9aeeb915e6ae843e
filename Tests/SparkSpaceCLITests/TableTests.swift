import Foundation
@testable import SparkSpace
import XCTest
@testable import SparkSpaceCLI

/// Tables fit the terminal by display width; tsv and json never cut; colour only on a terminal.
final class TableTests: XCTestCase {
    let columns = [Column("id"), Column("title", truncatable: true), Column("type")]

    func table(width: Int?, color: Bool = false, _ titles: [String]) -> [String] {
        let output = Output(format: .table, out: FDWriter(fd: -1), color: color, width: width)
        let items: [JSON] = titles.enumerated().map { ["id": .string("R\($0.offset)"), "title": .string($0.element), "type": "group"] }
        return output.tableLines(items, columns: columns, header: true)
    }

    func testWideCharactersAlign() {
        // CJK characters and the rocket take two columns each.
        XCTAssertEqual(table(width: nil, ["日本語の部屋", "Ops 🚀 room", "plain"]), [
            "id  title         type",
            "R0  日本語の部屋  group",
            "R1  Ops 🚀 room   group",
            "R2  plain         group",
        ])
    }

    func testLongTitlesAreCutToTheWidthWithAnEllipsis() {
        for title in [String(repeating: "t", count: 90), String(repeating: "部", count: 45)] {
            let lines = table(width: 40, [title])
            XCTAssertTrue(lines[1].contains("…"), lines[1])
            XCTAssertTrue(lines[1].hasSuffix("group"), lines[1])
            XCTAssertLessThanOrEqual(displayWidth(lines[1]), 40, lines[1])
        }
    }

    func testNoWidthNoCut() {
        let title = String(repeating: "t", count: 300)
        XCTAssertTrue(table(width: nil, [title])[1].contains(title))
    }

    func testTsvAndJsonNeverCut() throws {
        let title = String(repeating: "t", count: 300)
        for format in [OutputFormat.tsv, .json, .ndjson] {
            let text = try captured { fd in
                let output = Output(format: format, out: FDWriter(fd: fd), color: true, width: 20)
                try output.list([["id": "R1", "title": .string(title), "type": "group"]], columns: columns)
            }
            XCTAssertTrue(text.contains(title), "\(format)")
            XCTAssertFalse(text.contains("…") || text.contains("\u{1B}"), "\(format)")
        }
    }

    func testHeaderIsBoldOnlyWithColour() {
        XCTAssertTrue(table(width: nil, color: true, ["a"])[0].hasPrefix("\u{1B}[1m"))
        XCTAssertFalse(table(width: nil, color: true, ["a"])[1].contains("\u{1B}"))
        XCTAssertFalse(table(width: nil, color: false, ["a"]).joined().contains("\u{1B}"))
    }

    func testColourOnlyOnATerminalAndNeverWithNoColor() {
        XCTAssertTrue(useColor(isTerminal: true, environment: [:]))
        XCTAssertTrue(useColor(isTerminal: true, environment: ["NO_COLOR": ""]))
        XCTAssertFalse(useColor(isTerminal: true, environment: ["NO_COLOR": "1"]))
        XCTAssertFalse(useColor(isTerminal: true, environment: ["TERM": "dumb"]))
        XCTAssertFalse(useColor(isTerminal: false, environment: [:]))
    }

    func testWidthFromColumnsElseUnlimitedOffATerminal() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        XCTAssertEqual(terminalWidth(fd: fds[1], environment: ["COLUMNS": "57"]), 57)
        XCTAssertNil(terminalWidth(fd: fds[1], environment: [:]))
        XCTAssertNil(terminalWidth(fd: fds[1], environment: ["COLUMNS": "wide"]))
    }

    func testDisplayWidth() {
        XCTAssertEqual(displayWidth("abc"), 3)
        XCTAssertEqual(displayWidth("日本"), 4)
        XCTAssertEqual(displayWidth("e\u{301}"), 1)  // e + combining acute is one character
        XCTAssertEqual(displayWidth("🚀"), 2)
        XCTAssertEqual(truncated("日本語", to: 4), "日…")
        XCTAssertEqual(padded("日", to: 4), "日  ")
    }

    func testControlCharactersCannotDriveTheTerminal() {
        XCTAssertEqual(sanitizeCell("a\u{1B}[31mb\u{7}"), "a [31mb ")
        XCTAssertEqual(sanitizeCell("plain"), "plain")
    }

    func testIdsAreCutFirstAndKeepTheirEnd() {
        // id 40, title 40, type 5 at 60 columns: the id goes to its minimum first, then the title.
        let widths = fittedWidths([40, 40, 5], kinds: [.id, .text, .plain], width: 60)
        XCTAssertEqual(widths, [idMinimum, 60 - 4 - idMinimum - 5, 5])
        XCTAssertEqual(truncatedKeepingEnd("Y2lzY29zcGFyazovL3VzL1JPT00vQQ5ZTQ1", to: 7), "…Q5ZTQ1")
        XCTAssertEqual(truncatedKeepingEnd("short", to: 7), "short")
        let output = Output(format: .table, out: FDWriter(fd: -1), color: false, width: 21)
        let id = "Y2lzY29zcGFyazovL3VzL1JPT00vMTIzNDU2Nzg5MGFiY2RlZg"
        let lines = output.tableLines([["id": .string(id), "title": "Ops"]],
                                      columns: [Column("id"), Column("title", truncatable: true)], header: true)
        XCTAssertEqual(lines[1], "…" + id.suffix(idMinimum - 1) + "  Ops")
    }

    func testTheWidestTextIsCutFirst() {
        // Two text columns, 50 and 20 wide, 20 over: only the widest gives.
        XCTAssertEqual(fittedWidths([50, 20], kinds: [.text, .text], width: 52), [30, 20])
        // Further over: both come down to the same width.
        XCTAssertEqual(fittedWidths([50, 20], kinds: [.text, .text], width: 32), [15, 15])
        // Plain and time columns never give.
        XCTAssertEqual(fittedWidths([30, 12], kinds: [.plain, .time], width: 20), [30, 12])
    }

    func testWideNeverCutsAndTablesShowAges() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let title = String(repeating: "t", count: 90)
        let item: JSON = ["title": .string(title), "created": .string(RFC3339.format(now.addingTimeInterval(-3 * 3600)))]
        let columns = [Column("title", truncatable: true), Column("created")]
        let wide = Output(format: .wide, out: FDWriter(fd: -1), color: false, width: 40, ages: true, now: now)
        XCTAssertEqual(wide.tableLines([item], columns: columns, header: false), [title + "  3h ago"])
        let table = Output(format: .table, out: FDWriter(fd: -1), color: false, width: 40, ages: true, now: now)
        XCTAssertEqual(table.tableLines([item], columns: columns, header: false)[0].count, 40)
        // Off a terminal (ages false) a table keeps RFC 3339, as the runs that compare them need.
        let piped = Output(format: .table, out: FDWriter(fd: -1), color: false, width: nil, now: now)
        XCTAssertTrue(piped.tableLines([item], columns: columns, header: false)[0].hasSuffix("Z"))
    }

    func testAges() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let ms = Int64(1_800_000_000) * 1000
        XCTAssertEqual(age(millis: ms - 45_000, now: now), "45s ago")
        XCTAssertEqual(age(millis: ms - 12 * 60_000, now: now), "12m ago")
        XCTAssertEqual(age(millis: ms - 3 * 3_600_000, now: now), "3h ago")
        XCTAssertEqual(age(millis: ms - 12 * 86_400_000, now: now), "12d ago")
        XCTAssertEqual(age(millis: ms + 5_000, now: now), "0s ago", "a little clock skew")
        XCTAssertEqual(age(millis: ms + 2 * 3_600_000, now: now), "in 2h")
        XCTAssertEqual(Column("lastActivity").tableText(["lastActivity": "not a time"], now: now), "not a time")
    }

    func testWaitAndRetryNotices() {
        XCTAssertEqual(consoleLine(.waiting(reason: "429 Retry-After", seconds: 15, budgetLeft: 285), verbose: false),
                       "waiting 15 s (429 Retry-After), 285 s of --max-wait left")
        XCTAssertEqual(consoleLine(.retrying(method: .get, path: "/rooms?max=10", seconds: 0.1, cause: "503"),
                                   verbose: false), "retrying GET /rooms in 0.1 s (503)")
        let entry = RequestLogEntry(method: .get, path: "/rooms", status: 200, milliseconds: 3, note: nil)
        XCTAssertNil(consoleLine(.request(entry), verbose: false))
        XCTAssertEqual(consoleLine(.request(entry), verbose: true), "GET /rooms 200 3ms")
        XCTAssertEqual(TransferProgress.line(name: "a.bin", done: 1 << 20, total: 4 << 20, elapsed: 1),
                       "a.bin  1.0 MB / 4.0 MB (25%), 1.0 MB/s, 3 s left")
        XCTAssertEqual(CountProgress.line(done: 1000, total: nil, noun: "messages", elapsed: 2), "1000 messages, 500/s")
        XCTAssertEqual(CountProgress.line(done: 3, total: 10, noun: "people done", elapsed: 2), "3/10 people done")
    }

    func testClosestTitles() {
        let titles = ["Lobby", "Release 3.1", "Release 3.10", "Ops"]
        XCTAssertEqual(closestTitles(to: "lobby", among: titles), ["Lobby"])
        XCTAssertEqual(closestTitles(to: "Release 3.2", among: titles), ["Release 3.1", "Release 3.10"])
        XCTAssertEqual(closestTitles(to: "Marketing plans", among: titles), [])
        XCTAssertEqual(didYouMean("Lobb", among: titles), "; did you mean 'Lobby'?")
    }

    /// What `body` wrote to the file descriptor it is given.
    private func captured(_ body: (Int32) throws -> Void) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        try body(handle.fileDescriptor)
        try handle.close()
        return try String(contentsOf: url, encoding: .utf8)
    }
}
