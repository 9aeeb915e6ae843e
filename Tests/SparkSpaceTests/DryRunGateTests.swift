import XCTest
@testable import SparkSpace

/// The `--dry-run` write gate in `WebexClient.send`: writes are reported, never sent; reads go through.
final class DryRunGateTests: XCTestCase {
    private func client() -> (WebexClient, ScriptedTransport, Box) {
        let transport = ScriptedTransport([])
        let client = WebexClient(baseURL: "https://api.test/v1", token: "secret-token-1234", transport: transport)
        let planned = Box()
        client.dryRun = true
        client.observer = { event in
            if case .plannedWrite(let write) = event { planned.items.append(write) }
        }
        return (client, transport, planned)
    }

    final class Box: @unchecked Sendable { var items: [PlannedWrite] = [] }

    func testWritesAreReportedNotSentReadsGoThrough() throws {
        let (c, t, planned) = client()
        _ = try c.get("rooms")
        let created = try c.post("rooms", ["title": "Ops", "secret": "s3cret-value-9876"])
        let updated = try c.put("rooms/ROOMID", ["title": "Ops 2"])
        try c.delete("rooms/ROOMID")
        try c.send(.post, "messages", body: .multipart([.field(name: "text", value: "hi"),
                                                          .file(name: "files", path: "/tmp/x.pdf", fileName: "x.pdf",
                                                                contentType: "application/pdf")]))
        XCTAssertEqual(t.requests.map(\.method), [.get], "only the read reached the transport")
        XCTAssertEqual(planned.items.map(\.line), [
            #"POST /rooms {"secret":"***9876","title":"Ops"}"#,
            #"PUT /rooms/ROOMID {"title":"Ops 2"}"#,
            "DELETE /rooms/ROOMID",
            #"POST /messages {"files":"@/tmp/x.pdf","text":"hi"}"#,
        ])
        XCTAssertEqual(created["id"], .string(dryRunId))
        XCTAssertEqual(created["title"], "Ops")
        XCTAssertEqual(updated["id"], "ROOMID")
        XCTAssertFalse(planned.items.map(\.line).joined().contains("secret-token-1234"))
    }

    /// One write under dry-run: one `plannedWrite` event, nothing else told, no request.
    func testAWriteUnderDryRunIsOnePlannedWriteAndNoRequest() throws {
        let transport = ScriptedTransport([])
        let c = WebexClient(baseURL: "https://api.test/v1", token: "t", transport: transport)
        c.dryRun = true
        let events = EventBox()
        c.observer = { events.items.append($0) }
        try c.post("messages", ["roomId": "R", "text": "hi"])
        XCTAssertEqual(transport.requests.count, 0)
        XCTAssertEqual(events.items.count, 1)
        guard case .plannedWrite(let write)? = events.items.first else { return XCTFail("\(events.items)") }
        XCTAssertEqual(write.line, #"POST /messages {"roomId":"R","text":"hi"}"#)
    }

    final class EventBox: @unchecked Sendable { var items: [ClientEvent] = [] }

    func testWithoutDryRunWritesAreSent() throws {
        let transport = ScriptedTransport([])
        let c = WebexClient(baseURL: "https://api.test/v1", token: "t", transport: transport)
        try c.delete("rooms/X")
        XCTAssertEqual(transport.requests.map(\.method), [.delete])
    }
}
