import XCTest
@testable import SparkSpace

/// The JSON parser against a table in the style of JSONTestSuite (written here): `y_` documents
/// must parse, `n_` ones must be refused, `i_` ones may go either way but must not trap.
final class JSONTestSuiteTests: XCTestCase {
    private let accepted: [(String, String)] = [
        ("y_number_zero", "[0]"), ("y_number_negative_zero", "[-0]"), ("y_number_int", "[123]"),
        ("y_number_negative_int", "[-123]"), ("y_number_fraction", "[1.5]"), ("y_number_zero_fraction", "[0.25]"),
        ("y_number_exponent", "[1e3]"), ("y_number_capital_exponent", "[1E3]"), ("y_number_exponent_plus", "[1e+3]"),
        ("y_number_exponent_minus", "[1e-3]"), ("y_number_fraction_exponent", "[-1.5E-2]"),
        ("y_number_zero_exponent", "[0e1]"), ("y_object_empty", "{}"), ("y_array_empty", "[]"),
        ("y_array_nested", "[[[]]]"), ("y_object_nested", #"{"a":{"b":[1,{"c":null}]}}"#),
        ("y_string_empty", #"[""]"#), ("y_string_escapes", #"["\"\\\/\b\f\n\r\t"]"#),
        ("y_string_unicode_escape", #"["\u00e9"]"#), ("y_string_surrogate_pair", #"["\ud83d\ude00"]"#),
        ("y_string_utf8", "[\"café ☕\"]"), ("y_literals", "[true,false,null]"),
        ("y_whitespace", " \t\r\n[ 1 , 2 ]\n "), ("y_scalar_top_level", "42"), ("y_string_top_level", #""x""#),
        ("y_object_duplicate_keys", #"{"a":1,"a":2}"#),
    ]

    private let refused: [(String, String)] = [
        ("n_number_plus", "[+1]"), ("n_number_leading_zero", "[01]"), ("n_number_negative_leading_zero", "[-01]"),
        ("n_number_trailing_dot", "[1.]"), ("n_number_leading_dot", "[.5]"), ("n_number_minus_dot", "[-.5]"),
        ("n_number_minus_alone", "[-]"), ("n_number_exponent_alone", "[1e]"), ("n_number_exponent_sign_alone", "[1e+]"),
        ("n_number_dot_exponent", "[1.e3]"), ("n_number_hex", "[0x1]"), ("n_number_infinity", "[Infinity]"),
        ("n_number_nan", "[NaN]"), ("n_number_double_minus", "[--1]"), ("n_number_plus_plus", "[1e++1]"),
        ("n_number_two_dots", "[1.2.3]"), ("n_number_space_inside", "[1 2]"),
        ("n_array_trailing_comma", "[1,]"), ("n_array_leading_comma", "[,1]"), ("n_array_unclosed", "[1"),
        ("n_object_trailing_comma", #"{"a":1,}"#), ("n_object_unquoted_key", "{a:1}"),
        ("n_object_single_quotes", "{'a':1}"), ("n_object_missing_colon", #"{"a" 1}"#),
        ("n_string_unterminated", #"["abc]"#), ("n_string_raw_newline", "[\"a\nb\"]"),
        ("n_string_raw_tab", "[\"a\tb\"]"), ("n_string_bad_escape", #"["\x41"]"#),
        ("n_string_short_unicode", #"["\u12"]"#), ("n_literal_capital", "[True]"), ("n_literal_truncated", "[nul]"),
        ("n_empty", ""), ("n_whitespace_only", " "), ("n_trailing_garbage", "[1]x"), ("n_two_documents", "{} {}"),
    ]

    /// Implementation-defined: the parser picks, but never traps.
    private let either: [String] = [
        "[1e400]", "[-1e400]", "[123456789012345678901234567890]", "[1e-400]", #"["\ud800"]"#, #"["\udc00"]"#,
        #"["\ud800\ud800"]"#, "[-9223372036854775809]", "[9223372036854775808]",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ]

    func testAcceptedDocumentsParse() {
        for (name, text) in accepted {
            XCTAssertNoThrow(try JSON.parse(Array(text.utf8)), name)
        }
    }

    func testRefusedDocumentsAreErrors() {
        for (name, text) in refused {
            XCTAssertThrowsError(try JSON.parse(Array(text.utf8)), name)
        }
    }

    func testImplementationDefinedDocumentsDoNotTrap() {
        for text in either { _ = try? JSON.parse(Array(text.utf8)) }
    }

    func testNumbersKeepTheirValue() throws {
        XCTAssertEqual(try JSON.parse("[-0.5e1]").array, [.double(-5)])
        XCTAssertEqual(try JSON.parse("[10]").array, [.int(10)])
        XCTAssertEqual(try JSON.parse("[0]").array, [.int(0)])
        XCTAssertNil(try JSON.parse("[1e300]").array?.first?.int, "a huge number is no Int (and no trap)")
    }

    func testALoneHighSurrogateKeepsTheNextCharacter() throws {
        XCTAssertEqual(try JSON.parse(#""A\uD800\u0041BC""#).string, "A\u{FFFD}ABC")
        XCTAssertEqual(try JSON.parse(#""\uD800x""#).string, "\u{FFFD}x")
        XCTAssertEqual(try JSON.parse(#""\uDC00\u00e9""#).string, "\u{FFFD}é")
        XCTAssertEqual(try JSON.parse(#""\uD83D\uDE00""#).string, "😀")
    }

    func testTheWriterEscapesEveryControlByteAndReadsItBack() throws {
        for byte in UInt8(0)...0x1F {
            let text = "a" + String(UnicodeScalar(byte)) + "b"
            var out: [UInt8] = []
            JSON.string(text).write(into: &out)
            XCTAssertFalse(out.contains { $0 < 0x20 }, "byte \(byte) written raw")
            XCTAssertEqual(try JSON.parse(out).string, text, "byte \(byte)")
        }
        var out: [UInt8] = []
        JSON.string("\"\\\u{7F}").write(into: &out)
        XCTAssertEqual(try JSON.parse(out).string, "\"\\\u{7F}")
    }
}
