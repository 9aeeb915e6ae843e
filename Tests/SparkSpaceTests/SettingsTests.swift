import Foundation
import MockWebex
import XCTest
@testable import SparkSpace

final class SettingsTests: XCTestCase {
    private func file(_ text: String, ext: String = "yaml") throws -> String {
        let path = NSTemporaryDirectory() + "settings-\(UUID().uuidString).\(ext)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testDefaults() throws {
        let s = try SettingsLoader(environment: ["HOME": "/nonexistent"]).load(file: nil)
        XCTAssertNil(s.room, "no default title: the fallback is provision's alone")
        XCTAssertEqual(Settings.fallbackRoomTitle, "Collaboration space")
        XCTAssertEqual(s.sources["space.room"], .default)
        XCTAssertEqual(s.apiURL, "https://webexapis.com/v1")
        XCTAssertEqual(s.hook, "/hook")
        XCTAssertEqual(s.port, 8080)
        XCTAssertEqual(s.binding, "0.0.0.0")
        XCTAssertEqual(s.retryDelays, [0.1, 1, 5])
        XCTAssertNil(s.token)
    }

    func testEnvironmentFallbacks() throws {
        let env = ["HOME": "/nonexistent", "CISCO_SPARK_BOT_TOKEN": "b", "CISCO_SPARK_AUDIT_TOKEN": "a",
                   "CHAT_ROOM_TITLE": "Ops", "CHANNEL_DEFAULT_PARTICIPANTS": "x@y.com, z@y.com",
                   "SERVER_URL": "https://hook.example", "SPARK_WEBHOOK_SECRET": "s", "SPARK_API_URL": "http://l/v1"]
        let s = try SettingsLoader(environment: env).load(file: nil)
        XCTAssertEqual([s.token, s.auditToken, s.room, s.serverURL, s.secret, s.apiURL],
                       ["b", "a", "Ops", "https://hook.example", "s", "http://l/v1"])
        XCTAssertEqual(s.participants, ["x@y.com", "z@y.com"])
    }

    func testPrecedenceFlagOverFileOverEnvironment() throws {
        let path = try file("space:\n  room: From file\n  token: file-token\n")
        let env = ["CHAT_ROOM_TITLE": "From env", "CISCO_SPARK_BOT_TOKEN": "env-token"]
        let loader = SettingsLoader(environment: env)
        var s = try loader.load(file: path)
        XCTAssertEqual(s.room, "From file")
        XCTAssertEqual(s.token, "file-token")
        s = try loader.load(file: path, overrides: ["space.room": "From flag", "space.token": "flag-token"])
        XCTAssertEqual(s.room, "From flag")
        XCTAssertEqual(s.token, "flag-token")
    }

    func testDottedKeysSparkPrefixAndSingleParticipant() throws {
        let path = try file(#"{"spark.room": "Legacy", "space.participants": "bobby@jah.com", "space.team": "Anchor"}"#,
                            ext: "json")
        let s = try SettingsLoader(environment: [:]).load(file: path)
        XCTAssertEqual(s.room, "Legacy")
        XCTAssertEqual(s.participants, ["bobby@jah.com"])
        XCTAssertEqual(s.team, "Anchor")
    }

    func testVariableIndirection() throws {
        let path = try file("space:\n  token: $MY_BOT_TOKEN\n  room: ${ROOM}\nserver:\n  secret: $SECRET\n")
        let s = try SettingsLoader(environment: ["MY_BOT_TOKEN": "tok", "ROOM": "R", "SECRET": "sh"]).load(file: path)
        XCTAssertEqual([s.token, s.room, s.secret], ["tok", "R", "sh"])
    }

    func testUnsetVariableIsAnErrorNamingIt() throws {
        let path = try file("space:\n  token: $MY_BOT_TOKEN\n")
        XCTAssertThrowsError(try SettingsLoader(environment: [:]).load(file: path)) { error in
            XCTAssertTrue("\(error)".contains("$MY_BOT_TOKEN"), "\(error)")
            guard case SparkError.settings = error as! SparkError else { return XCTFail() }
        }
    }

