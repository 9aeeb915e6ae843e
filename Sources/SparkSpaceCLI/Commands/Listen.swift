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
            Events are NDJSON lines on stdout unless -o json, tsv or table asks otherwise (honoured event by event). Bodies over 1 MB get 413, bodies that are \
            not JSON 400; while 256 accepted deliveries wait to be printed (stdout not read) a delivery gets 503 (not \
            taken). Stops cleanly on Ctrl-C (exit 130) or SIGTERM (exit 0) after printing every accepted event \
            (none printed for 5 s: it stops anyway, says how many were not printed, exit 1); \
            --register URL creates a webhook set of the run's own on start (prefix listen-HOST-PID) and deletes \
            exactly that set on exit (Ctrl-C, SIGTERM, closed stdout); no other webhook is ever touched. --port 0 picks a free \
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

/// Prints events as they come, from any thread, each flushed: NDJSON lines (one compact,
/// key-sorted JSON object per line) unless `-o json|tsv|table|wide` was asked for, which is
/// honoured event by event (SPEC "Output"): json one document per event, tsv one line, table
/// one row (the header once). `--fields` keeps only those keys or columns.
final class EventLines {
    private let output: Output
    /// The rows of `-o tsv|table|wide` (nil: json or ndjson).
    private let rows: ItemStream?
    private let lock = ThreadLock()

    /// Throws (exit 2) on a `--fields` name no event can have: checked against every event
    /// type's keys before the first request, since a listener may see no event for hours.
    /// `asked`: `-o`/`--json` was given (else ndjson, whatever stdout is).
    init(output: Output, asked: Bool = false) throws {
        try output.checkFields(available: Events.keys + messageColumns.map(\.key))
        let format = asked ? output.format : .ndjson
        self.output = format == output.format ? output
            : Output(format: .ndjson, out: output.out, color: output.color, width: output.width,
                     fields: output.fields, ages: output.ages, status: output.status)
        // Times as they came: the age of an event printed as it happens would always be "0s ago".
        rows = format == .json || format == .ndjson ? nil
            : ItemStream(output: Output(format: format, out: output.out, color: output.color, width: output.width,
                                        fields: output.fields, ages: false, status: output.status),
                         columns: messageColumns, known: Events.keys)
    }

    /// Events of a command, with the `-o` it was given.
    convenience init(_ inv: Invocation) throws {
        try self.init(output: inv.output, asked: inv.has(.json) || inv.value(.output) != nil)
    }

