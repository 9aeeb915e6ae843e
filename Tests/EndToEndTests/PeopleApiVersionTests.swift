import Foundation
import MockWebex
import XCTest

/// Issue 15: `people get|list`, `api` and `version` against the mock.
final class PeopleApiVersionTests: MockTestCase {
    // MARK: people

    func testPeopleGetByEmailIdOrMe() throws {
        let bob = mock.addPerson(email: "bob@example.com", displayName: "Bob Builder", token: nil)
        var r = try run(["people", "get", "bob@example.com", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["id"] as? String, bob.id)
        XCTAssertEqual(mock.requests.last?.query["email"], "bob@example.com")
        r = try run(["people", "get", bob.id, "-o", "tsv"])
        XCTAssertEqual(r.stdout, "\(bob.id)\tbob@example.com\tBob Builder\tperson\n")
        r = try run(["people", "get", "me", "--as", "audit", "-o", "json"], env: ["CISCO_SPARK_AUDIT_TOKEN": "audit-token"])
        XCTAssertEqual((try r.json() as! [String: Any])["displayName"] as? String, "Alice Audit")
        XCTAssertEqual(try run(["people", "get", "nobody@example.com"]).code, 4)
        XCTAssertEqual(try run(["people", "get", "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ub25l"]).code, 4)
    }

    func testPeopleListByNamePrefixOrEmail() throws {
        for i in 0..<3 { mock.addPerson(email: "ann\(i)@example.com", displayName: "Ann \(i)", token: nil) }
        mock.addPerson(email: "bob@example.com", displayName: "Bob", token: nil)
        var r = try run(["people", "list", "--name", "ann", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [[String: Any]]).count, 3)
        XCTAssertEqual(mock.requests.last?.query["displayName"], "ann")
        r = try run(["people", "list", "--name", "Ann", "--limit", "2", "-o", "tsv"])
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 2)
        XCTAssertEqual(mock.requests.last?.query["max"], "2")
        r = try run(["people", "list", "--email", "bob@example.com", "-o", "tsv"])
        XCTAssertTrue(r.stdout.contains("\tbob@example.com\tBob\t"), r.stdout)
        // Webex needs an e-mail or a name from a bot; the API's own words come through.
        r = try run(["people", "list"])
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue(r.stderr.contains("Email, displayName, or id list should be specified"), r.stderr)
        mock.clearRequests()
        XCTAssertEqual(try run(["people", "list", "--email", "bob"]).code, 2)
        XCTAssertEqual(try run(["people", "list", "--limit", "-1"]).code, 2)
        XCTAssertTrue(mock.requests.isEmpty)
    }

    // MARK: api

