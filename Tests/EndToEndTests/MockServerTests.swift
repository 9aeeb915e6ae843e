import Foundation
import MockWebex
import XCTest

/// The mock itself, driven with the `curl` command line.
final class MockServerTests: MockTestCase {
    private var server: MockWebexServer { mock }

    private struct Reply {
        var status: Int
        var headers: [String: String] // lowercased names
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    }

    /// Runs curl, draining its output; returns its stdout.
    private func runCurl(_ args: [String]) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["curl", "-sS", "--max-time", "20"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return data
    }

    private func curl(_ url: String, method: String = "GET", token: String? = "audit-token", extra: [String] = [])
        throws -> Reply {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mockcurl-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hdr = dir.appendingPathComponent("h").path, body = dir.appendingPathComponent("b").path
        var args = ["-X", method, "-D", hdr, "-o", body, "-w", "%{http_code}"]
        if let t = token { args += ["-H", "Authorization: Bearer \(t)"] }
        let code = String(decoding: try runCurl(args + extra + [url]), as: UTF8.self)
        var headers: [String: String] = [:]
        for line in (try? String(contentsOfFile: hdr, encoding: .utf8))?.components(separatedBy: "\r\n") ?? [] {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: Int(code) ?? -1, headers: headers,
                     body: FileManager.default.contents(atPath: body) ?? Data())
    }

    private func nextURL(_ r: Reply) -> String? {
        guard let link = r.headers["link"], let s = link.firstIndex(of: "<"), let e = link.firstIndex(of: ">"),
              link.contains("rel=\"next\"") else { return nil }
        return String(link[link.index(after: s)..<e])
    }

    func testUnauthorizedCarriesTrackingId() throws {
        for token in [nil, "wrong-token"] as [String?] {
            let r = try curl(server.baseURL + "/people/me", token: token)
            XCTAssertEqual(r.status, 401)
            let tracking = try XCTUnwrap(r.headers["trackingid"])
            XCTAssertTrue(tracking.hasPrefix("ROUTER_"))
            XCTAssertEqual(r.json["trackingId"] as? String, tracking)
            XCTAssertNotNil((r.json["errors"] as? [[String: Any]])?.first?["description"])
        }
        let me = try curl(server.baseURL + "/people/me", token: "bot-token")
        XCTAssertEqual(me.status, 200)
        XCTAssertEqual(me.json["id"] as? String, server.botId)
        XCTAssertEqual(me.json["type"] as? String, "bot")
        XCTAssertEqual(me.json["emails"] as? [String], ["bot@example.com"])
    }

    func testLinkPagingThreePagesNewestFirstOnOneConnection() throws {
        let room = server.addRoom(title: "Paging", members: ["alice@example.com"])
        server.addMessages(roomId: room.id, count: 25, fromEmail: "alice@example.com")
        var url: String? = server.baseURL + "/messages?roomId=\(room.id)&max=10"
        var texts: [String] = []
        var pages = 0
        while let u = url {
            let r = try curl(u)
            XCTAssertEqual(r.status, 200)
            texts += r.items.compactMap { $0["text"] as? String }
            url = nextURL(r)
            if let next = url {
                XCTAssertTrue(next.hasPrefix(server.baseURL + "/messages?"), next)
                XCTAssertTrue(next.contains("max=10") && next.contains("roomId=\(room.id)"), next)
            }
            pages += 1
            XCTAssertLessThan(pages, 5)
        }
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(texts, (1...25).reversed().map { "message \($0)" })
        XCTAssertEqual(server.requests(method: "GET", pathPrefix: "/messages").filter { $0.query["cursor"] != nil }.count, 2)

        // max over the limit
        XCTAssertEqual(try curl(server.baseURL + "/messages?roomId=\(room.id)&max=1001").status, 400)
        // keep-alive: the second transfer reuses the first connection
        let out = String(decoding: try runCurl(["-o", "/dev/null", "-o", "/dev/null", "-w", "%{num_connects}\n",
                                                "-H", "Authorization: Bearer audit-token",
                                                server.baseURL + "/rooms", server.baseURL + "/rooms"]), as: UTF8.self)
        XCTAssertEqual(out.split(separator: "\n"), ["1", "0"])
    }

