import Foundation
import SparkSpace
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
