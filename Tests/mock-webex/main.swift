import Foundation
import MockWebex

// mock-webex [--port N] [--messages N] [--room-title T] [--latency-ms N] [--sparse-days D]
// Prints "http://127.0.0.1:PORT/v1 ROOM_ID" and serves until SIGTERM/SIGINT.
// Tokens: "bot-token" (bot@example.com), "audit-token" (alice@example.com).

func usage() -> Never {
    FileHandle.standardError.write(Data("usage: mock-webex [--port N] [--messages N] [--room-title T] [--throttle-every N --retry-after S] [--latency-ms N] [--sparse-days D] [--device-cap N] [--silent-pongs]\n".utf8))
    exit(2)
}

var port = 0
var count = 0
var title = "Mock room"
var throttleEvery = 0
var retryAfter = "1"
var deviceCap: Int?
var silentPongs = false
var latencyMillis = 0
var sparseDays = 0
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    var name = a
    var inline: String?
    if let eq = a.firstIndex(of: "="), a.hasPrefix("--") {
        name = String(a[..<eq])
        inline = String(a[a.index(after: eq)...])
    }
    func value() -> String {
        if let v = inline { return v }
        guard let v = args.popFirst() else { usage() }
        return v
    }
    switch name {
    case "--port": guard let v = Int(value()), v >= 0 else { usage() }; port = v
    case "--messages": guard let v = Int(value()), v >= 0 else { usage() }; count = v
    case "--room-title": title = value()
    // Every n-th membership POST answers 429 with Retry-After (for the bulk-add benchmark).
    case "--throttle-every": guard let v = Int(value()), v > 0 else { usage() }; throttleEvery = v
    case "--retry-after": retryAfter = value()
    // The websocket side (Tests/MockWebex/WebsocketMock.swift; catalog at http://127.0.0.1:PORT/u2c/api/v1):
    // refuse a registration beyond N live devices per identity (403); leave JSON pings unanswered. More switches:
    // POST /_mock/websocket?action=close|drop|silent|gap|expire|clock|cap|messages.
    case "--device-cap": guard let v = Int(value()), (0...1_000_000).contains(v) else { usage() }; deviceCap = v
    case "--silent-pongs": silentPongs = true
    // Added before every answer: a real service's round trip (for the parallel walk benchmark).
    case "--latency-ms": guard let v = Int(value()), (0...600_000).contains(v) else { usage() }; latencyMillis = v
    // One message an hour for D days before the others: an uneven history.
    case "--sparse-days": guard let v = Int(value()), (0...3650).contains(v) else { usage() }; sparseDays = v
    case "-h", "--help": usage()
    default: usage()
    }
}

let server = MockWebexServer()
let room = server.addRoom(title: title, members: ["alice@example.com"])
let dense = Date().addingTimeInterval(-Double(count) / 1000 - 60)
for hour in stride(from: sparseDays * 24, to: 0, by: -1) {
    let created = ISO8601DateFormatter.string(from: dense.addingTimeInterval(-Double(hour) * 3600), timeZone: .gmt,
                                              formatOptions: [.withInternetDateTime, .withFractionalSeconds])
    server.addMessage(roomId: room.id, fromEmail: "alice@example.com", text: "hour \(hour)", created: created)
}
server.addMessages(roomId: room.id, count: count, fromEmail: "alice@example.com")
server.latency = Double(latencyMillis) / 1000
if throttleEvery > 0 {
    server.throttle(pathPrefix: "/memberships", method: "POST", every: throttleEvery, retryAfter: retryAfter)
}
if let deviceCap { server.deviceCap = deviceCap }
server.silentPongs = silentPongs
do {
    try server.start(port: port)
} catch {
    FileHandle.standardError.write(Data("mock-webex: cannot listen: \(error)\n".utf8))
    exit(1)
}
print("\(server.baseURL) \(room.id)")
fflush(nil)  // every output stream: `stdout` itself is a global var Swift 6 will not touch

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
var sources: [DispatchSourceSignal] = []
for sig in [SIGTERM, SIGINT] {
    let s = DispatchSource.makeSignalSource(signal: sig, queue: .main)
    s.setEventHandler {
        server.stop()
        exit(0)
    }
    s.resume()
    sources.append(s)
}
dispatchMain()
