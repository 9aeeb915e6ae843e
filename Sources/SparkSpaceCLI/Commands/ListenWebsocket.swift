import SparkSpace

/// What `listen --websocket` was asked, checked before anything runs (usage errors, exit 2).
struct ListenWebsocketOptions: CommandOptions {
    var rooms: [String]
    var types: Set<String>
    var count: Int?
    var includeSelf: Bool
    var pruneDevices: Bool

    init(_ inv: Invocation) throws {
        let webhookOnly: [OptionSpec] = [.binding, .port, .hook, .secret, .register]
        if let given = webhookOnly.first(where: { inv.has($0) }) {
            throw UsageError("--\(given.long) is for the webhook receiver; --websocket needs no URL, port or secret",
                             command: inv.parsed.command)
        }
        if inv.dryRun {
            throw UsageError("listen has no --dry-run", command: inv.parsed.command)
        }
        rooms = inv.all(.room)
        types = Set(inv.all(.eventType))
        count = inv.int(.count)
        includeSelf = inv.has(.includeSelf)
        pruneDevices = inv.has(.pruneDevices)
    }

    /// The options that only `--websocket` takes, for the webhook receiver's check.
    static let websocketOnly: [OptionSpec] = [.eventType, .count, .includeSelf, .pruneDevices]
}

/// `listen --websocket`: the events of `listen` without a public URL.
func listenWebsocket(_ inv: Invocation) throws {
    let options = try ListenWebsocketOptions(inv)
    try runListenWebsocket(options, inv: inv)
}

private func runListenWebsocket(_ options: ListenWebsocketOptions, inv: Invocation) throws {
    let lines = try EventLines(output: inv.output)
    let socket = try EventSocket(inv: inv, includeSelf: options.includeSelf, rooms: options.rooms,
                                 prune: options.pruneDevices, listening: true)
    let counter = Counter()
    try socket.start { event in
        guard options.types.isEmpty || options.types.contains(event["type"]?.string ?? "") else { return false }
        try lines.print(event)
        guard let count = options.count else { return false }
        return counter.next() >= count
    }
    _ = socket.wait(until: nil)
    try socket.finish()
}

/// Events printed so far (touched by the event queue only).
private final class Counter: @unchecked Sendable {
    private var value = 0
    func next() -> Int {
        value += 1
        return value
    }
}
