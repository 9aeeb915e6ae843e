import Foundation
import XCTest

/// Issue 25 item 1: an API that hands out ids meant to escape their collection, memberships of
/// another room or team, and the identity in use under an e-mail only. Nothing outside what was
/// asked for is ever written: no `DELETE /rooms` or `/teams`, no foreign membership touched.
final class HostileIdsTests: XCTestCase {
    /// A Webex-like id: base64url of `ciscospark://us/KIND/NAME`.
    static func id(_ kind: String, _ name: String) -> String {
        Data("ciscospark://us/\(kind)/\(name)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    let roomId = id("ROOM", "ops"), otherRoom = id("ROOM", "other"), teamId = id("TEAM", "platform")
    let otherTeam = id("TEAM", "other"), botId = id("PEOPLE", "bot")

    func member(_ id: String, _ email: String, room: String? = nil, team: String? = nil, person: String? = nil) -> String {
        var fields = [#""id":"\#(id)""#, #""personEmail":"\#(email)""#, #""personId":"\#(person ?? Self.id("PEOPLE", email))""#,
                      #""isModerator":false"#, #""isRoomHidden":false"#]
        if let room { fields.append(#""roomId":"\#(room)""#) }
        if let team { fields.append(#""teamId":"\#(team)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    func items(_ objects: [String]) -> HostileResponder.Reply {
        .json("{\"items\":[" + objects.joined(separator: ",") + "]}")
    }

    /// Webex as an attacker would write it: every listing carries hostile items.
    func hostileAPI(_ request: HostileResponder.Request) -> HostileResponder.Reply {
        let path = request.target.split(separator: "?").first.map(String.init) ?? ""
        if request.method == "DELETE" || request.method == "PUT" { return .json("{}", status: request.method == "PUT" ? 200 : 204) }
        switch path {
        case "/v1/people/me":
            return .json(#"{"id":"\#(botId)","emails":["bot@example.com"],"displayName":"Bot"}"#)
        case "/v1/teams":
            return .json(#"{"items":[{"id":"\#(teamId)","name":"Platform"}]}"#)
        case "/v1/rooms":
            return .json(#"{"items":[{"id":"\#(roomId)","title":"Ops","type":"group"}]}"#)
        case "/v1/memberships":
            return items([
                member("../rooms/\(otherRoom)", "mallory@example.com", room: roomId),
                member(Self.id("TEAM", "x"), "trudy@example.com", room: roomId),
                member(Self.id("MEMBERSHIP", "eve"), "eve@example.com", room: otherRoom),
                member(Self.id("MEMBERSHIP", "self"), "BOT@example.com", room: roomId, person: Self.id("PEOPLE", "alias")),
                member(Self.id("MEMBERSHIP", "carol"), "carol@example.com", room: roomId),
            ])
        case "/v1/team/memberships":
            return items([
                member("../../teams/\(otherTeam)", "mallory@example.com", team: teamId),
                member(Self.id("TEAM_MEMBERSHIP", "eve"), "eve@example.com", team: otherTeam),
                member(Self.id("TEAM_MEMBERSHIP", "self"), "bot@example.com", team: teamId, person: Self.id("PEOPLE", "alias")),
                member(Self.id("TEAM_MEMBERSHIP", "zed"), "zed@example.com", team: teamId),
            ])
        default:
            return .json(#"{"message":"not found"}"#, status: 404)
        }
    }

    func testPruneNeverWritesOutsideTheRoomAndTeamAskedFor() throws {
        let server = try HostileResponder { request, _ in self.hostileAPI(request) }
        defer { server.close() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let manifest = dir.appendingPathComponent("spaces.yaml")
        try """
            teams:
              - name: Platform
                members: [alice@example.com]
            rooms:
              - title: Ops
                participants: [alice@example.com]

            """.write(to: manifest, atomically: true, encoding: .utf8)
        let r = try spark(["provision", "-f", manifest.path, "--prune", "-o", "json", "--api-url", server.baseURL],
                          env: hostileEnv)
        let writes = server.requests.filter { $0.method != "GET" }
        let deletes = writes.filter { $0.method == "DELETE" }.map(\.target)
        XCTAssertFalse(deletes.contains { $0.hasPrefix("/v1/rooms") || $0.hasPrefix("/v1/teams") }, "\(deletes)")
        // Carol and Zed (listed, in the room/team asked for, with plausible ids) go; nobody else.
        XCTAssertEqual(Set(deletes), ["/v1/memberships/\(Self.id("MEMBERSHIP", "carol"))",
                                      "/v1/team/memberships/\(Self.id("TEAM_MEMBERSHIP", "zed"))"], "\(deletes)")
        XCTAssertFalse(writes.contains { $0.target.contains("eve") || $0.target.contains(Self.id("MEMBERSHIP", "self")) })
        // The implausible ids are failed rows, not `done`: exit 1, a re-run can be looked at.
        XCTAssertEqual(r.code, 1, r.stderr)
        let rows = try XCTUnwrap(try r.json() as? [[String: String]])
        let mallory = rows.filter { $0["target"] == "mallory@example.com" }
        XCTAssertEqual(mallory.count, 2, "\(rows)")
        XCTAssertTrue(mallory.allSatisfy { $0["result"]?.hasPrefix("failed: refused an implausible") == true }, "\(rows)")
        let trudy = rows.first { $0["target"] == "trudy@example.com" }
        XCTAssertTrue(trudy?["result"]?.hasPrefix("failed:") == true, "an id of another kind: \(rows)")
        XCTAssertFalse(rows.contains { $0["target"]?.lowercased() == "bot@example.com" }, "the identity in use: \(rows)")
        XCTAssertFalse(rows.contains { $0["target"] == "eve@example.com" }, "a foreign membership: \(rows)")
    }
}
