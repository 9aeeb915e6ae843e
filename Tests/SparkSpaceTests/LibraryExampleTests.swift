import XCTest
import SparkSpace  // not @testable: the README's example must work with the public API alone

/// The example of docs/library.md, against a scripted transport instead of Webex.
final class LibraryExampleTests: XCTestCase {
    func testTheReadmeExampleUsesOnlyThePublicAPI() throws {
        let transport = ScriptedTransport([
            status(200, body: #"{"items":[{"id":"R1","title":"Ops","type":"group"},{"id":"R2","title":"Dev","type":"group"}]}"#),
            status(200, body: #"{"id":"M1","roomId":"R1","text":"deploy started"}"#),
        ])
        let events = EventLog()
        var settings = Settings()
        settings.token = "BOT TOKEN"
        let space = Space(settings: settings, transport: transport, observer: { event in events.add(event) })
        let room = try space.room("Ops")  // by id or exact title
        let posted = try space.post(OutgoingMessage(target: .room(id: room.id), text: "deploy started"))
        XCTAssertEqual(room.id, "R1")
        XCTAssertEqual(posted.id, "M1")
        XCTAssertEqual(transport.requests.map(\.method), [.get, .post])
        XCTAssertEqual(events.count, 2, "one request event per call")
    }
}

/// Collects observer events (called from the client's thread).
private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ClientEvent] = []
    func add(_ event: ClientEvent) { lock.withLock { events.append(event) } }
    var count: Int { lock.withLock { events.count } }
}

/// docs/library.md lists the public API: every public type, function and constant of the library
/// is named there, so a new one is listed the day it is added.
final class LibraryListingTests: XCTestCase {
    func testTheLibraryPageNamesEveryPublicDeclaration() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("docs/library.md"), encoding: .utf8)
        let sources = root.appendingPathComponent("Sources/SparkSpace")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        XCTAssertFalse(files.isEmpty)
        let declaration = try NSRegularExpression(
            pattern: #"^public (?:final class|struct|enum|class|protocol|func|let|var|typealias) ([A-Za-z_][A-Za-z0-9_]*)"#,
            options: .anchorsMatchLines)
        var names: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in declaration.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                names.append(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        XCTAssertGreaterThan(names.count, 50)
        for name in names {
            XCTAssertTrue(page.contains("`\(name)`") || page.contains("`\(name)(") || page.contains(" \(name) "),
                          "docs/library.md does not name \(name)")
        }
    }
}
