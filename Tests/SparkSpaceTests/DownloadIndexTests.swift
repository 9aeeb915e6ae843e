import Foundation
import XCTest
@testable import SparkSpace

/// Issue 25: the archive's download index is never followed through a link, trusts no path that is
/// not a regular file in the directory, is read as a stream, and names copies linearly without a limit.
final class DownloadIndexTests: XCTestCase {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func testASymlinkedIndexIsNeitherReadNorAppendedTo() throws {
        let dir = try scratch()
        let victim = try scratch() + "/bashrc"
        try "export SAFE=1\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/" + DownloadIndex.fileName, withDestinationPath: victim)
        XCTAssertThrowsError(try DownloadIndex(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("symbolic link"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "export SAFE=1\n")
        // Made a link after it was read: the append refuses too.
        let other = try scratch()
        let index = try DownloadIndex(directory: other)
        try FileManager.default.createSymbolicLink(atPath: other + "/" + DownloadIndex.fileName, withDestinationPath: victim)
        XCTAssertThrowsError(try index.add("https://x/1", name: "a.txt"))
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "export SAFE=1\n")
    }

    func testAnIndexLineNamingALinkIsNotTrusted() throws {
        let dir = try scratch()
        try FileManager.default.createSymbolicLink(atPath: dir + "/report.txt", withDestinationPath: "/etc/passwd")
        try "https://files.test/contents/1\treport.txt\n".write(toFile: dir + "/" + DownloadIndex.fileName,
                                                                atomically: true, encoding: .utf8)
        var settings = Settings()
        settings.token = "bot-token"
        var headers = HTTPHeaders()
        headers.add("Content-Disposition", "attachment; filename=\"report.txt\"")
        let transport = ScriptedTransport([.success(HTTPResponse(status: 200, headers: headers, body: []))])
        let space = Space(settings: settings, transport: transport)
        let index = try DownloadIndex(directory: dir)
        let file = try space.archive("https://files.test/contents/1", into: dir, index: index)
        XCTAssertFalse(file.reused, "a link in DIR was trusted as the saved file")
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(file.name, "report (1).txt")
    }

    func testAnIndexIsReadAcrossBlocks() throws {
        let dir = try scratch()
        var text = ""
        for i in 0..<20_000 { text += "https://files.test/contents/\(i)\tfile-\(i)-\(String(repeating: "x", count: i % 50)).bin\n" }
        text += "https://files.test/contents/last\tlast.bin"  // no final newline
        try text.write(toFile: dir + "/" + DownloadIndex.fileName, atomically: true, encoding: .utf8)
        let index = try DownloadIndex(directory: dir)
        for i in [0, 1, 4_095, 10_000, 19_999] {
            XCTAssertEqual(index.saved("https://files.test/contents/\(i)"),
                           "file-\(i)-\(String(repeating: "x", count: i % 50)).bin")
        }
        XCTAssertEqual(index.saved("https://files.test/contents/last"), "last.bin")
    }

    func testCopiesAreNamedLinearlyWithoutALimit() throws {
        let index = try DownloadIndex(directory: try scratch())
        var taken = Set<String>()
        var probes = 0
        for _ in 0..<12_000 {
            let name = index.freeName(for: "a.txt") { candidate in
                probes += 1
                return taken.contains(candidate)
            }
            taken.insert(name)
        }
        XCTAssertTrue(taken.contains("a (11999).txt"), "past 10,000")
        XCTAssertEqual(probes, 12_000, "one probe per save when nothing else takes the names")
    }
}
