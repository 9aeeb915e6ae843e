import XCTest
@testable import SparkSpace

final class JSONTests: XCTestCase {
    func testRoundTripKeepsTypesAndSortsKeys() throws {
        let text = #"{"b":1,"a":[true,false,null,1.5,-3],"c":"x\"y\\z\n\u00e9\ud83d\ude00"}"#
        let value = try JSON.parse(text)
        XCTAssertEqual(value["b"], .int(1))
        XCTAssertEqual(value["a"]?.array?.first, .bool(true))
        XCTAssertEqual(value["c"]?.string, "x\"y\\z\né😀")
        XCTAssertEqual(value.compactText, #"{"a":[true,false,null,1.5,-3],"b":1,"c":"x\"y\\z\né😀"}"#)
        XCTAssertEqual(try JSON.parse(value.compactText), value)
    }

    func testControlCharactersAreEscaped() {
        XCTAssertEqual(JSON.string("a\u{01}b\tc").compactText, #""a\u0001b\tc""#)
    }

    func testInvalidDocumentsThrow() {
        for bad in ["", "{", "[1,]", #"{"a" 1}"#, "tru", "\"abc", "1 2", "{\"a\":\u{01}}"] {
            XCTAssertThrowsError(try JSON.parse(bad), bad)
        }
    }

    func testPrettyOutputIsIndentedAndSorted() {
        let value: JSON = ["z": 1, "a": ["x": [1, 2]]]
        XCTAssertEqual(value.prettyText, "{\n  \"a\": {\n    \"x\": [\n      1,\n      2\n    ]\n  },\n  \"z\": 1\n}")
    }

    func testWriteObjectMergesSortsAndLetsExtrasWin() {
        let base: [String: JSON] = ["mentionedPeople": 1, "mentioned_ids": 2, "id": "a", "é": true, "Z": 0, "mention": 3]
        var out: [UInt8] = []
        JSON.writeObject(base, adding: [("id", "b"), ("aa", .null), ("id", "c")], pretty: false, indent: 0, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       #"{"Z":0,"aa":null,"id":"c","mention":3,"mentionedPeople":1,"mentioned_ids":2,"é":true}"#)
        XCTAssertEqual(JSON.object(base).merging([("id", "b")])["id"], "b")
    }

    func testDeepNestingIsAnErrorNotACrash() {
        XCTAssertThrowsError(try JSON.parse(String(repeating: "[", count: 100_000)))
    }
}

final class LinkHeaderTests: XCTestCase {
    func testNextLinkFound() {
        let header = #"<https://webexapis.com/v1/rooms?max=2&cursor=abc>; rel="next", <https://x/first>; rel="first""#
        let links = parseLinkHeader(header)
        XCTAssertEqual(links["next"], "https://webexapis.com/v1/rooms?max=2&cursor=abc")
        XCTAssertEqual(links["first"], "https://x/first")
    }

    func testCommaInsideURLAndNoQuotes() {
        let links = parseLinkHeader("<https://h/a?x=1,2>; rel=next")
        XCTAssertEqual(links["next"], "https://h/a?x=1,2")
        XCTAssertTrue(parseLinkHeader(nil).isEmpty)
        XCTAssertTrue(parseLinkHeader("garbage").isEmpty)
    }
}
