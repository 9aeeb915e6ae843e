import Foundation
import MockWebex
import XCTest

/// Issue 7: the fault and security suite — walks under injected faults, downloads onto a full disk.
final class FaultSuiteTests: MockTestCase {
    var patientRetries: String {
        get throws { try writeFile("s.yaml", "network:\n  retry_delays: [0, 0, 0, 0, 0, 0, 0, 0]\n") }
    }

    func testWalkOf5000UnderFaultsLosesNothingAndRepeatsNothing() throws {
        let room = mock.addRoom(title: "Faulty", members: ["alice@example.com"])
        mock.addMessages(roomId: room.id, count: 5000, fromEmail: "alice@example.com")
        // One of each kind for certain, then 5% 429, 5% 5xx and 2% dropped connections at random.
        for fault: MockWebexServer.Fault in [.drop, .status(503), .status(429, retryAfter: "0"), .truncateBody,
                                              .status(500)] {
            mock.inject(fault, method: "GET", pathPrefix: "/messages")
        }
        mock.randomFaults(seed: 42, rate429: 0.05, rate5xx: 0.05, rateDrop: 0.02, pathPrefix: "/messages",
                          method: "GET")
        let r = try run(["walk-messages", room.id, "-o", "ndjson", "--raw", "-c", try patientRetries, "-v"],
                        env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let got = try r.lines().map { $0["id"] as? String }
        let expected = mock.messages(roomId: room.id).map { $0["id"] as? String }
        XCTAssertEqual(got.count, 5000)
        XCTAssertTrue(got == expected, "walk output differs from the mock's messages")
        XCTAssertEqual(Set(got).count, 5000, "a message was printed twice")
        XCTAssertGreaterThanOrEqual(mock.requests(method: "GET", pathPrefix: "/messages").count, 5 + 5)
    }

    func testDownloadOntoAFullDiskIsAClearErrorAndLeavesNoFile() throws {
        let dir = NSTemporaryDirectory() + "tiny-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        try XCTSkipIf(mount.terminationStatus != 0, "cannot mount a tmpfs here (needs root)")
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [dir]
            try? umount.run()
            umount.waitUntilExit()
        }
        let url = mock.addContent(filename: "big.bin", data: Data(repeating: 7, count: 1 << 20))
        let r = try run(["attachments", "download", url, "-d", dir])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("disk full"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "no partial file survives")
    }
}
