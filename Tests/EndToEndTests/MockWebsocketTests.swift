import Foundation
import MockWebex
import XCTest

/// The mock's catalog, device service and websocket, driven by a hand-written client (WebsocketTestClient.swift).
final class MockWebsocketTests: MockTestCase {
    private var server: MockWebexServer { mock }
    private var port: Int { server.port }

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
        XCTAssertEqual(try http("GET", server.baseURL + "/u2c/api/v1/catalog?format=hostmap").status, 404, "not under /v1")
        XCTAssertEqual(try http("GET", server.baseURL + "/wdm/api/v1/devices").status, 404, "not under /v1")
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

    func testReadinessFollowsTheUpgradeQuery() throws {
        let d = try register()
        let url = d["webSocketUrl"] as! String
        let plain = try XCTUnwrap(TestSocket.upgrade(url, port: port).socket)
        plain.authorize("bot-token")
        XCTAssertTrue(server.waitForSocket())
        XCTAssertNil(plain.nextJSON(timeout: 0.3), "no readiness frame unless asked for")
        let status = try XCTUnwrap(TestSocket.upgrade(url + "?mercuryRegistrationStatus=true&clientTimestamp=1",
                                                      port: port).socket)
        status.authorize("bot-token")
        let ready = try XCTUnwrap(status.nextJSON())
        XCTAssertEqual((ready["data"] as? [String: Any])?["eventType"] as? String, "mercury.registration_status")
        XCTAssertEqual(server.socketUpgradeTargets.last, TestSocket.pathOf(url) + "?mercuryRegistrationStatus=true&clientTimestamp=1")
    }

    func testDeviceClockExpiresUnrefreshedDevices() throws {
        let d = try register()
        let url = d["url"] as! String
        server.advanceDeviceClock(seconds: 1000)
        XCTAssertEqual(try http("PUT", url, json: deviceBody).status, 200, "refreshed within its ttl")
        server.advanceDeviceClock(seconds: 1000)
        XCTAssertEqual(try http("GET", url).status, 200, "the refresh started the ttl again")
        server.advanceDeviceClock(seconds: 801)
        XCTAssertEqual(try http("PUT", url, json: deviceBody).status, 404)
        XCTAssertEqual(try TestSocket.upgrade(d["webSocketUrl"] as! String, port: port).status, 404)
        XCTAssertEqual((try http("GET", server.wdmURL + "/devices").json["devices"] as? [Any])?.count, 0)
        XCTAssertEqual(server.devices().map(\.live), [false])
    }

