import SparkSpace
import XCTest
@testable import SparkSpaceCLI

/// The settings and environment reference has one source (`SettingsReference`): the man page and
/// docs/guide.md's "Settings reference" are made from it, and it names every key the library reads.
final class SettingsReferenceTests: XCTestCase {
    func testEveryKeyOfTheSettingsIsInTheReferenceOnce() {
        // `profiles.NAME.KEY` is the shape of a profile, not one more key.
        let keys = SettingsReference.settings.flatMap(\.keys).filter { !$0.hasPrefix("profiles.") }
        XCTAssertEqual(keys.sorted(), Settings.keys.sorted())
        XCTAssertEqual(Set(keys).count, keys.count)
    }

    func testTheManPageIsMadeFromTheReference() {
        let page = manPage()
        for line in SettingsReference.manSettings + SettingsReference.manEnvironment {
            XCTAssertTrue(page.contains(line + "\n"), line)
        }
        XCTAssertTrue(page.contains(".B space.room\nDefault room title."))
        XCTAssertTrue(page.contains("Default: \\fB$CHAT_ROOM_TITLE\\fR."))
    }

    /// The guide's tables are the generated ones (on failure: paste the expected text there).
    func testTheGuideTablesAreMadeFromTheReference() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let guide = try String(contentsOf: root.appendingPathComponent("docs/guide.md"), encoding: .utf8)
        XCTAssertTrue(guide.contains("\n" + SettingsReference.markdownSettings + "\n"),
                      "docs/guide.md: the settings table should read\n" + SettingsReference.markdownSettings)
        XCTAssertTrue(guide.contains("\n" + SettingsReference.markdownEnvironment + "\n"),
                      "docs/guide.md: the environment table should read\n" + SettingsReference.markdownEnvironment)
    }

    func testMarkedTextIsBoldInRoff() {
        XCTAssertEqual(SettingsReference.roffMarked("API base (flag `--api-url`)."), "API base (flag \\fB\\-\\-api\\-url\\fR).")
    }
}
