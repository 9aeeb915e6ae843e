#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SparkSpace

/// `pull`.
let pullCommands: [CommandSpec] = [
    CommandSpec(
        "pull", summary: "poll the room's messages that mention the bot and print the new ones",
        details: """
            Lists the room's messages that mention the bot (mentionedPeople=me) and prints those newer than \
            the last one seen, oldest first, as NDJSON lines of normalized events (hook "pull"), or as -o json, tsv or table asks, \
            event by event; the bot's own messages are left out. A first poll without state prints the latest 10 (as \
            the seed); later polls page back until the last seen message, so nothing is skipped. --state FILE \
            keeps the last seen message per room between runs (written atomically; cron-friendly with \
            --once). Polls every --interval seconds (default 10) until Ctrl-C; network and server errors \
            between polls are reported and the next poll tries again.
            """,
        arguments: [ArgumentSpec(name: "ROOM", help: "room id or exact title (default --room, space.room)", optional: true,
                                 completion: .room)],
        options: [.interval, .once, .state],
        examples: [
            "spark-space pull \"Support room\" --interval 30",
            "spark-space pull --once --state ~/.cache/spark-space/pull.json",
        ],
        run: pull),
]

/// What `pull` was asked, checked before anything runs (exit 2).
struct PullOptions: CommandOptions {
    var interval: Double
    var once: Bool
    /// The event printer, its `--fields` checked.
    var lines: EventLines
    var statePath: String?
    /// ROOM as given (else --room, space.room at run time).
    var room: String?
    var role: TokenRole

    init(_ inv: Invocation) throws {
        interval = inv.seconds(.interval) ?? 10
        once = inv.has(.once)
        lines = try EventLines(inv)
        statePath = inv.value(.state)
        room = inv.positionals.first
        role = inv.role(default: .bot)
    }
}

private func pull(_ inv: Invocation) throws {
    try runPull(PullOptions(inv), inv: inv)
}

private func runPull(_ options: PullOptions, inv: Invocation) throws {
    let interval = options.interval, once = options.once, lines = options.lines
    let statePath = options.statePath, role = options.role
    let state = try statePath.map { try PullState.load(path: $0) } ?? PullState()
    let space = try inv.space
    let roomId = try space.roomId(try inv.roomReference(options.room), as: role)
    let selfId = try space.me(role).id
    var cursor = state.rooms[roomId]
    var saved = cursor != nil
    // On a terminal, say that it polls (else a quiet room looks like a hang).
    if !once && inv.status.enabled {
        inv.note("polling every \(formatSeconds(interval)) for messages that mention \(role == .bot ? "the bot" : "you"); "
            + "Ctrl-C to stop")
    }
    while true {
        do {
            let (events, next) = try space.pullEvents(roomId: roomId, after: cursor, selfId: selfId, as: role)
            for event in events { try lines.print(event) }
            if let statePath, next != cursor || !saved {
                // Only this room's entry: another pull may share the file.
                try PullState.save(next, room: roomId, path: statePath)
                saved = true
            }
            cursor = next
        } catch let error as SparkError where !once && isTransient(error) {
            inv.warn("warning: \(errorText(error)); polling again in \(formatSeconds(interval))")
        }
        if once { return }
        sleepThread(seconds: interval)
    }
}

/// Errors worth polling again after: the network, the server, rate limits.
private func isTransient(_ error: SparkError) -> Bool {
    switch error {
    case .transport, .retriesSpent, .waitBudgetSpent: return true
    case .api(let failure): return failure.status >= 500 || failure.status == 429
    default: return false
    }
}

private func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
}
