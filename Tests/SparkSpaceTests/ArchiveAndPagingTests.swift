import Foundation
import XCTest

@testable import SparkSpace

/// Issue 11: the helpers behind `--download DIR` archives and the last page's `max`.
final class ArchiveAndPagingTests: XCTestCase {
    func testNumberedNamesKeepTheExtension() {
        XCTAssertEqual(AttachmentName.numbered("report.pdf", 1), "report (1).pdf")
        XCTAssertEqual(AttachmentName.numbered("README", 2), "README (2)")
        XCTAssertEqual(AttachmentName.numbered("a.tar.gz", 3), "a.tar (3).gz")
    }

    func testLoweringMaxTouchesOnlyMaxAndOnlyDownwards() {
        let url = "https://x/v1/messages?roomId=R%2B1&max=1000&cursor=abc"
        XCTAssertEqual(PageIterator.lowering(url, max: 200), "https://x/v1/messages?roomId=R%2B1&max=200&cursor=abc")
        XCTAssertEqual(PageIterator.lowering(url, max: 5000), url)
        XCTAssertEqual(PageIterator.lowering("https://x/v1/rooms?cursor=abc", max: 3), "https://x/v1/rooms?cursor=abc")
        XCTAssertEqual(PageIterator.lowering("https://x/v1/rooms", max: 3), "https://x/v1/rooms")
    }

    func testTheIndexIgnoresLinesThatCouldEscapeTheDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let lines = "u1\tgood.txt\nu2\t../evil\nu3\t.hidden\nu4\ta/b\nno-tab-line\n\tempty-url\nu5\tlast (1).txt"
        try Data(lines.utf8).write(to: URL(fileURLWithPath: dir + "/" + DownloadIndex.fileName))
        let index = try DownloadIndex(directory: dir)
        XCTAssertEqual(index.saved("u1"), "good.txt")
        XCTAssertEqual(index.saved("u5"), "last (1).txt")
        for url in ["u2", "u3", "u4", "no-tab-line", ""] { XCTAssertNil(index.saved(url), url) }

        try index.add("u6", name: "new.bin")
        XCTAssertEqual(try DownloadIndex(directory: dir).saved("u6"), "new.bin")
        let text = try String(contentsOfFile: dir + "/" + DownloadIndex.fileName, encoding: .utf8)
        // The last line had no newline: the new one still starts on its own line.
        XCTAssertTrue(text.hasSuffix("u5\tlast (1).txt\nu6\tnew.bin\n"), text)
    }
}