    func testClientFramesAreCheckedAsRFC6455Says() throws {
        var (s, _) = try connect()
        s.sendFrame(opcode: 8, [0x03, 0xE8])
        XCTAssertEqual(s.closeCode(), 1000, "the client's close is answered with its code")
        XCTAssertTrue(s.waitForEOF())
        let cases: [(String, (TestSocket) -> Void, Int)] = [
            ("unmasked", { $0.sendFrame(opcode: 1, Array("{}".utf8), masked: false) }, 1002),
            ("binary", { $0.sendFrame(opcode: 2, [1, 2]) }, 1003),
            ("not UTF-8", { $0.sendFrame(opcode: 1, [0xFF, 0xFE]) }, 1007),
            ("continuation first", { $0.sendFrame(opcode: 0, Array("x".utf8)) }, 1002),
            ("unfinished message", { $0.sendFrame(opcode: 1, [0x7B], fin: false); $0.sendFrame(opcode: 1, [0x7B]) }, 1002),
        ]
        for (name, send, code) in cases {
            (s, _) = try connect()
            send(s)
            XCTAssertEqual(s.closeCode(), code, name)
            XCTAssertTrue(s.waitForEOF(), name)
        }
        (s, _) = try connect()
        s.sendFrame(opcode: 1, Array(#"{"id":"f","#.utf8), fin: false)
        s.sendFrame(opcode: 9, [7])
        XCTAssertEqual(s.readFrame(), .pong([7]), "a control frame between fragments")
        s.sendFrame(opcode: 0, Array(#""type":"ping"}"#.utf8))
        XCTAssertEqual(s.nextJSON()?["id"] as? String, "f", "fragments joined")
    }

    func testDeletingTheDeviceClosesItsSocket() throws {
        let (s, d) = try connect()
        XCTAssertEqual(try http("DELETE", d["url"] as! String).status, 204)
        XCTAssertEqual(s.closeCode(), 4404)
        XCTAssertTrue(s.waitForEOF())
        XCTAssertEqual(try TestSocket.upgrade(d["webSocketUrl"] as! String, port: port).status, 404)
    }

    func testSecondConnectionReplacesTheFirst() throws {
        let (first, d) = try connect()
        let s2 = try XCTUnwrap(TestSocket.upgrade((d["webSocketUrl"] as! String) + "?bufferStates=true", port: port).socket)
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
        s.sendJSON(["id": "after-ack", "type": "ping"])
        XCTAssertEqual(s.nextJSON()?["id"] as? String, "after-ack", "frames are read in order: the ack is in")
        XCTAssertEqual(server.socketAcks.map(\.messageId), [frame["id"] as! String])

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
        let scanned = try XCTUnwrap(activity(s.nextJSON()))
        XCTAssertEqual(scanned["verb"] as? String, "update")
        XCTAssertEqual((scanned["object"] as? [String: Any])?["id"] as? String, share["id"] as? String)

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
        let room = server.addRoom(title: "Burst", members: ["alice@example.com"])
        let (s, d) = try connect()
        let control = "http://127.0.0.1:\(port)/_mock/websocket"
        let burst = try http("POST", control + "?action=messages&count=3&everyMs=1", token: nil)
        XCTAssertEqual(burst.status, 202)
        for _ in 0..<3 { XCTAssertEqual(activity(s.nextJSON())?["verb"] as? String, "post") }
        XCTAssertEqual(server.messageCount(roomId: room.id), 3)
        XCTAssertEqual(try http("POST", control + "?action=messages&count=0", token: nil).status, 400)
        XCTAssertEqual(try http("POST", control + "?action=messages&count=1&roomId=nope", token: nil).status, 404)
        XCTAssertEqual(try http("POST", control + "?action=silent&on=1", token: nil).status, 200)
        XCTAssertTrue(server.silentPongs)
        XCTAssertEqual(try http("POST", control + "?action=cap&max=7", token: nil).status, 200)
        XCTAssertEqual(server.deviceCap, 7)
        XCTAssertEqual(try http("POST", control + "?action=close", token: nil).status, 400)
        XCTAssertEqual(try http("POST", control + "?action=nope", token: nil).status, 400)
        let closed = try http("POST", control + "?action=close&code=1011", token: nil)
        XCTAssertEqual(closed.json["sockets"] as? Int, 1)
        XCTAssertEqual(s.closeCode(), 1011)
        XCTAssertEqual(try http("POST", control + "?action=clock&seconds=1801", token: nil).status, 200)
        XCTAssertEqual(try http("GET", d["url"] as! String).status, 404, "expired by the clock")
        XCTAssertEqual(try http("GET", control + "?action=drop", token: nil).status, 405)
        XCTAssertEqual(try http("POST", control + "/x?action=drop", token: nil).status, 404)
    }

    // MARK: The executable

    func testMockWebexFlagsSetTheDeviceCapAndSilentPongs() throws {
        let process = Process()
        process.executableURL = binaryURL.deletingLastPathComponent().appendingPathComponent("mock-webex")
        process.arguments = ["--port", "0", "--device-cap", "1", "--silent-pongs"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let line = DispatchSemaphore(value: 0)
        let first = LockedText()
        DispatchQueue.global().async {
            var text = ""
            while !text.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            first.set(text)
            line.signal()
        }
        XCTAssertEqual(line.wait(timeout: .now() + 20), .success)
        let base = try XCTUnwrap(first.get().split(separator: " ").first.map(String.init))
        let port = try XCTUnwrap(Int(base.split(separator: ":").last?.split(separator: "/").first ?? ""))
        let device = try TestSocket.http(port: port, "POST", "/wdm/api/v1/devices", token: "bot-token", json: deviceBody)
        XCTAssertEqual(device.status, 200)
        let refused = try TestSocket.http(port: port, "POST", "/wdm/api/v1/devices", token: "bot-token", json: deviceBody)
        XCTAssertEqual(refused.status, 403, "--device-cap 1")
        let url = try XCTUnwrap(device.json["webSocketUrl"] as? String)
        let s = try XCTUnwrap(TestSocket.upgrade(url + "?bufferStates=true", port: port).socket)
        s.authorize("bot-token")
        XCTAssertNotNil(s.nextJSON())
        s.sendJSON(["id": "p-1", "type": "ping"])
        XCTAssertNil(s.nextJSON(timeout: 0.5), "--silent-pongs")
        let silent = try TestSocket.http(port: port, "POST", "/_mock/websocket?action=silent&on=0", token: nil)
        XCTAssertEqual(silent.status, 200)
        s.sendJSON(["id": "p-2", "type": "ping"])
        XCTAssertEqual(s.nextJSON()?["id"] as? String, "p-2")
    }
}

/// A string shared between a reading thread and the test.
private final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func set(_ t: String) { lock.lock(); text = t; lock.unlock() }
    func get() -> String { lock.lock(); defer { lock.unlock() }; return text }
}
