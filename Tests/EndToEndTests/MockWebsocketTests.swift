import Foundation
import MockWebex
import XCTest

/// The mock's catalog, device service and websocket, driven by a hand-written client (WebsocketTestClient.swift).
final class MockWebsocketTests: XCTestCase {
    private var server: MockWebexServer!
    private var port: Int { server.port }

    override func setUpWithError() throws {
        server = MockWebexServer()
        try server.start()
    }

    override func tearDown() {
        server.stop()
        server = nil
    }

    private let deviceBody = #"{"deviceName":"spark-space on host","deviceType":"DESKTOP","localizedModel":"spark-space","model":"spark-space","name":"spark-space on host","systemName":"spark-space","systemVersion":"1","ttl":1800}"#

    private func http(_ method: String, _ url: String, token: String? = "bot-token", json: String? = nil)
        throws -> TestSocket.HTTPReply {
        try TestSocket.http(port: port, method, TestSocket.pathOf(url), token: token, json: json)
    }

    private func register(token: String = "bot-token") throws -> [String: Any] {
        let r = try http("POST", server.wdmURL + "/devices", token: token, json: deviceBody)
        XCTAssertEqual(r.status, 200, r.body)
        return r.json
    }

    /// A device and an authorized socket on it (buffer_state read).
    private func connect(token: String = "bot-token") throws -> (socket: TestSocket, device: [String: Any]) {
        let device = try register(token: token)
        let url = try XCTUnwrap(device["webSocketUrl"] as? String)
        let (socket, status) = try TestSocket.upgrade(url + "?outboundWireFormat=text&bufferStates=true", port: port)
        XCTAssertEqual(status, 101)
        let s = try XCTUnwrap(socket)
        s.authorize(token)
        let ready = try XCTUnwrap(s.nextJSON())
        XCTAssertNil(ready["type"])
        XCTAssertEqual((ready["data"] as? [String: Any])?["eventType"] as? String, "mercury.buffer_state")
        XCTAssertEqual(ready["sequenceNumber"] as? Int, 1)
        return (s, device)
    }

    private func activity(_ frame: [String: Any]?) -> [String: Any]? {
        (frame?["data"] as? [String: Any])?["activity"] as? [String: Any]
    }

