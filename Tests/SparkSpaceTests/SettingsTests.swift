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
        XCTAssertEqual(s.room, "Collaboration space")
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
}
