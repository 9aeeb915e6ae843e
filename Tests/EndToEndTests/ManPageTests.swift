import Foundation
@testable import SparkSpaceCLI
import XCTest

/// man/spark-space.1: generated from the command table, checked in, lint-clean.
final class ManPageTests: XCTestCase {
    func testCheckedInManPageIsWhatTheBinaryGenerates() throws {
        let generated = try spark(["help", "--man"])
        XCTAssertEqual(generated.code, 0, generated.stderr)
        XCTAssertTrue(try repoFile("man/spark-space.1") == generated.stdout,
                      "man/spark-space.1 differs from `spark-space help --man`: run `make generate`")
    }

    func testMandocLintReportsNothing() throws {
        let lint = try runTool("mandoc", ["-Tlint", "-W", "warning", "man/spark-space.1"], directory: repoRoot)
        XCTAssertEqual(lint.code, 0, lint.stderr)
        XCTAssertEqual(lint.stdout + lint.stderr, "")
    }

    /// mandoc is the linter CI installs; groff checks too where it is installed.
    func testGroffReportsNothing() throws {
        try XCTSkipIf(try runTool("sh", ["-c", "command -v groff"]).code != 0, "groff is not installed")
        let check = try runTool("groff", ["-man", "-ww", "-z", "man/spark-space.1"], directory: repoRoot)
        XCTAssertEqual(check.code, 0, check.stderr)
        XCTAssertEqual(check.stdout + check.stderr, "")
    }

    /// The lint test would catch a broken page (and mandoc is really there).
    func testMandocLintCatchesABrokenPage() throws {
        let page = try temporaryDirectory().appendingPathComponent("broken.1")
        try ".TH BROKEN 1\n.SH NAME\nbroken\n\n.PP\n.PP\n".write(to: page, atomically: true, encoding: .utf8)
        let lint = try runTool("mandoc", ["-Tlint", "-W", "warning", page.path])
        XCTAssertNotEqual(lint.stdout + lint.stderr, "")
    }

    /// Backslashes, leading dots, quotes and non-ASCII in the table come out as valid roff.
    func testAnAwkwardTableStillLintsClean() throws {
        let page = try temporaryDirectory().appendingPathComponent("awkward.1")
        try manPage(root: awkwardTable()).write(to: page, atomically: true, encoding: .utf8)
        let lint = try runTool("mandoc", ["-Tlint", "-W", "warning", page.path])
        XCTAssertEqual(lint.stdout + lint.stderr, "")
        let text = try runTool("mandoc", ["-Tascii", "-O", "width=200", page.path]).stdout
            .replacingOccurrences(of: ".\u{8}", with: "", options: .regularExpression)
        XCTAssertTrue(text.contains(#"it's [odd]: "quoted" \ $HOME `date` 50% *; (a|b) {c} -- 'end'"#), text)
        XCTAssertTrue(text.contains(".starts with a dot"), text)
    }

    func testEveryCommandAndOptionIsDocumented() throws {
        let page = manPage()
        for command in rootCommand.descendants.dropFirst() {
            let title = roff("spark-space " + command.path)
            XCTAssertTrue(page.contains(".SS \"\(title)\"\n"), "no section for \(command.path)")
            for option in command.options + globalOptions {
                XCTAssertTrue(page.contains("\\fB" + roff("--" + option.long) + "\\fR"), "--\(option.long)")
            }
        }
    }

    func testRendersTheProseSections() throws {
        let text = try runTool("mandoc", ["-Tutf8", "-O", "width=100", "man/spark-space.1"], directory: repoRoot)
            .stdout.replacingOccurrences(of: ".\u{8}", with: "", options: .regularExpression)  // overstrike bold
        for heading in ["NAME", "SYNOPSIS", "DESCRIPTION", "GLOBAL OPTIONS", "COMMANDS", "SETTINGS", "ENVIRONMENT",
                        "FILES", "EXIT STATUS", "EXAMPLES"] {
            XCTAssertTrue(text.contains("\n\(heading)\n"), heading)
        }
        XCTAssertTrue(text.contains("jq -r"), "jq recipes")
        XCTAssertTrue(text.contains("provision --dry-run"), "CI provisioning")
        XCTAssertTrue(text.contains("spark-space completions zsh"), "examples from the table")
    }

    func testManTakesNoCommand() throws {
        let result = try spark(["help", "--man", "whoami"])
        XCTAssertEqual(result.code, 2)
        XCTAssertEqual(result.stdout, "")
    }
}
