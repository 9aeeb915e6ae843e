import SparkSpace
import XCTest
@testable import SparkSpaceCLI

final class ParserTests: XCTestCase {
    let parser = Parser()

    func testGlobalOptionsAnywhereAndBothValueForms() throws {
        let p = try parser.parse(["-o", "json", "settings", "show", "--config=a.yaml", "-v", "--room", "R"])
        XCTAssertEqual(p.command.path, "settings show")
        XCTAssertEqual(p.value("output"), "json")
        XCTAssertEqual(p.value("config"), "a.yaml")
        XCTAssertEqual(p.value("room"), "R")
        XCTAssertTrue(p.has("verbose"))
    }

    func testCombinedShortFlagsAndAttachedValue() throws {
        let p = try parser.parse(["whoami", "-qv", "-ojson"])
        XCTAssertTrue(p.has("quiet"))
        XCTAssertTrue(p.has("verbose"))
        XCTAssertEqual(p.value("output"), "json")
    }

    func testDoubleDashEndsOptions() throws {
        let p = try parser.parse(["help", "--", "--version"])
        XCTAssertEqual(p.positionals, ["--version"])
        XCTAssertFalse(p.wantsVersion)
    }

    func testWhatFollowsDoubleDashIsTheCommandAndItsArguments() throws {
        var p = try parser.parse(["--token", "X", "--", "whoami"])
        XCTAssertEqual(p.command.path, "whoami")
        XCTAssertEqual(p.value("token"), "X")
        XCTAssertEqual(p.positionals, [])
        p = try parser.parse(["--", "rooms", "rename", "-old-", "--new--"])
        XCTAssertEqual(p.command.path, "rooms rename")
        XCTAssertEqual(p.positionals, ["-old-", "--new--"])
        XCTAssertThrowsError(try parser.parse(["--", "whoamii"]))
    }

    func testDiagnosticsShowControlsAsEscapes() {
        XCTAssertEqual(sanitizedForTerminal("plain café ☕"), "plain café ☕")
        XCTAssertEqual(sanitizedForTerminal("a\u{1B}[2J\u{7}\r\n\t\u{7F}\u{9B}b"), "a\\x1b[2J\\x07\\x0d\\x0a\\x09\\x7f\\x9bb")
        XCTAssertEqual(sanitizedForTerminal("x\u{202E}y\u{2028}z\u{200F}\u{2066}"), "x\\u202ey\\u2028z\\u200f\\u2066")
    }

    func testRepeatedOptionsKeepAllValues() throws {
        let p = try parser.parse(["whoami", "-c", "a", "-c", "b"])
        XCTAssertEqual(p.all("config"), ["a", "b"])
        XCTAssertEqual(p.value("config"), "b")
    }

    func testUnknownCommandSuggests() {
        XCTAssertThrowsError(try parser.parse(["whoamii"])) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'whoami'"), "\(error)")
        }
    }

    func testUnknownFlagSuggests() {
        XCTAssertThrowsError(try parser.parse(["whoami", "--verbos"])) { error in
            XCTAssertTrue("\(error)".contains("did you mean '--verbose'"), "\(error)")
        }
    }

    func testBadChoiceAndMissingValue() {
        XCTAssertThrowsError(try parser.parse(["-o", "xml", "whoami"])) {
            XCTAssertTrue("\($0)".contains("table, wide, tsv, json, ndjson"))
        }
        XCTAssertThrowsError(try parser.parse(["whoami", "--config"]))
        XCTAssertThrowsError(try parser.parse(["whoami", "--json=yes"]))
    }

    func testArgumentCountsChecked() throws {
        XCTAssertThrowsError(try checkArguments(try parser.parse(["whoami", "extra"])))
        XCTAssertNoThrow(try checkArguments(try parser.parse(["help", "settings", "show"])))
    }

    func testEditDistance() {
        XCTAssertEqual(editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(editDistance("", "abc"), 3)
    }
}

final class OutputTests: XCTestCase {
    func testTableTruncatesOnlyTruncatableColumnsToWidth() throws {
        let output = Output(format: .table, out: FDWriter(fd: -1), color: false, width: 30)
        let lines = output.tableLines([["id": "1", "title": .string(String(repeating: "t", count: 60))]],
                                      columns: [Column("id"), Column("title", truncatable: true)], header: true)
        XCTAssertEqual(lines[0], "id  title")
        XCTAssertTrue(lines[1].hasSuffix("…"))
        XCTAssertLessThanOrEqual(lines[1].count, 30)
    }

    func testCellsFlattenListsAndTabs() {
        XCTAssertEqual(cellText(["a@x", "b@x"]), "a@x,b@x")
        XCTAssertEqual(sanitizeCell("a\tb\nc"), "a b c")
    }
}
