import Foundation
import XCTest
@testable import SparkSpace
import SparkSpaceListen

final class SignatureTests: XCTestCase {
    func testKnownHMACSHA1Vectors() {
        // RFC 2202 test case 2 and the classic "quick brown fox" vector.
        XCTAssertEqual(WebhookSignature.sign(Array("what do ya want for nothing?".utf8), secret: "Jefe"),
                       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        XCTAssertEqual(WebhookSignature.sign(Array("The quick brown fox jumps over the lazy dog".utf8), secret: "key"),
                       "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")
        XCTAssertEqual(WebhookSignature.sign([UInt8](), secret: ""), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d")
    }

    func testVerify() {
        let body = Array("{\"id\":\"x\"}".utf8)
        let good = WebhookSignature.sign(body, secret: "s")
        XCTAssertTrue(WebhookSignature.verify(body, secret: "s", signature: good))
        XCTAssertTrue(WebhookSignature.verify(body, secret: "s", signature: good.uppercased()))
        XCTAssertTrue(WebhookSignature.verify(body, secret: "s", signature: " \(good) "))
        XCTAssertFalse(WebhookSignature.verify(body, secret: "t", signature: good))
        XCTAssertFalse(WebhookSignature.verify(body + [32], secret: "s", signature: good))
        XCTAssertFalse(WebhookSignature.verify(body, secret: "s", signature: nil))
        XCTAssertFalse(WebhookSignature.verify(body, secret: "s", signature: ""))
        XCTAssertFalse(WebhookSignature.verify(body, secret: "s", signature: String(good.dropLast())))
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(WebhookSignature.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(WebhookSignature.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(WebhookSignature.constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertTrue(WebhookSignature.constantTimeEquals([], []))
    }
}

final class PullStateTests: XCTestCase {
    func testRoundTripAndAtomicWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("state.json").path
        XCTAssertEqual(try PullState.load(path: path), PullState())
        let state = PullState(rooms: ["R1": PullCursor(lastId: "M1", lastCreated: "2026-11-25T10:00:00.000Z"),
                                      "R2": PullCursor()])
        try state.save(path: path)
        XCTAssertEqual(try PullState.load(path: path), state)
        try PullState(rooms: [:]).save(path: path)
        XCTAssertEqual(try PullState.load(path: path), PullState())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["state.json"])
    }

    /// The receiver's configuration is bounded once, and read-only after: a caller cannot hand the
    /// serving threads a value that traps or stops them (no workers, a timeout that is not a number).
    func testReceiverConfigurationIsBounded() {
        let config = WebhookReceiver.Configuration(maxBodyBytes: -5, workers: 0, headTimeout: .nan, bodyTimeout: -1)
        XCTAssertEqual(config.maxBodyBytes, 0)
        XCTAssertEqual(config.workers, 1)
        XCTAssertEqual(config.headTimeout, 10)
        XCTAssertEqual(config.bodyTimeout, 0.001)
    }

    func testBadStateFileIsInvalidInput() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try "[1]".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PullState.load(path: path)) { error in
            guard case SparkError.invalidInput = error else { return XCTFail("\(error)") }
        }
    }

    func testWriteIntoMissingDirectoryIsIOError() {
        XCTAssertThrowsError(try PullState().save(path: "/nonexistent-dir-xyz/state.json")) { error in
            guard case SparkError.io = error else { return XCTFail("\(error)") }
        }
    }
}