    private func restId(_ kind: String, _ uuid: Any?) -> String {
        var s = Data("ciscospark://us/\(kind)/\(uuid as? String ?? "")".utf8).base64EncodedString()
        while s.hasSuffix("=") { s.removeLast() }
        return s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    // MARK: Catalog and devices

    func testCatalogNeedsAKnownTokenAndNamesTheDeviceService() throws {
        let url = server.u2cURL + "/catalog?format=hostmap"
        XCTAssertEqual(try http("GET", url, token: nil).status, 401)
        XCTAssertEqual(try http("GET", url, token: "nobody").status, 401)
        let r = try http("GET", url)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual((r.json["serviceLinks"] as? [String: Any])?["wdm"] as? String, server.wdmURL)
        XCTAssertEqual(try http("GET", server.u2cURL + "/catalog?format=other").status, 400)
        XCTAssertEqual(try http("GET", server.u2cURL + "/catalog?format=hostmap&x=1").status, 400)
        XCTAssertEqual(try http("POST", url, json: "{}").status, 405)
    }

    func testDeviceLifeCycleIsStrict() throws {
        let devices = server.wdmURL + "/devices"
        XCTAssertEqual(try http("POST", devices, token: nil, json: deviceBody).status, 401)
        let unknownField = deviceBody.replacingOccurrences(of: #""ttl":1800"#, with: #""ttl":1800,"extra":1"#)
        XCTAssertEqual(try http("POST", devices, json: unknownField).status, 400)
        let badType = deviceBody.replacingOccurrences(of: "DESKTOP", with: "PHONE")
        XCTAssertEqual(try http("POST", devices, json: badType).status, 400)
        for ttl in ["true", "1.5", "0", "\"1800\"", "99999999999"] {
            let body = deviceBody.replacingOccurrences(of: #""ttl":1800"#, with: #""ttl":\#(ttl)"#)
            XCTAssertEqual(try http("POST", devices, json: body).status, 400, ttl)
        }
        XCTAssertEqual(try http("POST", devices, json: "[1]").status, 400)
        XCTAssertEqual(try http("PATCH", devices, json: deviceBody).status, 405)

        let d = try register()
        let url = try XCTUnwrap(d["url"] as? String)
        XCTAssertTrue(url.hasPrefix(server.wdmURL + "/devices/"))
        XCTAssertTrue((d["webSocketUrl"] as? String)?.hasPrefix("ws://127.0.0.1:\(port)/mercury/") == true)
        XCTAssertEqual(d["ttl"] as? Int, 1800)
        XCTAssertEqual(d["name"] as? String, "spark-space on host")
        XCTAssertEqual(restId("PEOPLE", d["userId"]), server.botId)

        let list = try http("GET", devices)
        XCTAssertEqual((list.json["devices"] as? [[String: Any]])?.compactMap { $0["url"] as? String }, [url])
        XCTAssertEqual((try http("GET", devices, token: "audit-token").json["devices"] as? [Any])?.count, 0)
        XCTAssertEqual(try http("GET", url, token: "audit-token").status, 404, "somebody else's device")
        XCTAssertEqual(try http("PUT", url, json: deviceBody).status, 200)
        XCTAssertEqual(server.deviceRefreshes, 1)
        XCTAssertEqual(try http("DELETE", url).status, 204)
        XCTAssertEqual(try http("PUT", url, json: deviceBody).status, 404)
        XCTAssertEqual(try http("DELETE", url).status, 404)
        XCTAssertEqual(server.deletedDevices.count, 1)
    }

    func testDeviceCapAnswersWebexsForbidden() throws {
        server.deviceCap = 2
        _ = try register()
        let second = try register()
        let refused = try http("POST", server.wdmURL + "/devices", json: deviceBody)
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.json["message"] as? String, "User has excessive device registrations")
        XCTAssertEqual(try http("POST", server.wdmURL + "/devices", token: "audit-token", json: deviceBody).status, 200,
                       "the cap is per identity")
        XCTAssertEqual(try http("DELETE", second["url"] as! String).status, 204)
        _ = try register()
    }

    func testExpiredDeviceRefusesRefreshAndUpgrade() throws {
        let d = try register()
        server.expireDevice(d["url"] as? String)
        XCTAssertEqual(try http("PUT", d["url"] as! String, json: deviceBody).status, 404)
        let (socket, status) = try TestSocket.upgrade(d["webSocketUrl"] as! String, port: port)
        XCTAssertNil(socket)
        XCTAssertEqual(status, 404)
        XCTAssertEqual(try TestSocket.upgrade("ws://127.0.0.1/mercury/api/v1/apps/wx2/registrations/nope/messages",
                                              port: port).status, 404)
        XCTAssertFalse(server.devices().contains { $0.live })
    }

    // MARK: The socket

    func testAuthorizationFailuresCloseAsWebex() throws {
        let d = try register()
        let url = d["webSocketUrl"] as! String
        let cases: [(String, Int)] = [(#"{"id":"1","type":"ping"}"#, 4400), ("not json", 4400),
                                      (#"{"id":"1","type":"authorization","data":{"token":"Bearer nobody"}}"#, 4401),
                                      (#"{"id":"1","type":"authorization","data":{"token":"Bearer audit-token"}}"#, 4403)]
        for (first, code) in cases {
            let s = try XCTUnwrap(TestSocket.upgrade(url, port: port).socket)
            s.sendText(first)
            XCTAssertEqual(s.closeCode(), code, first)
            XCTAssertTrue(s.waitForEOF(), first)
        }
        XCTAssertEqual(try TestSocket.upgrade(url + "?bogus=1", port: port).status, 400, "unknown query parameter")
        XCTAssertTrue(server.connectedDevices.isEmpty)
    }

    func testPingsAcksAndSilentPongs() throws {
        let (s, _) = try connect()
        s.sendJSON(["id": "p-1", "type": "ping"])
        let pong = try XCTUnwrap(s.nextJSON())
        XCTAssertEqual(pong["id"] as? String, "p-1")
        XCTAssertEqual(pong["type"] as? String, "pong")
        s.sendFrame(opcode: 9, Array("hi".utf8))
        XCTAssertEqual(s.readFrame(), .pong(Array("hi".utf8)))
        s.sendJSON(["messageId": "m-1", "type": "ack"])
        server.silentPongs = true
        s.sendJSON(["id": "p-2", "type": "ping"])
        XCTAssertNil(s.nextJSON(timeout: 0.5))
        XCTAssertEqual(server.socketPings, 2)
        XCTAssertEqual(server.socketAcks.map(\.messageId), ["m-1"])
    }

    func testSecondConnectionReplacesTheFirst() throws {
        let (first, d) = try connect()
        let s2 = try XCTUnwrap(TestSocket.upgrade(d["webSocketUrl"] as! String, port: port).socket)
        s2.authorize("bot-token")
        XCTAssertNotNil(s2.nextJSON())
        XCTAssertEqual(first.closeCode(), 4000)
        XCTAssertTrue(first.waitForEOF())
        XCTAssertEqual(server.connectedDevices.count, 1)
    }

    func testMessageActivitiesCarryTheUUIDsOfRestIds() throws {
        let room = server.addRoom(title: "Ops", members: ["alice@example.com"])
        let (s, _) = try connect()
        let m = try http("POST", server.baseURL + "/messages", token: "audit-token",
                         json: #"{"roomId":"\#(room.id)","text":"secret words"}"#).json
        let frame = try XCTUnwrap(s.nextJSON())
        XCTAssertEqual(frame["sequenceNumber"] as? Int, 2)
        XCTAssertNotNil(frame["id"] as? String)
        XCTAssertNotNil(frame["wsWriteTimestamp"])
        XCTAssertEqual((frame["data"] as? [String: Any])?["eventType"] as? String, "conversation.activity")
        let a = try XCTUnwrap(activity(frame))
        XCTAssertEqual(a["verb"] as? String, "post")
        XCTAssertEqual(restId("MESSAGE", a["id"]), m["id"] as? String)
        XCTAssertEqual(restId("ROOM", (a["target"] as? [String: Any])?["id"]), room.id)
        let actor = try XCTUnwrap(a["actor"] as? [String: Any])
        XCTAssertEqual(actor["emailAddress"] as? String, "alice@example.com")
        XCTAssertEqual(restId("PEOPLE", actor["entryUUID"]), server.auditId)
        XCTAssertFalse(String(decoding: try JSONSerialization.data(withJSONObject: frame), as: UTF8.self)
            .contains("secret words"), "message text is encrypted in frames")
        s.sendJSON(["messageId": frame["id"]!, "type": "ack"])

        // A reply, an edit, a delete.
        let reply = try http("POST", server.baseURL + "/messages", token: "audit-token",
                             json: #"{"roomId":"\#(room.id)","text":"re","parentId":"\#(m["id"]!)"}"#).json
        let r = try XCTUnwrap(activity(s.nextJSON()))
        XCTAssertEqual(restId("MESSAGE", r["id"]), reply["id"] as? String)
        XCTAssertEqual((r["parent"] as? [String: Any])?["type"] as? String, "reply")
        XCTAssertEqual(restId("MESSAGE", (r["parent"] as? [String: Any])?["id"]), m["id"] as? String)
        XCTAssertEqual(try http("PUT", server.baseURL + "/messages/\(m["id"]!)", token: "audit-token",
                                json: #"{"roomId":"\#(room.id)","text":"edited"}"#).status, 200)
        let e = try XCTUnwrap(activity(s.nextJSON()))
        XCTAssertEqual(e["verb"] as? String, "post")
        XCTAssertEqual((e["parent"] as? [String: Any])?["type"] as? String, "edit")
        XCTAssertEqual(restId("MESSAGE", (e["parent"] as? [String: Any])?["id"]), m["id"] as? String)
        XCTAssertNotEqual(restId("MESSAGE", e["id"]), m["id"] as? String, "an edit is a new activity")
        XCTAssertEqual(try http("DELETE", server.baseURL + "/messages/\(m["id"]!)", token: "audit-token").status, 204)
        let del = try XCTUnwrap(activity(s.nextJSON()))
        XCTAssertEqual(del["verb"] as? String, "delete")
        XCTAssertEqual(restId("MESSAGE", (del["object"] as? [String: Any])?["id"]), m["id"] as? String)
        XCTAssertEqual(server.socketAcks.count, 1)
    }

    func testFilesCardsAndFixtures() throws {
        let room = server.addRoom(title: "Files", members: ["alice@example.com"])
        let (s, _) = try connect()
        let url = server.addContent(filename: "report.pdf", data: Data("x".utf8))
        _ = try http("POST", server.baseURL + "/messages", token: "audit-token",
                     json: #"{"roomId":"\#(room.id)","text":"see","files":["\#(url)"]}"#)
        let share = try XCTUnwrap(activity(s.nextJSON()))
        XCTAssertEqual(share["verb"] as? String, "share")
        XCTAssertEqual((share["object"] as? [String: Any])?["objectType"] as? String, "content")

        let card = #"{"roomId":"\#(room.id)","text":"card","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard"}}]}"#
        let cardMessage = try http("POST", server.baseURL + "/messages", json: card).json
        XCTAssertEqual(activity(s.nextJSON())?["verb"] as? String, "post")
        let submit = #"{"type":"submit","messageId":"\#(cardMessage["id"]!)","inputs":{"answer":"yes"}}"#
        let action = try http("POST", server.baseURL + "/attachment/actions", token: "audit-token", json: submit).json
        let c = try XCTUnwrap(activity(s.nextJSON()))
        XCTAssertEqual(c["verb"] as? String, "cardAction")
        XCTAssertEqual(restId("ATTACHMENT_ACTION", c["id"]), action["id"] as? String)
        XCTAssertEqual(restId("MESSAGE", (c["parent"] as? [String: Any])?["id"]), cardMessage["id"] as? String)
        XCTAssertEqual(((c["object"] as? [String: Any])?["inputs"] as? [String: Any])?["answer"] as? String, "yes")

        let fixture = server.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "from a fixture")
        XCTAssertEqual(restId("MESSAGE", activity(s.nextJSON())?["id"]), fixture.id)
    }

    func testMembershipActivitiesAndRoomsOfOthers() throws {
        let room = server.addRoom(title: "People", members: ["alice@example.com"])
        let elsewhere = server.addRoom(title: "Not mine", members: ["carol@example.com"], includeBot: false)
        let (s, _) = try connect()
        server.addMessage(roomId: elsewhere.id, fromEmail: "carol@example.com", text: "unseen")
        let added = try http("POST", server.baseURL + "/memberships",
                             json: #"{"roomId":"\#(room.id)","personEmail":"dave@example.com"}"#).json
        let add = try XCTUnwrap(activity(s.nextJSON()))
        XCTAssertEqual(add["verb"] as? String, "add", "the message of a room the bot is not in never came")
        XCTAssertEqual((add["object"] as? [String: Any])?["emailAddress"] as? String, "dave@example.com")
        let membership = server.baseURL + "/memberships/\(added["id"]!)"
        XCTAssertEqual(try http("PUT", membership, json: #"{"isModerator":true}"#).status, 200)
        XCTAssertEqual(activity(s.nextJSON())?["verb"] as? String, "assignModerator")
        XCTAssertEqual(try http("PUT", membership, json: #"{"isModerator":false}"#).status, 200)
        XCTAssertEqual(activity(s.nextJSON())?["verb"] as? String, "unassignModerator")
        XCTAssertEqual(try http("DELETE", membership).status, 204)
        let leave = try XCTUnwrap(activity(s.nextJSON()))
        XCTAssertEqual(leave["verb"] as? String, "leave")
        XCTAssertEqual(restId("PEOPLE", (leave["object"] as? [String: Any])?["id"]), added["personId"] as? String)
        XCTAssertEqual(restId("ROOM", (leave["target"] as? [String: Any])?["id"]), room.id)
    }

    // MARK: Switches

    func testCloseDropGapAndRawSwitches() throws {
        let room = server.addRoom(title: "Switches", members: ["alice@example.com"])
        var (s, d) = try connect()
        let deviceId = TestSocket.pathOf(d["url"] as! String).split(separator: "/").last.map(String.init)!
        server.skipSequenceNumbers(3)
        server.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "after a gap")
        XCTAssertEqual(s.nextJSON()?["sequenceNumber"] as? Int, 5)
        XCTAssertEqual(server.sendRawFrame(device: deviceId, bytes: [0x81, 0x02, 0x7B, 0x7D]), 1)
        XCTAssertEqual(s.readFrame(), .text("{}"))
        XCTAssertEqual(server.sendFrame(device: deviceId, fin: false, opcode: 1, payload: Array("{".utf8)), 1)
        XCTAssertEqual(s.readFrame(), .text("{"), "the test client ignores FIN; the frame came")
        XCTAssertEqual(server.closeSocket(device: deviceId, code: 4401, reason: "token expired"), 1)
        XCTAssertEqual(s.closeCode(), 4401)
        XCTAssertTrue(s.waitForEOF())

        (s, d) = try connect()
        XCTAssertEqual(server.dropSocket(), 1)
        XCTAssertNil(s.readFrame(timeout: 2), "no close frame")
        XCTAssertTrue(s.closedByPeer)

        (s, d) = try connect()
        server.expireDevice(d["url"] as? String, closeCode: 4404)
        XCTAssertEqual(s.closeCode(), 4404)
        XCTAssertEqual(try TestSocket.upgrade(d["webSocketUrl"] as! String, port: port).status, 404)
    }

    func testControlEndpoint() throws {
        let (s, _) = try connect()
        let control = "http://127.0.0.1:\(port)/_mock/websocket"
        XCTAssertEqual(try http("POST", control + "?action=silent&on=1", token: nil).status, 200)
        XCTAssertTrue(server.silentPongs)
        XCTAssertEqual(try http("POST", control + "?action=cap&max=7", token: nil).status, 200)
        XCTAssertEqual(server.deviceCap, 7)
        XCTAssertEqual(try http("POST", control + "?action=close", token: nil).status, 400)
        XCTAssertEqual(try http("POST", control + "?action=nope", token: nil).status, 400)
        let closed = try http("POST", control + "?action=close&code=1011", token: nil)
        XCTAssertEqual(closed.json["sockets"] as? Int, 1)
        XCTAssertEqual(s.closeCode(), 1011)
    }
}
