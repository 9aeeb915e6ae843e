import Foundation
import MockWebex
import XCTest

/// Issue 4: `attachments name|download`.
final class AttachmentsTests: MockTestCase {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("att-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    private func sha256(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    private func sha256(_ data: Data) throws -> String {
        let path = try scratch() + "/blob"
        try data.write(to: URL(fileURLWithPath: path))
        return try sha256(path)
    }

    private func payload(_ count: Int, seed: Int = 1) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2654435761 &+ seed) >> 7) })
    }

    private var fastRetries: String {
        get throws { try writeFile("s.yaml", "network:\n  retry_delays: [0, 0, 0]\n") }
    }

    // MARK: name

    func testNameFromContentDispositionForms() throws {
        let cases: [(String?, String?, String)] = [
            ("report.pdf", nil, "report.pdf"),
            (nil, "attachment; filename=plain.txt", "plain.txt"),
            (nil, "attachment; filename=\"quoted name.txt\"", "quoted name.txt"),
            (nil, "attachment; filename=\"ascii.txt\"; filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt", "naïve €.txt"),
            (nil, "attachment", "downloadable"),
            (nil, "attachment; filename=\"../../etc/passwd\"", "passwd"),
        ]
        for (filename, disposition, expected) in cases {
            let url = mock.addContent(filename: filename, data: Data("abc".utf8), contentDisposition: disposition)
            let r = try run(["attachments", "name", url, "-o", "json"])
            XCTAssertEqual(r.code, 0, r.stderr)
            let item = try r.json() as! [String: Any]
            XCTAssertEqual(item["name"] as? String, expected, "\(String(describing: disposition))")
            XCTAssertEqual(item["size"] as? Int, 3)
            let tsv = try run(["attachments", "name", url])
            XCTAssertEqual(tsv.stdout, "\(expected)\t3\n")
        }
        XCTAssertEqual(mock.requests(method: "HEAD", pathPrefix: "/contents").count, cases.count * 2)
        XCTAssertTrue(mock.requests(method: "GET", pathPrefix: "/contents").isEmpty)
    }

    func testNameOfMissingContentIsNotFound() throws {
        let r = try run(["attachments", "name", mock.baseURL + "/contents/Y2lzY29zcGFyazovL3VzL0NPTlRFTlQvbm9uZQ"])
        XCTAssertEqual(r.code, 4, r.stderr)
    }

    // MARK: download

    func testDownloadStreamsAndMatchesSHA256() throws {
        let data = payload(3_000_000)
        let url = mock.addContent(filename: "big.bin", data: data)
        let dir = try scratch()
        let r = try run(["attachments", "download", url, "-d", dir])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "\(dir)/big.bin\t\(data.count)\n")
        XCTAssertEqual(try sha256("\(dir)/big.bin"), try sha256(data))
        XCTAssertEqual(listing(dir), ["big.bin"])
        let mode = try FileManager.default.attributesOfItem(atPath: "\(dir)/big.bin")[.posixPermissions] as? Int
        XCTAssertNotEqual(mode, 0o600, "saved files get the usual umask permissions")
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/contents").first?.token, "bot-token")
    }

    func testSeveralURLsJSONAndMissingDirIsMade() throws {
        let a = mock.addContent(filename: "a.txt", data: Data("A".utf8))
        let b = mock.addContent(filename: "b.txt", data: Data("BB".utf8))
        let dir = try scratch() + "/new/sub"
        let r = try run(["attachments", "download", a, b, "--dir", dir, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let items = try r.json() as! [[String: Any]]
        XCTAssertEqual(items.map { $0["path"] as? String }, ["\(dir)/a.txt", "\(dir)/b.txt"])
        XCTAssertEqual(items.map { $0["size"] as? Int }, [1, 2])
        XCTAssertEqual(listing(dir), ["a.txt", "b.txt"])
    }

    func testHostileNamesStayInsideDir() throws {
        let base = try scratch()
        let dir = base + "/inner/dl"
        let cases: [(String, String)] = [
            ("attachment; filename=\"../../x\"", "x"),
            ("attachment; filename=\"/etc/passwd\"", "passwd"),
            ("attachment; filename=\"a/b\"", "b"),
            ("attachment; filename=\"..\\\\..\\\\win.ini\"", "win.ini"),
            ("attachment; filename*=UTF-8''..%2F..%2Fencoded", "encoded"),
            // (raw control characters cannot travel in an HTTP header; percent-encoded ones can)
            ("attachment; filename*=UTF-8''ev%01il%1B%5B0m%7F.txt", "evil[0m.txt"),
            ("attachment; filename=\"tab\there.txt\"", "tabhere.txt"),
            ("attachment; filename*=UTF-8''bad%0Aline%00.txt", "badline.txt"),
            ("attachment; filename=\".hidden\"", "hidden"),
            ("attachment; filename=\"\"", "downloadable"),
            ("attachment; filename=\"..\"", "downloadable"),
        ]
        for (index, (disposition, expected)) in cases.enumerated() {
            let data = payload(1000 + index, seed: index)
            let url = mock.addContent(filename: nil, data: data, contentDisposition: disposition)
            let r = try run(["attachments", "download", url, "-d", dir, "--force"])
            XCTAssertEqual(r.code, 0, "\(disposition): \(r.stderr)")
            XCTAssertEqual(r.stdout, "\(dir)/\(expected)\t\(data.count)\n", disposition)
            XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/\(expected)"), data, disposition)
        }
        XCTAssertEqual(listing(base), ["inner"])
        XCTAssertEqual(listing(base + "/inner"), ["dl"])
        XCTAssertFalse(listing(dir).contains { $0.hasPrefix(".") }, "\(listing(dir))")
    }

    func testExistingFileIsExit5UnlessForce() throws {
        let dir = try scratch()
        try Data("mine".utf8).write(to: URL(fileURLWithPath: "\(dir)/keep.txt"))
        let url = mock.addContent(filename: "keep.txt", data: Data("theirs".utf8))
        var r = try run(["attachments", "download", url, "-d", dir])
        XCTAssertEqual(r.code, 5, r.stderr)
        XCTAssertTrue(r.stderr.contains("--force"), r.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/keep.txt"), Data("mine".utf8))
        XCTAssertEqual(listing(dir), ["keep.txt"])
        r = try run(["attachments", "download", url, "-d", dir, "--force"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/keep.txt"), Data("theirs".utf8))
        XCTAssertEqual(listing(dir), ["keep.txt"])
    }

    func testInterruptedTransferLeavesNoFile() throws {
        let url = mock.addContent(filename: "broken.bin", data: payload(200_000))
        let dir = try scratch()
        mock.inject(.truncateBody, method: "GET", pathPrefix: "/contents", times: 10)
        let r = try run(["attachments", "download", url, "-d", dir, "-c", try fastRetries])
        XCTAssertEqual(r.code, 6, r.stderr)
        XCTAssertEqual(listing(dir), [], "no partial or temporary file survives")
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/contents").count, 4)
    }

    func testRetriedTransferRestartsItsFile() throws {
        let data = payload(200_000, seed: 9)
        let url = mock.addContent(filename: "retry.bin", data: data)
        let dir = try scratch()
        mock.inject(.truncateBody, method: "GET", pathPrefix: "/contents", times: 2)
        let r = try run(["attachments", "download", url, "-d", dir, "-c", try fastRetries])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try sha256("\(dir)/retry.bin"), try sha256(data))
        XCTAssertEqual(listing(dir), ["retry.bin"])
    }

    func testStillScanning423ThenSuccess() throws {
        let data = payload(10_000, seed: 3)
        let url = mock.addContent(filename: "scanned.pdf", data: data, scanningRetries: 3)
        let dir = try scratch()
        let r = try run(["attachments", "download", url, "-d", dir])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try sha256("\(dir)/scanned.pdf"), try sha256(data))
        XCTAssertEqual(mock.requests(pathPrefix: "/contents").map(\.method), ["GET", "GET", "GET", "GET"],
                       "3 × 423, then the GET: no HEAD")
    }

    func testUnsafeFileIsGoneAndOthersStillDownload() throws {
        let bad = mock.addContent(filename: "virus.exe", data: Data("x".utf8), unsafe: true)
        let good = mock.addContent(filename: "good.txt", data: Data("fine".utf8))
        let dir = try scratch()
        let r = try run(["attachments", "download", bad, good, "-d", dir])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("410"), r.stderr)
        XCTAssertEqual(r.stdout, "\(dir)/good.txt\t4\n")
        XCTAssertEqual(listing(dir), ["good.txt"])
    }

    func testStdout() throws {
        let data = payload(100_000, seed: 5)
        let url = mock.addContent(filename: "x.bin", data: data)
        let r = try run(["attachments", "download", "--stdout", url])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdoutData, data)
    }

    func testCtrlCDuringTransferLeavesNoFile() throws {
        let url = mock.addContent(filename: "slow.bin", data: payload(50_000))
        let dir = try scratch()
        // Half the file arrives, then the transfer stalls: Ctrl-C comes while it is under way.
        mock.inject(.stallBody(10), method: "GET", pathPrefix: "/contents", times: 1)
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = ["attachments", "download", url, "-d", dir]
        process.environment = env.merging(["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]) { a, _ in a }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while listing(dir).isEmpty && Date() < deadline { usleep(20_000) }
        let during = listing(dir)
        XCTAssertEqual(during.count, 1)
        XCTAssertTrue(during.first?.hasPrefix(".download.") == true && during.first?.hasSuffix(".part") == true, "\(during)")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertEqual(listing(dir), [], "the temporary file is removed on Ctrl-C")
    }
}