    func testBotNeedsMentionedPeopleInGroupRooms() throws {
        let room = server.addRoom(title: "Group", members: ["alice@example.com"])
        server.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "plain")
        let mention = server.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hey bot",
                                        mentionedEmails: ["bot@example.com"])
        let base = server.baseURL + "/messages?roomId=\(room.id)"
        let denied = try curl(base, token: "bot-token")
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(denied.json["trackingId"] as? String, denied.headers["trackingid"])
        let mine = try curl(base + "&mentionedPeople=me", token: "bot-token")
        XCTAssertEqual(mine.status, 200)
        XCTAssertEqual(mine.items.map { $0["id"] as? String }, [mention.id])
        XCTAssertEqual(mine.items.first?["mentionedPeople"] as? [String], [server.botId])
        XCTAssertEqual(try curl(base + "&mentionedPeople=me&max=101", token: "bot-token").status, 400)
        XCTAssertEqual(try curl(base).items.count, 2) // a person sees everything
        XCTAssertEqual(try curl(server.baseURL + "/messages", token: "bot-token").status, 400) // roomId required
    }

    func testMultipartUploadIsParsedByteForByte() throws {
        let room = server.addRoom(title: "Files", members: ["alice@example.com"])
        var bytes = Data((0...255).map { UInt8($0) })
        bytes += Data("\r\n--boundary-lookalike\r\n\r\n".utf8)
        bytes += Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("up-\(UUID().uuidString).png")
        try bytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let r = try curl(server.baseURL + "/messages", method: "POST", token: "bot-token",
                         extra: ["-F", "roomId=\(room.id)", "-F", "text=see attached",
                                 "-F", "files=@\(file.path);filename=chart é 1.png;type=image/png"])
        XCTAssertEqual(r.status, 200, String(decoding: r.body, as: UTF8.self))
        let upload = try XCTUnwrap(server.uploads.first)
        XCTAssertEqual(upload.fields["roomId"], room.id)
        XCTAssertEqual(upload.fields["text"], "see attached")
        XCTAssertEqual(upload.contentType, "image/png")
        XCTAssertEqual(upload.fileName, "chart é 1.png")
        XCTAssertEqual(upload.fileData, bytes)
        let url = try XCTUnwrap((r.json["files"] as? [String])?.first)
        XCTAssertEqual(url, upload.contentURL)
        XCTAssertEqual(server.messages(roomId: room.id).first?["files"] as? [String], [url])

        let got = try curl(url, token: "bot-token")
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(got.body, bytes)
        XCTAssertEqual(got.headers["content-type"], "image/png")
        XCTAssertEqual(got.headers["content-disposition"], "attachment; filename=\"chart é 1.png\"")
        let head = try curl(url, method: "HEAD", token: "bot-token", extra: ["-I"])
        XCTAssertEqual(head.headers["content-length"], String(bytes.count))

        // two files are refused
        let two = try curl(server.baseURL + "/messages", method: "POST", token: "bot-token",
                           extra: ["-F", "roomId=\(room.id)", "-F", "files=@\(file.path)", "-F", "files=@\(file.path)"])
        XCTAssertEqual(two.status, 400)
    }

    func testInjectedFaultsThenSuccess() throws {
        server.inject(.status(429, retryAfter: "0"), method: "GET", pathPrefix: "/rooms", times: 1)
        server.inject(.status(503), method: "POST", pathPrefix: "/rooms", times: 1)
        let first = try curl(server.baseURL + "/rooms")
        XCTAssertEqual(first.status, 429)
        XCTAssertEqual(first.headers["retry-after"], "0")
        XCTAssertEqual(first.json["trackingId"] as? String, first.headers["trackingid"])
        XCTAssertEqual(try curl(server.baseURL + "/rooms").status, 200)

        let post = ["-H", "Content-Type: application/json", "--data", #"{"title":"New"}"#]
        XCTAssertEqual(try curl(server.baseURL + "/rooms", method: "POST", token: "bot-token", extra: post).status, 503)
        XCTAssertTrue(server.rooms().isEmpty) // the faulted request changed nothing
        XCTAssertEqual(try curl(server.baseURL + "/rooms", method: "POST", token: "bot-token", extra: post).status, 200)
        XCTAssertEqual(server.rooms().map { $0["title"] as? String }, ["New"])

        server.inject(.drop, pathPrefix: "/people", times: 1)
        XCTAssertEqual(try curl(server.baseURL + "/people/me").status, 0) // curl reports 000: no answer
        server.inject(.truncateBody, pathPrefix: "/people", times: 1)
        let cut = try curl(server.baseURL + "/people/me")
        XCTAssertLessThan(cut.body.count, Int(cut.headers["content-length"] ?? "0") ?? 0)
        XCTAssertEqual(try curl(server.baseURL + "/people/me").status, 200)
    }

    func testRequestLog() throws {
        let room = server.addRoom(title: "Log")
        server.clearRequests()
        _ = try curl(server.baseURL + "/memberships?roomId=\(room.id)&personEmail=a%2Bb%40example.com&max=5",
                     token: "bot-token", extra: ["-H", "X-Extra: yes"])
        _ = try curl(server.baseURL + "/rooms/\(room.id)", method: "PUT", token: "bot-token",
                     extra: ["-H", "Content-Type: application/json", "--data", #"{"title":"Renamed"}"#])
        let log = server.requests
        XCTAssertEqual(log.map { "\($0.method) \($0.path)" }, ["GET /memberships", "PUT /rooms/\(room.id)"])
        XCTAssertEqual(log[0].query["personEmail"], "a+b@example.com")
        XCTAssertEqual(log[0].query["max"], "5")
        XCTAssertEqual(log[0].token, "bot-token")
        XCTAssertEqual(log[0].headers["x-extra"], "yes")
        XCTAssertTrue(log[0].target.hasPrefix("/v1/memberships?"))
        XCTAssertEqual(try JSONSerialization.jsonObject(with: log[1].body) as? [String: String], ["title": "Renamed"])
        XCTAssertEqual(server.room(id: room.id)?["title"] as? String, "Renamed")
    }

    /// As strict as Webex where the tool could lean on leniency (issue 11).
    func testRefusesWhatWebexRefuses() throws {
        let room = server.addRoom(title: "Strict", members: ["alice@example.com"])
        // Unknown query parameters, and `max` on /messages/direct (the OpenAPI file lists none).
        XCTAssertEqual(try curl(server.baseURL + "/rooms?colour=blue", token: "bot-token").status, 400)
        XCTAssertEqual(try curl(server.baseURL + "/messages/direct?personEmail=alice%40example.com&max=1",
                                token: "bot-token").status, 400)
        XCTAssertEqual(try curl(server.baseURL + "/messages/direct?personEmail=alice%40example.com",
                                token: "bot-token").status, 200)
        XCTAssertEqual(try curl(server.baseURL + "/rooms/\(room.id)?max=1", token: "bot-token").status, 400)
        XCTAssertEqual(try curl(server.baseURL + "/rooms?type=group&max=5&sortBy=lastactivity",
                                token: "bot-token").status, 200)
        // A bot lists a group room's messages only with mentionedPeople (403 like Webex), at most 100 a page.
        XCTAssertEqual(try curl(server.baseURL + "/messages?roomId=\(room.id)", token: "bot-token").status, 403)
        XCTAssertEqual(try curl(server.baseURL + "/messages?roomId=\(room.id)&mentionedPeople=me",
                                token: "bot-token").status, 200)
        XCTAssertEqual(try curl(server.baseURL + "/messages?roomId=\(room.id)&mentionedPeople=me&max=101",
                                token: "bot-token").status, 400)
        // Webhook resource and event are checked against the OpenAPI enums (event also takes `all`).
        func create(_ resource: String, _ event: String) throws -> Int {
            let body = #"{"name":"x","targetUrl":"https://h.example.com/","resource":"\#(resource)","event":"\#(event)"}"#
            return try curl(server.baseURL + "/webhooks", method: "POST", token: "bot-token",
                            extra: ["-H", "Content-Type: application/json", "--data", body]).status
        }
        XCTAssertEqual(try create("messages", "created"), 200)
        XCTAssertEqual(try create("memberships", "all"), 200)
        XCTAssertEqual(try create("message", "created"), 400)
        XCTAssertEqual(try create("all", "created"), 400)
        XCTAssertEqual(try create("messages", "posted"), 400)
    }

    /// A room without a team may be moved into one; between teams is refused (OpenAPI `PUT /rooms`).
    func testRoomMovesIntoATeamOnlyWhenUnowned() throws {
        let team = server.addTeam(name: "T")
        let other = server.addTeam(name: "U")
        let room = server.addRoom(title: "Loose")
        func move(_ teamId: String) throws -> Int {
            try curl(server.baseURL + "/rooms/\(room.id)", method: "PUT", token: "bot-token",
                     extra: ["-H", "Content-Type: application/json", "--data",
                             #"{"title":"Loose","teamId":"\#(teamId)"}"#]).status
        }
        XCTAssertEqual(try move(team.id), 200)
        XCTAssertEqual(server.room(id: room.id)?["teamId"] as? String, team.id)
        XCTAssertEqual(try move(other.id), 400)
        XCTAssertEqual(server.room(id: room.id)?["teamId"] as? String, team.id)
    }

    // How fast seeding is belongs to bench/, not to a timed assertion here (a loaded machine fails it).
    func testBulkSeedingAddsEveryMessage() {
    /// `before` is strictly before the instant (as Webex documents it), compared in milliseconds;
    /// messages seeded in the past make the room as old as they are.
    func testBeforeIsStrictAndTheRoomIsNoYoungerThanItsMessages() throws {
        let room = server.addRoom(title: "Instants", members: ["alice@example.com"])
        server.addMessages(roomId: room.id, count: 3, fromEmail: "alice@example.com", from: "2026-01-02T03:04:05.006Z",
                           stepMillis: 0)
        server.addMessages(roomId: room.id, count: 2, fromEmail: "alice@example.com", from: "2026-01-02T03:04:05.007Z",
                           stepMillis: 1)
        XCTAssertEqual(server.room(id: room.id)?["created"] as? String, "2026-01-02T03:04:05.006Z")
        let base = server.baseURL + "/messages?roomId=" + room.id + "&before="
        XCTAssertEqual(try curl(base + "2026-01-02T03:04:05.007Z").items.count, 3, "the three at .006")
        XCTAssertEqual(try curl(base + "2026-01-02T03:04:05.006Z").items.count, 0, "none strictly before .006")
        XCTAssertEqual(try curl(base + "2026-01-02T04:04:05.008%2B01:00").items.map { $0["text"] as? String },
                       ["message 1", "message 3", "message 2", "message 1"], "newest first; an offset is an instant")
        XCTAssertEqual(try curl(base + "yesterday").status, 400)
    }

    /// `latency` delays every answer (the round trip of the real service, for the parallel walk).
    func testLatencyDelaysEveryAnswer() throws {
        server.latency = 0.3
        let started = Date()
        XCTAssertEqual(try curl(server.baseURL + "/rooms", token: nil).status, 401)
        XCTAssertEqual(try curl(server.baseURL + "/rooms").status, 200)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.6)
    }

        let room = server.addRoom(title: "Bulk", members: ["alice@example.com"])
        server.addMessages(roomId: room.id, count: 200_000, fromEmail: "alice@example.com")
        XCTAssertEqual(server.messageCount(roomId: room.id), 200_000)
    }
}