    func testApiGetPrintsCompactJSONWhenPiped() throws {
        mock.addRoom(title: "Ops")
        var r = try run(["api", "people/me"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertFalse(r.stdout.dropLast().contains("\n"), "compact when piped: " + r.stdout)
        XCTAssertEqual((try r.json() as! [String: Any])["displayName"] as? String, "Shelly Bot")
        r = try run(["api", "/rooms", "-X", "GET", "-f", "type=group", "-f", "max=1"])
        XCTAssertEqual(mock.requests.last?.query["type"], "group", "GET fields are the query")
        XCTAssertEqual(((try r.json() as! [String: Any])["items"] as! [Any]).count, 1)
        r = try run(["api", mock.baseURL + "/people/me"])
        XCTAssertEqual(r.code, 0, "an absolute URL on the API host is fine: " + r.stderr)
    }

    /// A webhook's secret comes back in Webex's answers; `api` prints them as is otherwise.
    func testApiNeverPrintsASecret() throws {
        var r = try run(["api", "webhooks", "-f", "name=x", "-f", "targetUrl=https://h.example.com/x",
                         "-f", "resource=messages", "-f", "event=created", "-f", "secret=TopSecretValue"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [String: Any])["secret"] as? String, "***alue")
        for extra in [[], ["--paginate"], ["--paginate", "-o", "ndjson"]] {
            r = try run(["api", "webhooks"] + extra)
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertFalse(r.stdout.contains("TopSecretValue"), "\(extra): " + r.stdout)
            XCTAssertTrue(r.stdout.contains("***alue"), "\(extra): " + r.stdout)
        }
    }

    func testApiBodiesFromFieldsAndInput() throws {
        var r = try run(["api", "rooms", "-f", "title=Made by api", "-F", "isLocked=true"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let post = mock.requests(method: "POST", pathPrefix: "/rooms")[0]
        let body = try JSONSerialization.jsonObject(with: post.body) as! [String: Any]
        XCTAssertEqual(body["title"] as? String, "Made by api")
        XCTAssertEqual(body["isLocked"] as? Bool, true)
        let id = (try r.json() as! [String: Any])["id"] as! String
        // The long names are gh's: --raw-field a string, --field typed.
        r = try run(["api", "rooms", "--dry-run", "--raw-field", "title=123", "--field", "isLocked=false"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains(#""title":"123""#) && r.stderr.contains(#""isLocked":false"#), r.stderr)

        r = try run(["api", "rooms/\(id)", "-X", "put", "--input", "-"], stdin: #"{"title":"Renamed"}"#)
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.room(id: id)?["title"] as? String, "Renamed")
        let path = try writeFile("body.json", #"{"title":"From file"}"#)
        r = try run(["api", "rooms/\(id)", "-X", "PUT", "--input", path])
        XCTAssertEqual(mock.room(id: id)?["title"] as? String, "From file")

        r = try run(["api", "rooms/\(id)", "-X", "DELETE"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(r.stdout, "", "204: nothing to print")
        XCTAssertNil(mock.room(id: id))
        XCTAssertEqual(try run(["api", "rooms/\(id)"]).code, 4)
    }

    func testApiPaginatePrintsEveryItem() throws {
        for i in 0..<5 { mock.addRoom(title: "Room \(i)") }
        var r = try run(["api", "rooms", "-f", "max=2", "--paginate"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual((try r.json() as! [[String: Any]]).count, 5)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/rooms").count, 3)
        r = try run(["api", "rooms", "-f", "max=2", "--paginate", "-o", "ndjson"])
        XCTAssertEqual(try r.lines().map { $0["title"] as? String }, (0..<5).map { "Room \($0)" })
    }

    func testApiRefusesOtherHostsAndBadInputBeforeAnyRequest() throws {
        let path = try writeFile("bad.json", "{not json")
        for args in [["api", "https://evil.example.com/v1/rooms"], ["api", "http://127.0.0.1:1/v1/rooms"],
                     ["api", "rooms", "-f", "novalue"], ["api", "rooms", "--input", path],
                     ["api", "rooms", "--input", "/nonexistent"], ["api", "rooms", "-X", "POST", "--paginate"],
                     ["api", "rooms", "--input", path, "-f", "a=b"]] {
            let r = try run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
        }
        XCTAssertTrue(mock.requests.isEmpty)
        let r = try run(["api", "https://evil.example.com/v1/rooms"])
        XCTAssertTrue(r.stderr.contains("refusing to send the token"), r.stderr)
        XCTAssertFalse(r.stderr.contains("bot-token"))
    }

    func testApiRetriesAsEveryCommand() throws {
        mock.inject(.status(503), method: "GET", pathPrefix: "/people", times: 1)
        let r = try run(["api", "people/me"], env: ["SPARK_SPACE_CONFIG": try writeFile("s.yaml", "network.retry_delays: [0, 0]\n")])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(mock.requests(method: "GET", pathPrefix: "/people").count, 2)
    }

    // MARK: version

    func testVersionShowsBuildSwiftAndLibcurl() throws {
        let r = try spark(["version"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("spark-space "), r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("build: ") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("swift: 6") }, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("libcurl: libcurl/") }, r.stdout)
        XCTAssertEqual(try spark(["--version", "-v"]).stdout, r.stdout)
        XCTAssertEqual(try spark(["--version"]).stdout, lines[0] + "\n")
    }
}
