import XCTest
@testable import SparkSpace

/// Issue 25: what the JSON writer does with hostile strings and numbers from the API.
final class JSONHostileTests: XCTestCase {
    private func written(_ json: JSON) -> String {
        var out: [UInt8] = []
        json.write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testInvisibleAndBidiControlsAreEscapedLosslessly() throws {
        let hostile = "a\u{9B}31m\u{85}b\u{202E}c\u{2028}d\u{2029}e\u{200F}\u{2066}\u{061C}f é€😀"
        let text = written(.string(hostile))
        XCTAssertEqual(text, #""a\u009b31m\u0085b\u202ec\u2028d\u2029e\u200f\u2066\u061cf é€😀""#)
        // Still valid JSON, and the same string back.
        XCTAssertEqual(try JSON.parse(text), .string(hostile))
        XCTAssertEqual(written(.string("\u{1B}[2J")), #""\u001b[2J""#)
    }

    func testNumbersArePrintedAsTheyCame() throws {
        let huge = "1" + String(repeating: "0", count: 399)
        for text in ["1e400", "-1e400", huge, "-" + huge, "18446744073709551616"] {
            let parsed = try JSON.parse(#"{"n":\#(text)}"#)
            XCTAssertEqual(written(parsed), #"{"n":\#(text)}"#)
        }
        XCTAssertEqual(written(try JSON.parse("[1,2.5,-3,9223372036854775807]")), "[1,2.5,-3,9223372036854775807]")
        XCTAssertEqual(try JSON.parse("12").int, 12)
    }
}
