import XCTest
@testable import SparkSpace

/// The typed API objects: decoded from answers of the OpenAPI's shape, required fields checked once,
/// the raw JSON kept as it came.
final class ModelsTests: XCTestCase {
    private let room = #"""
        {"id":"Y2lzY29zcGFyazovL3VzL1JPT00vYmJj","title":"Project Unicorn - Sprint 0","type":"group","isLocked":true,
         "teamId":"Y2lzY29zcGFyazovL3VzL1RFQU0vMTNl","lastActivity":"2016-04-21T19:12:48.920Z",
         "creatorId":"Y2lzY29zcGFyazovL3VzL1BFT1BMRS9m","created":"2016-04-21T19:01:55.966Z","isPublic":true,
         "description":"Company Announcements","score":1.5,"tags":[1,true,null]}
        """#
    private let team = #"""
        {"id":"Y2lzY29zcGFyazovL3VzL1RFQU0vMTNl","name":"Build Squad","description":"The A Team",
         "created":"2015-10-18T14:26:16.000Z"}
        """#
    private let membership = #"""
        {"id":"Y2lzY29zcGFyazovL3VzL01FTUJFUlNISVAv","roomId":"Y2lzY29zcGFyazovL3VzL1JPT00vYmJj",
         "personId":"Y2lzY29zcGFyazovL3VzL1BFT1BMRS9m","personEmail":"john.andersen@example.com",
         "personDisplayName":"John Andersen","isModerator":true,"isRoomHidden":false,"isMonitor":false,
         "created":"2015-10-18T14:26:16.203Z"}
        """#
    private let teamMembership = #"""
        {"id":"Y2lzY29zcGFyazovL3VzL1RFQU1fTUVN","teamId":"Y2lzY29zcGFyazovL3VzL1RFQU0vMTNl",
         "personId":"Y2lzY29zcGFyazovL3VzL1BFT1BMRS9m","personEmail":"john.andersen@example.com","isModerator":false}
        """#
    private let person = #"""
        {"id":"Y2lzY29zcGFyazovL3VzL1BFT1BMRS9m","emails":["john.andersen@example.com"],"displayName":"John Andersen",
         "nickName":"John","orgId":"Y2lzY29zcGFyazovL3VzL09SR0FOSVpB","type":"person","created":"2015-10-18T14:26:16.000Z"}
        """#
    private let webhook = #"""
        {"id":"Y2lzY29zcGFyazovL3VzL1dFQkhPT0sv","name":"My Awesome Webhook","targetUrl":"https://example.com/mywebhook",
         "resource":"messages","event":"created","filter":"roomId=Y2lzY29zcGFyazovL3VzL1JPT00vYmJj",
         "secret":"86dacc007724d8ea666f88fc77d918dad9537a15","status":"active","created":"2015-10-18T14:26:16+00:00",
         "ownedBy":"org"}
        """#
    private let message = #"""
        {"id":"Y2lzY29zcGFyazovL3VzL01FU1NBR0Uv","roomId":"Y2lzY29zcGFyazovL3VzL1JPT00vYmJj","roomType":"group",
         "text":"PROJECT UPDATE","parentId":"Y2lzY29zcGFyazovL3VzL01FU1NBR0Uw","personId":"Y2lzY29zcGFyazovL3VzL1BFT1BMRS9m",
         "personEmail":"matt@example.com","created":"2015-10-18T14:26:16+00:00"}
        """#

    private func json(_ text: String) throws -> JSON { try JSON.parse(Array(text.utf8)) }

    /// A kind of room this version does not know is kept as sent, not an error nor a group room.
    func testRoomKindKeepsUnknownValues() throws {
        XCTAssertEqual(try Room(json: ["id": "r1", "title": "T", "type": "direct"]).type, .direct)
        let future = try Room(json: ["id": "r1", "title": "T", "type": "broadcast"])
        XCTAssertEqual(future.type, .other("broadcast"))
        XCTAssertEqual(future.type?.description, "broadcast")
        XCTAssertNil(try Room(json: ["id": "r1", "title": "T"]).type)
    }

    func testRoomDecodes() throws {
        let decoded = try Room(json: json(room))
        XCTAssertEqual(decoded.id, "Y2lzY29zcGFyazovL3VzL1JPT00vYmJj")
        XCTAssertEqual(decoded.title, "Project Unicorn - Sprint 0")
        XCTAssertEqual(decoded.type, .group)
        XCTAssertEqual(decoded.teamId, "Y2lzY29zcGFyazovL3VzL1RFQU0vMTNl")
        XCTAssertEqual(decoded.description, "Company Announcements")
        XCTAssertTrue(decoded.isLocked)
        XCTAssertFalse(decoded.isAnnouncementOnly)  // absent: off
    }

    func testCardActionDecodesAndNeedsItsId() throws {
        let action = #"""
            {"id":"Y2lzY29zcGFyazovL3VzL0FUVEFDSE1FTlRfQUNUSU9O","type":"submit",
             "messageId":"Y2lzY29zcGFyazovL3VzL01FU1NBR0Uv","inputs":{"approve":"yes"},
             "personId":"Y2lzY29zcGFyazovL3VzL1BFT1BMRS9m","roomId":"Y2lzY29zcGFyazovL3VzL1JPT00vYmJj",
             "created":"2016-05-10T19:41:00.100Z"}
            """#
        let decoded = try AttachmentAction(json: json(action))
        XCTAssertEqual(decoded.messageId, "Y2lzY29zcGFyazovL3VzL01FU1NBR0Uv")
        XCTAssertEqual(decoded.inputs, ["approve": "yes"])
        XCTAssertEqual(try AttachmentAction(json: json(#"{"id":"A","messageId":"M","inputs":null}"#)).inputs, .object([:]))
        XCTAssertNil(try AttachmentAction(json: json(#"{"id":"A"}"#)).messageId, "the event gives it its default")
        XCTAssertThrowsError(try AttachmentAction(json: json(#"{"messageId":"M","inputs":{}}"#))) { error in
            XCTAssertEqual(error as? SparkError, .io("the API returned a card action without an id"))
        }
    }

    func testTeamDecodes() throws {
        let decoded = try Team(json: json(team))
        XCTAssertEqual(decoded.id, "Y2lzY29zcGFyazovL3VzL1RFQU0vMTNl")
        XCTAssertEqual(decoded.name, "Build Squad")
        XCTAssertEqual(decoded.description, "The A Team")
    }

    func testMembershipsOfRoomsAndTeamsDecode() throws {
        let inRoom = try Membership(json: json(membership))
        XCTAssertEqual(inRoom.roomId, "Y2lzY29zcGFyazovL3VzL1JPT00vYmJj")
        XCTAssertNil(inRoom.teamId)
        XCTAssertEqual(inRoom.personEmail, "john.andersen@example.com")
        XCTAssertEqual(inRoom.personId, "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9m")
        XCTAssertTrue(inRoom.isModerator)
        XCTAssertFalse(inRoom.isRoomHidden)
        let inTeam = try Membership(json: json(teamMembership))
        XCTAssertEqual(inTeam.teamId, "Y2lzY29zcGFyazovL3VzL1RFQU0vMTNl")
        XCTAssertNil(inTeam.roomId)
        XCTAssertFalse(inTeam.isModerator)
    }

    func testPersonDecodes() throws {
        let decoded = try Person(json: json(person))
        XCTAssertEqual(decoded.id, "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9m")
        XCTAssertEqual(decoded.emails, ["john.andersen@example.com"])
        XCTAssertEqual(decoded.displayName, "John Andersen")
        XCTAssertEqual(decoded.type, "person")
    }

    func testWebhookDecodes() throws {
        let decoded = try Webhook(json: json(webhook))
        // Field by field, in the order of the sample.
        XCTAssertEqual([decoded.id, decoded.name, decoded.targetUrl, decoded.resource, decoded.event, decoded.filter,
                        decoded.secret, decoded.status],
                       ["Y2lzY29zcGFyazovL3VzL1dFQkhPT0sv", "My Awesome Webhook", "https://example.com/mywebhook",
                        "messages", "created", "roomId=Y2lzY29zcGFyazovL3VzL1JPT00vYmJj",
                        "86dacc007724d8ea666f88fc77d918dad9537a15", "active"])
    }

    func testMessageDecodes() throws {
        let decoded = try Message(json: json(message))
        XCTAssertEqual([decoded.id, decoded.roomId, decoded.parentId, decoded.personEmail, decoded.text],
                       ["Y2lzY29zcGFyazovL3VzL01FU1NBR0Uv", "Y2lzY29zcGFyazovL3VzL1JPT00vYmJj",
                        "Y2lzY29zcGFyazovL3VzL01FU1NBR0Uw", "matt@example.com", "PROJECT UPDATE"])
    }

    /// Each sample with `key` removed, and with `key` of the wrong type: both a malformed answer.
    private func assertRequired<Object: APIObject>(_ type: Object.Type, _ sample: String, _ key: String,
                                                   file: StaticString = #filePath, line: UInt = #line) throws {
        let article = "aeiou".contains(key.first!) ? "an" : "a"
        let expected = SparkError.io("the API returned a \(Object.kind) without \(article) \(key)")
        var missing = try json(sample)
        missing[key] = nil
        XCTAssertThrowsError(try Object(json: missing), file: file, line: line) { error in
            XCTAssertEqual(error as? SparkError, expected, file: file, line: line)
        }
        var mistyped = try json(sample)
        mistyped[key] = 42
        XCTAssertThrowsError(try Object(json: mistyped), file: file, line: line) { error in
            XCTAssertEqual(error as? SparkError, expected, file: file, line: line)
        }
    }

    func testAMissingIdIsAnError() throws {
        try assertRequired(Room.self, room, "id")
        try assertRequired(Team.self, team, "id")
        try assertRequired(Membership.self, membership, "id")
        try assertRequired(Person.self, person, "id")
        try assertRequired(Webhook.self, webhook, "id")
        try assertRequired(Message.self, message, "id")
    }

    func testOtherRequiredFieldsAreChecked() throws {
        try assertRequired(Room.self, room, "title")
        try assertRequired(Team.self, team, "name")
        try assertRequired(Webhook.self, webhook, "name")
        try assertRequired(Webhook.self, webhook, "targetUrl")
    }

    func testAnEmptyIdIsAnError() throws {
        XCTAssertThrowsError(try Team(json: ["id": "", "name": "T"])) { error in
            XCTAssertEqual(error as? SparkError, .io("the API returned a team without an id"))
        }
    }

    func testOneItemWithoutIdFailsTheListing() throws {
        let items: [JSON] = [try json(team), ["name": "No id"]]
        XCTAssertThrowsError(try Team.list(items))
        XCTAssertEqual(try Team.list([try json(team)]).map(\.name), ["Build Squad"])
    }

    /// A dry-run's stand-in echoes only what was sent, plus an id: it must decode.
    func testDryRunStandInsDecode() throws {
        let update: JSON = ["id": "M1", "isModerator": true, "isRoomHidden": false]
        XCTAssertEqual(try Membership(json: update).personEmail, nil)
        let post: JSON = ["id": .string(dryRunId), "toPersonEmail": "b@example.com", "text": "hi"]
        XCTAssertNil(try Message(json: post).roomId)
    }

    /// `json` is the answer as it came: written out, byte for byte what the raw JSON writes,
    /// with the fields no model reads (numbers, arrays, nulls) kept.
    func testJSONIsPassedThroughUnchanged() throws {
        func bytes(_ value: JSON) -> [UInt8] {
            var out: [UInt8] = []
            value.writePretty(into: &out)
            value.write(into: &out)
            return out
        }
        let samples: [(JSON, JSON)] = [
            (try Room(json: json(room)).json, try json(room)),
            (try Team(json: json(team)).json, try json(team)),
            (try Membership(json: json(membership)).json, try json(membership)),
            (try Person(json: json(person)).json, try json(person)),
            (try Webhook(json: json(webhook)).json, try json(webhook)),
            (try Message(json: json(message)).json, try json(message)),
        ]
        for (kept, raw) in samples {
            XCTAssertEqual(kept, raw)
            XCTAssertEqual(bytes(kept), bytes(raw))
        }
        XCTAssertEqual(try Room(json: json(room)).json["score"], .double(1.5))
        XCTAssertEqual([try Team(json: json(team))].json, [try json(team)])
    }

    // MARK: Through the library

    private func space(answering bodies: [String]) -> (Space, ScriptedTransport) {
        var settings = Settings()
        settings.token = "bot-token"
        settings.room = "Ops"
        settings.participants = ["a@example.com"]
        let transport = ScriptedTransport(bodies.map { status(200, body: $0) })
        return (Space(settings: settings, transport: transport), transport)
    }

    func testAListingWithAnItemWithoutIdIsAnError() throws {
        let (space, _) = space(answering: [#"{"items":[{"id":"T1","name":"A"},{"name":"B"}]}"#])
        XCTAssertThrowsError(try space.teams()) { error in
            XCTAssertEqual(error as? SparkError, .io("the API returned a team without an id"))
        }
    }

    /// `provision`'s planner once force-unwrapped the id of a room found by title (a crash).
    func testPlanningOverARoomWithoutIdIsAnErrorNotACrash() throws {
        let (space, _) = space(answering: [#"{"items":[{"title":"Ops","type":"group"}]}"#])
        XCTAssertThrowsError(try space.plan(SpacesManifest(settings: space.settings), prune: false)) { error in
            XCTAssertEqual(error as? SparkError, .io("the API returned a room without an id"))
        }
    }

    /// A membership without id once planned a DELETE of `memberships/` (the collection).
    func testPlanningOverAMembershipWithoutIdIsAnError() throws {
        let (space, transport) = space(answering: [
            #"{"items":[{"id":"R1","title":"Ops","type":"group"}]}"#,
            #"{"items":[{"personEmail":"zed@example.com","isModerator":false}]}"#,
        ])
        XCTAssertThrowsError(try space.plan(SpacesManifest(settings: space.settings), prune: true)) { error in
            XCTAssertEqual(error as? SparkError, .io("the API returned a membership without an id"))
        }
        XCTAssertEqual(transport.requests.map(\.method), [.get, .get])
    }

    func testARoomFoundByTitleKeepsTheListedObject() throws {
        let listed = #"{"id":"R1","title":"Ops","type":"group","extra":{"b":[1,2.5,null],"a":"x"}}"#
        let (space, _) = space(answering: [#"{"items":[\#(listed)]}"#])
        let room = try space.room("Ops")
        XCTAssertEqual(room.id, "R1")
        XCTAssertEqual(room.json, try json(listed))
    }
}
