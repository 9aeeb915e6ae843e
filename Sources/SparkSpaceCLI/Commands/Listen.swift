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
import Dispatch
import SparkSpace
import SparkSpaceListen

/// `listen`.
let listenCommands: [CommandSpec] = [
    CommandSpec(
        "listen", summary: "receive webhook deliveries and print each normalized event as one JSON line",
        details: """
            An HTTP server on --binding/--port/--hook (defaults server.binding, server.port, server.hook: \
            0.0.0.0, 8080, /hook). With a secret (--secret, server.secret or SPARK_WEBHOOK_SECRET) a delivery \
            must carry X-Spark-Signature, the hex HMAC-SHA1 of its body, else it is answered 401. Deliveries \
            are answered 200 at once and handled after: messages are fetched (audit hook: with the audit \
            token) and printed unless the bot sent them; memberships created/deleted print join/leave; \
            attachmentActions created (a card submitted, see 'webhooks register --cards') prints a card \
            event, its inputs fetched from /attachment/actions/{id} with the hook's token. \
            Events are NDJSON lines on stdout whatever -o says. Bodies over 1 MB get 413, bodies that are \
            not JSON 400. Stops cleanly on Ctrl-C (exit 130) or SIGTERM (exit 0) after printing every accepted event; \
            --register registers the webhooks on start and deregisters them on exit. --port 0 picks a free \
            port; the address is printed on stderr. \
            With --websocket: no server and no public URL; the same events come over Webex's websocket \
            (a device is registered on start and deleted on exit; see "Events without a public URL" in \
            the guide), with --room (repeatable), --type, --count, --include-self and --prune-devices.
            """,
        options: [
            .binding,
            .port,
            .hook,
            .secret.with(help: "require deliveries signed with S (default server.secret)"),
            .register,
            .websocket,
            .eventType,
            .count,
            .includeSelf,
            .pruneDevices,
        ],
        examples: [
            "spark-space listen --port 8080 --secret \"$SECRET\"",
            "spark-space listen --register https://bot.example.com/hook | my-bot",
            "spark-space listen --websocket --room 'Ops room' --type message | my-bot",
        ],
        writes: true, run: listen),
]

/// Prints events as NDJSON lines (one compact, key-sorted JSON object per line,
/// flushed), from any thread; `--fields` keeps only those keys of each.
final class EventLines {
    private let output: Output
    private let lock = ThreadLock()

    /// Throws (exit 2) on a `--fields` name no event can have: checked against every event
    /// type's keys before the first request, since a listener may see no event for hours.
    init(output: Output) throws {
        try output.checkFields(available: Events.keys)
        self.output = output
    }

    func print(_ event: JSON) throws {
        var bytes: [UInt8] = []
        // A key this event type lacks (from_label on a join) is left out, as in any json --fields.
        output.picked(event, columns: []).write(into: &bytes)
        bytes.append(10)
        lock.lock()
        defer { lock.unlock() }
        try output.out.write(bytes: bytes)
        try output.out.flush()
    }
}

/// A stop request that can come from a signal handler or a worker; waited on by `listen`.
private final class StopRequest: @unchecked Sendable {
    private let lock = ThreadLock()
    private let semaphore = DispatchSemaphore(value: 0)
    private(set) var signal: Int32?
    private var requested = false

    /// True the first time only.
    @discardableResult
    func request(signal: Int32? = nil) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !requested else { return false }
        requested = true
        self.signal = signal
        semaphore.signal()
        return true
    }

    func wait() { semaphore.wait() }
}

private func listen(_ inv: Invocation) throws {
    if inv.has(.websocket) { return try listenWebsocket(inv) }
    let command = inv.parsed.command
    if let given = ListenWebsocketOptions.websocketOnly.first(where: { inv.has($0) }) {
        throw UsageError("--\(given.long) goes with --websocket", command: command)
    }
    if inv.dryRun {
        // A receiver serves until stopped: there is no run to rehearse.
        throw UsageError("listen has no --dry-run; 'webhooks register URL --dry-run' shows what --register would write",
                         command: command)
    }
    let lines = try EventLines(output: inv.output)
    let space = try inv.space
    let settings = space.settings
    // Checked by the parser (0-65535).
    let port = inv.int(.port) ?? settings.port
    let registerURL = try inv.value(.register).map { try webhookURL($0, settings: settings, command: command) }
    let secret = inv.value(.secret) ?? settings.secret
    let configuration = WebhookReceiver.Configuration(
        host: inv.value(.binding) ?? settings.binding, port: port, path: inv.value(.hook) ?? settings.hook,
        secret: secret)

    // Seed `on_connect`: the bot's id filters its own messages out.
    let botId = try space.me(.bot).id
    let stop = StopRequest()
    let verbose = inv.verbose
    let receiver = WebhookReceiver(configuration: configuration, onDelivery: { delivery in
        let label = "\(delivery["name"]?.string ?? "?") \(delivery["resource"]?.string ?? "?")/"
            + "\(delivery["event"]?.string ?? "?")"
        do {
            switch try space.event(forDelivery: delivery, botId: botId) {
            case .event(let event):
                try lines.print(event)
            case .ignored(let reason):
                if verbose { inv.note("ignored a delivery (\(label)): \(reason)") }
            }
        } catch is OutputClosed {
            stop.request()
        } catch {
            inv.warn("warning: delivery \(label) \(delivery["data"]?["id"]?.string ?? ""): \(errorText(error))")
        }
    }, onRejection: { rejection, reason in
        inv.note("refused a request (\(rejection.status)): \(reason)")
    })

    SignalHandling.interceptors.set { signal in
        if !stop.request(signal: signal) {
            // A second signal while stopping: give up on a clean stop.
            TemporaryFiles.shared.removeAll()
            _exit(signal == SIGINT ? ExitCode.interrupted : 128 + signal)
        }
    }
    defer { SignalHandling.interceptors.set(nil) }

    let bound = try receiver.start()
    inv.note("listening on http://\(configuration.host):\(bound)\(configuration.path)")
    if let registerURL {
        do {
            let created = try space.registerWebhooks(url: registerURL, secret: secret,
                                                     deleted: { tellDeleted($0, inv) })
            inv.note("registered \(created.map(\.webhook.name).joined(separator: ", ")) "
                + "for \(registerURL)")
        } catch {
            receiver.stop()
            throw error
        }
    }

    stop.wait()
    inv.note("stopping: finishing the accepted deliveries")
    receiver.stop()
    if registerURL != nil {
        let deleted = try space.deregisterWebhooks(deleted: { tellDeleted($0, inv) })
        inv.note("deregistered \(deleted.count) webhook\(deleted.count == 1 ? "" : "s")")
    }
    if let signal = stop.signal { throw StoppedBySignal(signal: signal) }
}