    func print(_ event: JSON) throws {
        lock.lock()
        defer { lock.unlock() }
        if let rows { return try rows.write(CollectionOfOne(event)) }
        var bytes: [UInt8] = []
        // A key this event type lacks (from_label on a join) is left out, as in any json --fields.
        if output.format == .json {
            output.picked(event, columns: []).writePretty(into: &bytes)
        } else {
            output.picked(event, columns: []).write(into: &bytes)
        }
        bytes.append(10)
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

/// What `listen` (the webhook receiver) was asked, checked before anything runs (exit 2).
struct ListenOptions: CommandOptions {
    var configuration: WebhookReceiver.Configuration
    /// `--register URL`, checked: the run-unique set is made on start and deleted on exit.
    var registerURL: String?
    /// The event printer, its `--fields` checked against every event type's keys.
    var lines: EventLines

    init(_ inv: Invocation) throws {
        let command = inv.parsed.command
        if let given = ListenWebsocketOptions.websocketOnly.first(where: { inv.has($0) }) {
            throw UsageError("--\(given.long) goes with --websocket", command: command)
        }
        if inv.dryRun {
            // A receiver serves until stopped: there is no run to rehearse.
            throw UsageError("listen has no --dry-run; 'webhooks register URL --dry-run' shows what --register would write",
                             command: command)
        }
        lines = try EventLines(inv)
        let settings = try inv.space.settings
        registerURL = try inv.value(.register).map { try webhookURL($0, settings: settings, command: command) }
        // The port is checked by the parser (0-65535).
        configuration = WebhookReceiver.Configuration(
            host: inv.value(.binding) ?? settings.binding, port: inv.int(.port) ?? settings.port,
            path: inv.value(.hook) ?? settings.hook, secret: inv.value(.secret) ?? settings.secret)
    }
}

private func listen(_ inv: Invocation) throws {
    if inv.has(.websocket) { return try listenWebsocket(inv) }
    try runListen(ListenOptions(inv), inv: inv)
}

/// Serves until a signal or a closed stdout; everything printed once the receiver starts goes
/// through `notices` (its own thread: a stderr nobody drains never blocks serving or a stop).
private func runListen(_ options: ListenOptions, inv: Invocation) throws {
    let space = try inv.space
    // Seed `on_connect`: the bot's id filters its own messages out.
    let botId = try space.me(.bot).id
    let stop = StopRequest()
    let notices = NoticeQueue { inv.note($0) }
    let receiver = webhookReceiver(options.configuration, space: space, botId: botId, lines: options.lines,
                                   stop: stop, notices: notices, inv: inv)
    interceptSignals(stop)
    defer { SignalHandling.interceptors.set(nil) }

    let bound = try receiver.start()
    let configuration = options.configuration
    notices.post("listening on http://\(configuration.host):\(bound)\(configuration.path)", always: true)
    var registered: [OwnedWebhook] = []
    if let registerURL = options.registerURL {
        do {
            registered = try registerOwnSet(registerURL, secret: configuration.secret, space: space, inv: inv,
                                            say: { notices.post($0, always: true) })
        } catch {
            receiver.stop()
            throw error
        }
    }

    stop.wait()
    notices.post("stopping: finishing the accepted deliveries", always: true)
    let unprinted = receiver.stop(within: listenStopStall)
    if unprinted > 0 {
        notices.post(always: true) {
            inv.console.diagnostic("spark-space: error: \(unprinted) accepted event\(unprinted == 1 ? " was" : "s were") "
                + "not printed: stdout was not read for \(Int(listenStopStall)) s")
        }
    }
    try deregister(registered, space: space, notices: notices, inv: inv)
    // The last notices get a moment; a stderr nobody reads does not keep the process alive.
    notices.flush(within: 2)
    // Said above through the notices (a blocked stderr must not hold the exit): not again.
    if unprinted > 0 { throw AlreadyReported(code: ExitCode.failure) }
    if let signal = stop.signal { throw StoppedBySignal(signal: signal, termIsSuccess: true) }
}

/// Seconds `listen` waits, once stopping, for an accepted delivery to be handled before it gives
/// up on the rest (a handler blocked on a stdout nobody reads): each one handled restarts it.
let listenStopStall = 5.0

/// The receiver: each delivery turned into an event and printed, or told about on `notices`.
private func webhookReceiver(_ configuration: WebhookReceiver.Configuration, space: Space, botId: String,
                             lines: EventLines, stop: StopRequest, notices: NoticeQueue,
                             inv: Invocation) -> WebhookReceiver {
    let verbose = inv.verbose
    return WebhookReceiver(configuration: configuration, onDelivery: { delivery in
        let label = "\(delivery["name"]?.string ?? "?") \(delivery["resource"]?.string ?? "?")/"
            + "\(delivery["event"]?.string ?? "?")"
        do {
            switch try space.event(forDelivery: delivery, botId: botId) {
            case .event(let event):
                try lines.print(event)
            case .ignored(let reason):
                if verbose { notices.post("ignored a delivery (\(label)): \(reason)") }
            }
        } catch is OutputClosed {
            stop.request()
        } catch {
            let text = "warning: delivery \(label) \(delivery["data"]?["id"]?.string ?? ""): \(errorText(error))"
            notices.post { inv.warn(text) }
        }
    }, onRejection: { rejection, reason in
        inv.note("refused a request (\(rejection.status)): \(reason)")
    }, notices: notices)
}

/// The first SIGINT/SIGTERM asks for a clean stop; a second one gives up on it.
private func interceptSignals(_ stop: StopRequest) {
    SignalHandling.interceptors.set { signal in
        if !stop.request(signal: signal) {
            TemporaryFiles.shared.removeAll()
            _exit(signal == SIGINT ? ExitCode.interrupted : 128 + signal)
        }
    }
}

/// Deletes exactly the set this run made, by id: nothing else, whatever its name.
private func deregister(_ registered: [OwnedWebhook], space: Space, notices: NoticeQueue,
                        inv: Invocation) throws {
    guard !registered.isEmpty else { return }
    try space.removeWebhooks(registered, deleted: { record in notices.post(always: true) { tellDeleted(record, inv) } })
    notices.post("deregistered \(registered.count) webhook\(registered.count == 1 ? "" : "s")", always: true)
}

/// `listen --register URL`: a set of this run's own (SPEC), so another deployment's webhooks
/// are never replaced; it is deleted by id on the way out.
/// `say`: the listener's notices (never a blocking write once it serves).
private func registerOwnSet(_ url: String, secret: String?, space: Space, inv: Invocation,
                            say: (String) -> Void) throws -> [OwnedWebhook] {
    let registered = try space.registerWebhooks(url: url, secret: secret, prefix: listenPrefix(),
                                                deleted: { tellDeleted($0, inv) })
    say("registered \(registered.map(\.webhook.name).joined(separator: ", ")) for \(url)")
    return registered
}

/// The prefix of `listen --register`'s set: `listen-HOST-PID`, unique to the run (the host
/// name kept to the letters a prefix may hold).
func listenPrefix() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    let named = gethostname(&buffer, buffer.count - 1) == 0  // one NUL always stays at the end
    let host = named ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
    let kept = String(host.unicodeScalars.filter {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
    }.prefix(40))
    return "listen-\(kept.isEmpty ? "host" : kept)-\(getpid())"
}
