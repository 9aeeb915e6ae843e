import MockWebex
import XCTest

@testable import SparkSpace

/// `RawItems` + `RawObjectWriter` (the fast path of `walk-messages`) must print byte
/// for byte what parsing into `JSON` and `JSON.writeObject` print, and reject what
/// `JSON.parse` rejects.
final class RawJSONTests: XCTestCase {
    /// The general path: parse the page (an empty body is `{}`, as `WebexClient.decode`
    /// has it), write each item as an event (or as it is).
    private func generalLines(_ page: [UInt8], hook: String?, indent: Int? = nil) throws -> [String] {
        let items = page.isEmpty ? [] : try JSON.parse(page)["items"]?.array ?? []
        return items.map { item in
            var out: [UInt8] = []
            if let hook, case .object(let base) = item {
                JSON.writeObject(base, adding: Events.messageFields(item, hook: hook), pretty: indent != nil,
                                 indent: indent ?? 0, into: &out)
            } else if let indent {
                item.writePretty(into: &out, indent: indent)
            } else {
                item.write(into: &out)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    private func rawLines(_ page: [UInt8], hook: String?, indent: Int? = nil) throws -> [String] {
        let items = try RawItems(page: page)
        var writer = RawObjectWriter(indent: indent)
        return (0..<items.count).map { index in
            var out: [UInt8] = []
            let item = items[index]
            writer.write(item, adding: hook.map { Events.messageFields(item, hook: $0) } ?? [], into: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    private func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try assertSame(Array(text.utf8), file: file, line: line)
    }

    private func assertSame(_ page: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        for hook in [nil, "shellbot-messages"] {
            for indent in [nil, 0, 1] {
                XCTAssertEqual(try rawLines(page, hook: hook, indent: indent),
                               try generalLines(page, hook: hook, indent: indent),
                               String(decoding: page, as: UTF8.self), file: file, line: line)
            }
        }
    }

    /// SPEC: a field the API sends as `null` gets the default of a missing one, on both paths.
    func testNullFieldsGetTheDefaultsOfMissingOnes() throws {
        let page = #"""
            {"items":[
              {"id":"m1","html":null,"text":"plain","mentionedPeople":null},
              {"id":"m2","html":null,"text":null},
              {"id":"m3","text" : null ,"mentionedPeople":["p1"]}
            ]}
            """#
        try assertSame(page)
        let events = try generalLines(Array(page.utf8), hook: "h").map { try JSON.parse(Array($0.utf8)) }
        XCTAssertEqual(events.map { $0["content"] }, [.string("plain"), .string(""), .string("")])
        XCTAssertEqual(events.map { $0["mentioned_ids"] }, [.array([]), .array([]), .array([.string("p1")])])
    }

    func testMessagesPrintAsTheGeneralPathPrintsThem() throws {
        try assertSame(#"""
            {"items":[
              {"id":"m1","roomId":"r1","roomType":"group","text":"hi","personId":"p1","personEmail":"a@x.com",
               "created":"2026-11-25T10:00:00.000Z","mentionedPeople":["p2","p3"]},
              {"id":"m2","roomType":"direct","html":"<b>x</b>","text":"x","files":["https://f/1","https://f/2"]},
              {"id":"m3","files":[],"text":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n\t","markdown":"é ü 😀"},
              {"id":1,"n":-0,"f":1.50,"e":1e3,"big":123456789012345678901,"t":true,"u":false,"z":null},
              {"type":"not a message","content":"replaced","hook":"replaced too","stamp":7},
              {"a":{"nested":{"deep":[1,{"b":"c"}]}},"mentionedPeople":{"odd":"type"}},
              {},
              {"dup":"first","dup":"second","text":"one","text":"two"},
              {"k\u00e9y":"escaped key","ключ":"non-ASCII key","":"empty key"},
              {"mentioned_ids":"before","mentionedPeople":["p"],"mentionedPeoplf":1,"mentione":2},
              {"a":1,"b":2,"c":3}, {"a":1,"files":["https://f/3"]}, {"a":1,"b":2,"c":3},
              "a string item", 42, null, [1, 2], true
            ],"notItems":{"x":[1,2,3]}}
            """#)
    }

    func testRepliesCarryParentIdInBothPaths() throws {
        try assertSame(#"""
            {"items":[
              {"id":"m1","roomId":"r1","parentId":"m0","text":"reply","created":"2026-11-25T10:00:00.000Z"},
              {"id":"m2","parentId":null},
              {"id":"m3","parentId":{"odd":["type"]},"parent_id":"replaced"},
              {"id":"m4","parent_id":"kept: not a reply"}
            ]}
            """#)
        let page = try RawItems(page: Array(#"{"items":[{"id":"m1","parentId":"m0"}]}"#.utf8))
        XCTAssertTrue(Events.messageFields(page[0], hook: "h").contains { $0.0 == "parent_id" })
        XCTAssertFalse(Events.messageFields(JSON.object(["id": "m"]), hook: "h").contains { $0.0 == "parent_id" })
        // A null parentId is no reply (SPEC: null gets the default of a missing field), in both paths.
        let null = try RawItems(page: Array(#"{"items":[{"id":"m2","parentId":null}]}"#.utf8))
        XCTAssertFalse(Events.messageFields(null[0], hook: "h").contains { $0.0 == "parent_id" })
        XCTAssertFalse(Events.messageFields(JSON.object(["parentId": .null]), hook: "h").contains { $0.0 == "parent_id" })
    }

    func testWhitespaceAndOtherTopLevelMembers() throws {
        try assertSame(" \n{ \"before\" : [ ] , \"items\" : [ { \"a\" : \"b\" , \"c\" : [ 1 , 2 ] } ] , \"after\" : 1 } \n")
        try assertSame(#"{"items":[{"a":1}],"items":[{"b":2}]}"#)  // the last `items` wins, as when parsed
        try assertSame(#"{"items":{"not":"an array"}}"#)
        try assertSame(#"{"other":1}"#)
        try assertSame(#"[{"items":[1]}]"#)
        XCTAssertEqual(try RawItems(page: []).count, 0)
    }

    func testInvalidUTF8IsRepairedTheSameWay() throws {
        var page = Array(#"{"items":[{"text":"ab"#.utf8)
        page += [0xFF, 0xC3, 0x28, 0xE2, 0x82]
        page += Array(#"cd","id":"x"}]}"#.utf8)
        try assertSame(page)
    }

    func testBadPagesAreRejectedAsByTheParser() {
        let bad = [
            #"{"items":[{"a":"b"}]"#, #"{"items":[{"a":"b"},]}"#, #"{"items":[{"a" "b"}]}"#,
            #"{"items":[{"a":"b\u12"}]}"#, #"{"items":[{"a":"b\x"}]}"#, #"{"items":[{"a":tru}]}"#,
            #"{"items":[{"a":"b"}]} x"#, "{\"items\":[{\"a\":\"b\u{01}\"}]}", #"{"items":[{1:"b"}]}"#,
            #"{"items":[{"a":-}]}"#, #"{"items":[{"a":"b"]}"#,
        ]
        for text in bad {
            XCTAssertThrowsError(try JSON.parse(text), text)
            XCTAssertThrowsError(try RawItems(page: Array(text.utf8)), text)
        }
        var deep = #"{"items":[{"a":"#
        deep += String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}]}"
        XCTAssertThrowsError(try JSON.parse(deep))
        XCTAssertThrowsError(try RawItems(page: Array(deep.utf8)))
    }

    /// Seeded random pages and random damage to them: same output, same refusals.
    func testRandomPagesAndDamage() throws {
        var random = SplitMix64(state: 20261126)
        for round in 0..<400 {
            let page = Array(randomPage(&random).utf8)
            try assertSame(page)
            var damaged = page
            let at = Int(random.next() % UInt64(damaged.count))
            switch random.next() % 3 {
            case 0: damaged.removeSubrange(at...)
            case 1: damaged[at] = UInt8(truncatingIfNeeded: random.next())
            default: damaged.insert(UInt8(truncatingIfNeeded: random.next() % 128), at: at)
            }
            let general = Result { try generalLines(damaged, hook: "h") }
            let raw = Result { try rawLines(damaged, hook: "h") }
            switch (general, raw) {
            case (.success(let a), .success(let b)): XCTAssertEqual(a, b, "round \(round)")
            case (.failure, .failure): break
            default:
                XCTFail("round \(round): one path accepted what the other refused: general \(general), raw \(raw), "
                        + String(decoding: damaged, as: UTF8.self))
            }
        }
    }

    func testCreatedMillisAndKeepFirst() throws {
        var items = try RawItems(page: Array(#"""
            {"items":[{"created":"2026-11-25T10:00:00.250Z"},{"created":"2026-11-25T10:00:01Z"},{"x":1},
                      {"created":"2026-11-25T10:00:02\u002e5Z"}]}
            """#.utf8))
        XCTAssertEqual(items[0].createdMillis, RFC3339.millis("2026-11-25T10:00:00.250Z"))
        XCTAssertEqual(items[1].createdMillis, RFC3339.millis("2026-11-25T10:00:01Z"))
        XCTAssertNil(items[2].createdMillis)
        XCTAssertEqual(items[3].createdMillis, RFC3339.millis("2026-11-25T10:00:02.5Z"))
        XCTAssertEqual(items[0]["created"], .string("2026-11-25T10:00:00.250Z"))
        XCTAssertEqual(items[2].json, ["x": 1])
        items.keepFirst(2)
        XCTAssertEqual(items.count, 2)
    }

    private func randomPage(_ random: inout SplitMix64) -> String {
        let keys = ["id", "text", "html", "roomId", "roomType", "personId", "personEmail", "created",
                    "mentionedPeople", "mentioned_ids", "files", "type", "content", "hook", "url", "k\\u00e9y",
                    "ключ", "", "a\\\"b", "mentionedGroups", "isVoiceClip"]
        let values = ["\"plain\"", "\"direct\"", "\"group\"", "\"with \\\"escape\\\" \\n\"", "\"\\u00e9\\ud83d\\ude00\"",
                      "\"é😀\"", "\"\\/\"", "1", "-12", "3.25", "1e-2", "true", "false", "null", "[]",
                      "[\"https://f/1\"]", "[1,[2,{\"a\":null}]]", "{}", "{\"x\":\"y\"}", "\"2026-11-25T10:00:00Z\""]
        func pick(_ list: [String]) -> String { list[Int(random.next() % UInt64(list.count))] }
        func space() -> String { random.next() % 4 == 0 ? " \n\t" : "" }
        var items: [String] = []
        for _ in 0..<(random.next() % 6) {
            if random.next() % 10 == 0 {
                items.append(pick(values))
                continue
            }
            let members = (0..<(random.next() % 12)).map { _ in
                "\(space())\"\(pick(keys))\"\(space()):\(space())\(pick(values))\(space())"
            }
            items.append("{" + members.joined(separator: ",") + "}")
        }
        return "{\(space())\"items\":[\(items.joined(separator: ",\(space())"))]\(space())}"
    }
}