    func testBadValuesAreErrors() throws {
        for text in ["server:\n  port: 99999\n", "network:\n  retry_delays: [1, x]\n", "- a\n- b\n", "a: [unclosed\n"] {
            XCTAssertThrowsError(try SettingsLoader(environment: [:]).load(file: try file(text)), text)
        }
        XCTAssertThrowsError(try SettingsLoader(environment: [:]).load(file: "/nonexistent/settings.yaml"))
    }

    func testRetryDelaysAndPort() throws {
        let path = try file("network:\n  retry_delays: [0, 0.5]\nserver:\n  port: 9000\n")
        let s = try SettingsLoader(environment: [:]).load(file: path)
        XCTAssertEqual(s.retryDelays, [0, 0.5])
        XCTAssertEqual(s.port, 9000)
    }

    func testFileLocation() throws {
        let dir = NSTemporaryDirectory() + "xdg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/spark-space", withIntermediateDirectories: true)
        try "space:\n  room: XDG\n".write(toFile: dir + "/spark-space/settings.yaml", atomically: true, encoding: .utf8)
        XCTAssertEqual(try SettingsLoader(environment: ["XDG_CONFIG_HOME": dir]).load(file: nil).room, "XDG")
        let other = try file("space:\n  room: Env file\n")
        let env = ["XDG_CONFIG_HOME": dir, "SPARK_SPACE_CONFIG": other]
        XCTAssertEqual(try SettingsLoader(environment: env).load(file: nil).room, "Env file")
    }

    func testRedaction() {
        XCTAssertEqual(redact("abcdefghijkl1234"), "***1234")
        XCTAssertEqual(redact("short"), "***")
        var s = Settings()
        s.token = "verysecrettoken9876"
        let text = s.redactedJSON.compactText
        XCTAssertFalse(text.contains("verysecret"))
        XCTAssertTrue(text.contains("***9876"))
    }

    // MARK: Unknown keys, shapes and bounds (issues #11, #12)

    /// The settings error text for `text`, failing when it loads.
    private func settingsError(_ text: String, ext: String = "yaml", env: [String: String] = [:],
                               file line: StaticString = #filePath, line number: UInt = #line) throws -> String {
        let path = try file(text, ext: ext)
        do {
            _ = try SettingsLoader(environment: env).load(file: path)
            XCTFail("loaded: \(text.prefix(60))", file: line, line: number)
            return ""
        } catch SparkError.settings(let message) {
            XCTAssertTrue(message.contains(path), "no file in: \(message)", file: line, line: number)
            XCTAssertFalse(message.contains("\n"), message, file: line, line: number)
            return message
        }
    }

    func testUnknownKeysNameTheKeyAndTheClosestKnownOne() throws {
        var message = try settingsError("space:\n  title: Ops\n")
        XCTAssertTrue(message.contains("line 2") && message.contains("'space.title'"), message)
        XCTAssertTrue(message.contains("did you mean 'space.room'?"), message)
        message = try settingsError("participant: a@b.c\n")
        XCTAssertTrue(message.contains("did you mean 'space.participants'?"), message)
        message = try settingsError("spac:\n  room: Ops\n")
        XCTAssertTrue(message.contains("'spac'") && message.contains("did you mean 'space'?"), message)
        message = try settingsError(#"{"server": {"prot": 1}}"#, ext: "json")
        XCTAssertTrue(message.contains("did you mean 'server.port'?"), message)
        message = try settingsError("spark:\n  tokn: x\n")
        XCTAssertTrue(message.contains("did you mean 'space.token'?"), message)
    }

    func testSpaceAndSparkTogetherAndKeysGivenTwiceAreErrors() throws {
        XCTAssertTrue(try settingsError("space:\n  room: A\nspark:\n  team: B\n").contains("both space: and spark:"))
        XCTAssertTrue(try settingsError("spark:\n  team: B\nspace:\n  room: A\n").contains("both space: and spark:"))
        XCTAssertTrue(try settingsError("space.room: A\nspace:\n  room: B\n").contains("given twice"))
    }

    func testValuesOfTheWrongShapeAreErrors() throws {
        for text in ["space:\n  participants: {a: b}\n", "space:\n  room: [1, 2]\n",
                     "network:\n  retry_delays: \"x\"\n", "space: 5\n", "server:\n  port: {a: 1}\n",
                     "space:\n  participants: [[a]]\n", "- a\n- b\n", "just text\n"] {
            _ = try settingsError(text)
        }
    }

    func testRetryDelaysAndPortAreBounded() throws {
        for text in ["network:\n  retry_delays: [-1]\n", "network:\n  retry_delays: [3601]\n",
                     "network:\n  retry_delays: [.inf]\n", "network:\n  retry_delays: [.nan]\n",
                     "network:\n  retry_delays: [1e400]\n",
                     "network:\n  retry_delays: [" + Array(repeating: "1", count: 21).joined(separator: ",") + "]\n",
                     "server:\n  port: 65536\n", "server:\n  port: -1\n", "server:\n  port: 99999999999999999999\n"] {
            _ = try settingsError(text)
        }
        let path = try file("network:\n  retry_delays: [0, 3600]\nserver:\n  port: 0\n")
        let s = try SettingsLoader(environment: [:]).load(file: path)
        XCTAssertEqual(s.retryDelays, [0, 3600])
        XCTAssertEqual(s.port, 0)
    }

    func testTokensWithControlCharactersAreRefused() throws {
        let loader = SettingsLoader(environment: ["CISCO_SPARK_BOT_TOKEN": "abc\r\nX-Evil: 1"])
        XCTAssertThrowsError(try loader.load(file: nil)) { error in
            XCTAssertFalse("\(error)".contains("abc"), "the token must not show: \(error)")
            guard case SparkError.settings = error as! SparkError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SettingsLoader(environment: [:]).load(file: nil, overrides: ["space.audit_token": "a\nb"]))
        XCTAssertTrue(try settingsError("space:\n  token: \"ab\\ncd\"\n").contains("control character"))
        XCTAssertEqual(try SettingsLoader(environment: ["CISCO_SPARK_BOT_TOKEN": "plain-token"]).load(file: nil).token,
                       "plain-token")
    }

    func testSourcesSayWhereEachValueCameFrom() throws {
        let path = try file("space:\n  room: From file\n")
        let env = ["CISCO_SPARK_BOT_TOKEN": "env-token", "HOME": "/nonexistent"]
        let s = try SettingsLoader(environment: env).load(file: path, overrides: ["api_url": "http://x/v1"])
        XCTAssertEqual(s.sources["space.room"], .file)
        XCTAssertEqual(s.sources["space.token"], .env)
        XCTAssertEqual(s.sources["api_url"], .flag)
        XCTAssertEqual(s.sources["server.port"], .default)
        XCTAssertEqual(s.sourcesJSON["space.room"]?.string, "file")
        XCTAssertEqual(Set(s.sources.keys), Set(Settings.keys))
    }

    // MARK: Hostile files (issue #12)

    func testAHugeKeyGivesAShortMessage() throws {
        // An explicit key (`? `): libyaml refuses implicit keys over 1024 characters.
        let message = try settingsError("? " + String(repeating: "k", count: 900_000) + "\n: 1\n")
        XCTAssertTrue(message.contains("unknown key 'kkk"), String(message.prefix(200)))
        XCTAssertLessThan(message.count, 400)
    }

    func testComplexKeysAreRefused() throws {
        let message = try settingsError("? [a, b]\n: c\n")
        XCTAssertTrue(message.contains("key must be plain text"), message)
        _ = try settingsError("{[1]: 2}\n")
    }

    func testDeepNestingIsRefusedNotACrash() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertTrue(try settingsError("space:\n  room: " + deep + "\n").contains("nesting deeper"))
        let json = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        _ = try settingsError(json, ext: "json")
    }

    func testAliasesAreRefused() throws {
        var laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (index, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].enumerated() {
            let previous = index == 0 ? "a" : ["b", "c", "d", "e", "f", "g", "h"][index - 1]
            laughs += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        XCTAssertTrue(try settingsError(laughs).contains("aliases"))
    }

    func testLargeFilesMultipleDocumentsAndBadSyntaxAreRefused() throws {
        XCTAssertTrue(try settingsError("# " + String(repeating: "x", count: 1 << 20) + "\n").contains("larger than 1 MB"))
        XCTAssertTrue(try settingsError("space:\n  room: A\n---\nspace:\n  room: B\n").contains("more than one"))
        XCTAssertTrue(try settingsError("space:\n  room: [unclosed\n").contains("line"))
        XCTAssertTrue(try settingsError("{\"space\": ", ext: "json").contains("not valid JSON"))
    }

    func testEmptyFilesBOMAndNullsLoad() throws {
        for text in ["", "# only a comment\n", "~\n", "\u{FEFF}space:\n  room:\n"] {
            let s = try SettingsLoader(environment: ["CHAT_ROOM_TITLE": "Env"]).load(file: try file(text))
            XCTAssertEqual(s.room, "Env", text)
        }
        let s = try SettingsLoader(environment: [:]).load(file: try file("\u{FEFF}{\"space\": {\"room\": \"J\"}}", ext: "json"))
        XCTAssertEqual(s.room, "J")
    }

    /// Seeded random and mutated YAML and JSON: the loader loads or throws `SparkError.settings`, never crashes.
    func testFuzzedFilesLoadOrFailCleanly() throws {
        var rng = SplitMix64(state: 0x5EED_2026)
        let seeds = [
            "space:\n  room: Ops\n  participants: [a@b.c, d@e.f]\n  token: $TOKEN\nserver:\n  port: 8080\n",
            "network:\n  retry_delays: [0.1, 1, 5]\nspark.team: T\napi_url: http://x\n",
            #"{"space": {"room": "J", "participants": ["a"]}, "server": {"port": 1, "hook": "/h"}}"#,
            "a: &x [1, 2]\nb: *x\n? [k]\n: v\n- item\n'q': \"w\\n\"\n{[x]: y}\n!!binary aGk=\n|\n  block\n",
        ]
        let alphabet = Array("{}[]:,-?&*!|>'\"#%@`\n \t\\abcspace.room0123456789~$".utf8)
        let directory = NSTemporaryDirectory() + "settings-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var loaded = 0, refused = 0
        for round in 0..<2000 {
            var bytes = Array(seeds[Int(rng.next() % UInt64(seeds.count))].utf8)
            for _ in 0..<(1 + Int(rng.next() % 8)) { mutate(&bytes, alphabet: alphabet, rng: &rng) }
            let path = directory + "/\(round)." + (rng.next() % 3 == 0 ? "json" : "yaml")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try SettingsLoader(environment: ["TOKEN": "t", "HOME": "/nonexistent"]).load(file: path)
                loaded += 1
            } catch SparkError.settings(let message) {
                XCTAssertFalse(message.contains("\n"), message)
                refused += 1
            }
        }
        XCTAssertEqual(loaded + refused, 2000)
        XCTAssertGreaterThan(loaded, 0, "the mutations should leave some files loadable")
        XCTAssertGreaterThan(refused, 0)
    }

    private func mutate(_ bytes: inout [UInt8], alphabet: [UInt8], rng: inout SplitMix64) {
        let position = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 5 {
        case 0 where !bytes.isEmpty: bytes.remove(at: position)
        case 1: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: position)
        case 2 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
        case 3: bytes.insert(contentsOf: bytes[position...].prefix(Int(rng.next() % 16)), at: position)
        default: bytes = Array(bytes.prefix(position))
        }
    }
}

