import Foundation
import MockWebex
import XCTest

/// Issue 15: `teams create|rename|delete` and `teams members list|add|remove` against the mock.
final class TeamAdminTests: MockTestCase {
    var writes: [MockRequest] { mock.requests.filter { $0.method != "GET" } }

    func testCreateRenameDelete() throws {
        var r = try run(["teams", "create", "Platform", "--description", "Platform engineering", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let created = try r.json() as! [String: Any]
        XCTAssertEqual(created["name"] as? String, "Platform")
        XCTAssertEqual(created["description"] as? String, "Platform engineering")
        let id = created["id"] as! String
        let post = try JSONSerialization.jsonObject(with: mock.requests(method: "POST", pathPrefix: "/teams")[0].body)
        XCTAssertEqual(post as? [String: String], ["name": "Platform", "description": "Platform engineering"])

        // --if-missing: the team of that name is printed and nothing is created (a CI re-run).
        mock.clearRequests()
        r = try run(["teams", "create", "Platform", "--if-missing", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, id)
        XCTAssertTrue(writes.isEmpty, "\(writes.map { "\($0.method) \($0.path)" })")
        r = try run(["teams", "create", "Infra", "--if-missing", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.teams().filter { $0["name"] as? String == "Infra" }.count, 1)
        XCTAssertEqual(try run(["teams", "create", "Infra"]).code, 0, "without it, a second one (Webex allows it)")
        XCTAssertEqual(try run(["teams", "create", "Infra", "--if-missing"]).code, 5, "two of that name")

        r = try run(["teams", "rename", "Platform", "Platform (old)", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["name"] as? String, "Platform (old)")
        XCTAssertEqual(mock.teams().first?["name"] as? String, "Platform (old)")

        mock.clearRequests()
        r = try run(["teams", "delete", "Platform (old)"])
        XCTAssertEqual(r.code, 2, "no --yes and stdin not a terminal")
        XCTAssertTrue(r.stderr.contains("--yes"), r.stderr)
        XCTAssertTrue(mock.requests.isEmpty, "refused before any request")

        r = try run(["teams", "delete", id, "--yes"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(writes.map { "\($0.method) \($0.path)" }, ["DELETE /teams/\(id)"])
        XCTAssertFalse(mock.teams().contains { $0["id"] as? String == id })
        XCTAssertEqual(try run(["teams", "delete", id, "--yes"]).code, 4)
    }

    func testNotFoundSuggestsTheClosestNamesAndTwinsConflict() throws {
        mock.addTeam(name: "Platform")
        mock.addTeam(name: "Twin")
        mock.addTeam(name: "Twin")
        var r = try run(["teams", "rename", "Platfrom", "X"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(r.stderr.contains("no team named 'Platfrom'; did you mean 'Platform'?"), r.stderr)
        r = try run(["teams", "members", "list", "Twin"])
        XCTAssertEqual(r.code, 5)
        XCTAssertTrue(writes.isEmpty)
    }

    func testBadInputIsExit2WithNoRequest() throws {
        mock.addTeam(name: "Platform")
        for args in [["teams", "create", "  "], ["teams", "rename", "Platform", ""], ["teams", "members", "add", "Platform"],
                     ["teams", "members", "add", "Platform", "not-an-email"], ["teams", "members", "remove", "Platform"]] {
            mock.clearRequests()
            let r = try run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(mock.requests.isEmpty, "\(args)")
        }
    }

    func testMembersAddListRemove() throws {
        let team = mock.addTeam(name: "Platform")
        mock.addTeamMember(teamId: team.id, email: "bob@example.com")
        var r = try run(["teams", "members", "add", "Platform", "bob@example.com", "carol@example.com", "-", "--moderator",
                         "-o", "json"], stdin: "dave@example.com\n# comment\n\n")
        XCTAssertEqual(r.code, 0, r.stderr)
        let rows = try r.json() as! [[String: Any]]
        XCTAssertEqual(rows.map { $0["email"] as! String }, ["bob@example.com", "carol@example.com", "dave@example.com"])
        // bob, a member already, is made a moderator (--moderator), said apart from the adds.
        XCTAssertEqual(rows.map { $0["status"] as! String }, ["updated", "added", "added"])
        XCTAssertTrue(r.stderr.contains("added 2, updated 1, unchanged 0, failed 0"), r.stderr)
        let members = mock.teamMembers(teamId: team.id)
        XCTAssertEqual(members.map(\.email), ["bob@example.com", "bot@example.com", "carol@example.com", "dave@example.com"])
        XCTAssertEqual(members.filter(\.isModerator).map(\.email),
                       ["bob@example.com", "bot@example.com", "carol@example.com", "dave@example.com"])
        mock.clearRequests()
        r = try run(["teams", "members", "add", "Platform", "bob@example.com", "--moderator"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(mock.requests(method: "PUT", pathPrefix: "/team/memberships").isEmpty, "a moderator already: unchanged")

        r = try run(["teams", "members", "list", "Platform", "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) },
                       ["bob@example.com", "bot@example.com", "carol@example.com", "dave@example.com"])
        XCTAssertEqual(mock.requests.last?.query["max"], "1000")

        mock.clearRequests()
        r = try run(["teams", "members", "remove", team.id, "carol@example.com", "erin@example.com", "dave@example.com",
                     "-o", "tsv"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: " ") },
                       ["carol@example.com removed", "erin@example.com unchanged", "dave@example.com removed"])
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/team/memberships").count, 1, "one listing for all")
        XCTAssertEqual(mock.requests(method: "DELETE", pathPrefix: "/team/memberships").count, 2)
        XCTAssertEqual(mock.teamMembers(teamId: team.id).map(\.email), ["bob@example.com", "bot@example.com"])
    }

    func testMembersOfAnUnknownTeam() throws {
        let r = try run(["teams", "members", "add", "Nope", "bob@example.com"])
        XCTAssertEqual(r.code, 4)
        XCTAssertTrue(writes.isEmpty)
    }

    func testMockRefusesWhatWebexRefuses() throws {
        let team = mock.addTeam(name: "Platform")
        // teamId is required to list; an unknown membership id is 404; a second add is 409.
        var r = try run(["api", "team/memberships"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("400 teamId is required"), r.stderr)
        r = try run(["api", "team/memberships/Y2lzY29zcGFyazovL3VzL1RFQU1fTUVNQkVSU0hJUC94", "-X", "DELETE"])
        XCTAssertEqual(r.code, 4)
        r = try run(["api", "team/memberships", "-f", "teamId=\(team.id)", "-f", "personEmail=bot@example.com"])
        XCTAssertEqual(r.code, 5, r.stderr)
        r = try run(["api", "team/memberships", "-X", "GET", "-f", "teamId=\(team.id)"], env: ["CISCO_SPARK_BOT_TOKEN": "audit-token"])
        XCTAssertEqual(r.code, 4, "not a member of the team: " + r.stderr)
    }

    /// Runs the binary with stdin on a pseudo-terminal (util-linux `script`), answering `answer`.
    func onTerminal(_ args: [String], answer: String) throws -> RunResult {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw XCTSkip("util-linux script is needed for a pseudo-terminal")
        }
        let command = ([binaryURL.path] + args).map { "'\($0)'" }.joined(separator: " ")
        return try spark(["-qec", command, "/dev/null"], env: env, stdin: answer, executable: "/usr/bin/script")
    }

    func testDeletesAskOnATerminalAndANoIsExit1() throws {
        let team = mock.addTeam(name: "Doomed")
        let hook = mock.addWebhook(token: "bot-token", name: "doomed-hook")
        mock.addRoom(title: "Doomed room")
        for args in [["teams", "delete", "Doomed"], ["webhooks", "delete", hook], ["rooms", "delete", "Doomed room"]] {
            let r = try onTerminal(args, answer: "n\n")
            XCTAssertEqual(r.code, 1, "\(args): \(r.stdout)")
            XCTAssertTrue(r.stdout.contains("[y/N]") && r.stdout.contains("not confirmed; nothing done"), r.stdout)
        }
        XCTAssertTrue(writes.isEmpty)
        let r = try onTerminal(["teams", "delete", "Doomed"], answer: "y\n")
        XCTAssertEqual(r.code, 0, r.stdout)
        XCTAssertEqual(writes.map { "\($0.method) \($0.path)" }, ["DELETE /teams/\(team.id)"])
    }
}
