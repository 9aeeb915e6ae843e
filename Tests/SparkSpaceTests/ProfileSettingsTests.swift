import Foundation
import XCTest
@testable import SparkSpace

/// `profiles.NAME` laid over the top-level keys, `oauth.*`, `network.api_url` (issue 27).
final class ProfileSettingsTests: XCTestCase {
    private func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "profiles-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private let yaml = """
        space: {room: Top, token: top-token}
        network: {api_url: http://top/v1}
        oauth: {client_id: top-client, client_secret: $TOP_SECRET}
        profiles:
          work:
            space: {room: Work}
            network: {api_url: http://work/v1}
            oauth: {client_id: work-client}
          empty: {}
          bare:
        profiles.dotted.space.room: Dotted

        """

    func testProfileKeysOverTheTopLevelEveryTime() throws {
        let path = try file(yaml)
        let loader = SettingsLoader(environment: ["HOME": "/nonexistent", "TOP_SECRET": "s3cret-value"])
        // Dictionary order varies between runs: a lost key would show within a few tries.
        for _ in 0..<20 {
            let s = try loader.load(file: path, profile: "work")
            XCTAssertEqual([s.room, s.apiURL, s.clientId, s.token, s.clientSecret],
                           ["Work", "http://work/v1", "work-client", "top-token", "s3cret-value"])
            XCTAssertEqual(s.sources["space.room"], .profile)
            XCTAssertEqual(s.sources["space.token"], .file)
            XCTAssertEqual(s.sourceName(.profile), "profile work")
            XCTAssertEqual(s.signInProfile, "work")
        }
        let top = try loader.load(file: path)
        XCTAssertEqual([top.room, top.apiURL, top.clientId], ["Top", "http://top/v1", "top-client"])
        XCTAssertEqual(top.signInProfile, "default")
        XCTAssertEqual(top.profiles, ["bare", "dotted", "empty", "work"])
        XCTAssertEqual(try loader.load(file: path, profile: "dotted").room, "Dotted")
        XCTAssertEqual(try loader.load(file: path, profile: "empty").room, "Top")
        XCTAssertEqual(try loader.profileNames(file: path), ["bare", "dotted", "empty", "work"])
    }

    func testTheEnvironmentChoosesAProfileAndAFlagWins() throws {
        let path = try file(yaml)
        let env = ["HOME": "/nonexistent", "TOP_SECRET": "x", "SPARK_SPACE_PROFILE": "work"]
        XCTAssertEqual(try SettingsLoader(environment: env).load(file: path).room, "Work")
        XCTAssertEqual(try SettingsLoader(environment: env).load(file: path, profile: "dotted").room, "Dotted")
        let s = try SettingsLoader(environment: env).load(file: path, overrides: ["space.room": "Flag"])
        XCTAssertEqual(s.room, "Flag")
    }

    func testUnknownProfileNamesTheClosest() throws {
        let path = try file(yaml)
        XCTAssertThrowsError(try SettingsLoader(environment: ["TOP_SECRET": "x"]).load(file: path, profile: "wrok")) {
            XCTAssertEqual("\($0)", "no profile 'wrok' in settings file \(path); did you mean 'work'?")
        }
        XCTAssertThrowsError(try SettingsLoader(environment: [:]).load(file: nil, profile: "work")) {
            XCTAssertEqual("\($0)", "no profile 'work': no settings file defines profiles")
        }
    }

    func testUnknownKeyInsideAProfileSuggestsInsideIt() throws {
        let path = try file("profiles:\n  work:\n    space: {rooom: X}\n")
        XCTAssertThrowsError(try SettingsLoader(environment: [:]).load(file: path)) {
            XCTAssertTrue("\($0)".contains("unknown key 'profiles.work.space.rooom'; did you mean 'profiles.work.space.room'?"),
                          "\($0)")
        }
    }

    func testOAuthFromTheEnvironmentAndAPIURLSpelledTwice() throws {
        let env = ["SPARK_OAUTH_CLIENT_ID": "env-client", "SPARK_OAUTH_CLIENT_SECRET": "env-secret-value"]
        let s = try SettingsLoader(environment: env).load(file: nil)
        XCTAssertEqual([s.clientId, s.clientSecret], ["env-client", "env-secret-value"])
        XCTAssertEqual(s.sources["oauth.client_id"], .env)
        XCTAssertEqual(s.redactedJSON["oauth"]?["client_secret"]?.string, "***alue")
        let twice = try file("api_url: http://a/v1\nnetwork: {api_url: http://b/v1}\n")
        XCTAssertThrowsError(try SettingsLoader(environment: [:]).load(file: twice)) {
            XCTAssertTrue("\($0)".contains("api_url is given twice"), "\($0)")
        }
    }
}
