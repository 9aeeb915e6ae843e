import SparkSpace

let webhookColumns = [
    Column("owner"), Column("id", truncatable: true), Column("name"), Column("resource"), Column("event"),
    Column("targetUrl", truncatable: true), Column("status"),
]


/// `webhooks list|register|deregister`.
let webhookCommands: [CommandSpec] = [
    CommandSpec(
        "webhooks", summary: "list, register and deregister the bot's webhooks; create, show, update and delete any",
        subcommands: [
            CommandSpec(
                "list", summary: "webhooks of the bot token and, when set, of the audit token",
                details: "The owner column says which token owns each webhook. Secrets are shown as *** plus "
                    + "their last 4 characters.",
                examples: ["spark-space webhooks list", "spark-space webhooks list -o json"],
                run: listWebhooks),
            CommandSpec(
                "register", summary: "create P-memberships, P-messages (P-audit, P-cards), then drop the older P- ones",
                details: """
                    Creates P-memberships (memberships/all) and P-messages (messages/created) with the bot \
                    token, P-audit (messages/created) with the audit token when one is set, and with --cards \
                    P-cards (attachmentActions/created). Then deletes the older webhooks named P-... of the \
                    same tokens, one stderr line each (name, id). If a create fails, what was created is \
                    deleted again and the old set stays. Webhooks not named P-... are never touched. The \
                    secret (--secret, server.secret or SPARK_WEBHOOK_SECRET) is set on every webhook. URL \
                    defaults to server.url + server.hook. Prints the created webhooks; running it twice is safe.
                    """,
                arguments: [ArgumentSpec(name: "URL", help: "where Webex posts deliveries (default server.url + server.hook)",
                                         optional: true)],
                options: [
                    .secret.with(help: "sign deliveries with S (default server.secret)"),
                    .prefix,
                    .cards,
                ],
                examples: [
                    "spark-space webhooks register https://bot.example.com/hook",
                    "spark-space webhooks register https://bot.example.com/hook --cards",
                    "SERVER_URL=https://bot.example.com spark-space webhooks register --prefix mybot",
                    "spark-space webhooks register https://bot.example.com/hook --dry-run",
                ],
                writes: true, run: registerWebhooks),
            CommandSpec(
                "deregister", summary: "delete the webhooks named P-... of the bot and audit tokens",
                details: """
                    Deletes the webhooks named P-... (default shellbot-...) of the bot token and, when set, \
                    of the audit token, one stderr line each (name, id); other webhooks are never touched. \
                    --all deletes every webhook of both tokens: it asks on a terminal and needs --yes when \
                    stdin is not a terminal. Prints the deleted webhooks; running it twice is safe.
                    """,
                options: [.prefix, .all],
                examples: ["spark-space webhooks deregister", "spark-space webhooks deregister --prefix mybot",
                           "spark-space webhooks deregister --all --yes"],
                writes: true, destructive: .with(.all), run: deregisterWebhooks),
        ] + webhookAdminCommands),
]

/// The URL to register: the argument, else `server.url` + `server.hook`.
func webhookURL(_ given: String?, settings: Settings, command: CommandSpec) throws -> String {
    if let given { return try checkedURL(given, command: command) }
    guard let base = settings.serverURL, !base.isEmpty else {
        throw UsageError("no URL to register: give one, or set server.url (or SERVER_URL)", command: command)
    }
    let hook = settings.hook.hasPrefix("/") ? settings.hook : "/" + settings.hook
    return try checkedURL((base.hasSuffix("/") ? String(base.dropLast()) : base) + hook, command: command)
}

func checkedURL(_ url: String, command: CommandSpec) throws -> String {
    let lower = url.lowercased()
    guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count > 8 else {
        throw UsageError("the webhook URL must be an http(s) URL, not '\(url)'", command: command)
    }
    return url
}

/// `--prefix`: letters, digits, `.`, `_` and `-`.
func webhookPrefix(_ inv: Invocation) throws -> String {
    guard let prefix = inv.value(.prefix) else { return WebhookNames.defaultPrefix }
    let allowed = prefix.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
    }
    guard !prefix.isEmpty, allowed else {
        throw UsageError("--prefix takes letters, digits, '.', '_' and '-', not '\(prefix)'", command: inv.parsed.command)
    }
    return prefix
}

private func listWebhooks(_ inv: Invocation) throws {
    let hooks = try inv.space.allWebhooks()
    try inv.printList(hooks.map(\.printable), columns: webhookColumns, noun: "webhooks")
}

/// `webhooks register [URL] [--prefix P] [--secret S] [--cards]`: the prefix checked (exit 2).
struct RegisterWebhooksOptions: CommandOptions {
    var prefix: String
    /// URL as given (else server.url, checked at run time against the settings).
    var url: String?
    var secret: String?
    var cards: Bool
    init(_ inv: Invocation) throws {
        prefix = try webhookPrefix(inv)
        url = inv.positionals.first
        secret = inv.value(.secret)
        cards = inv.has(.cards)
    }
}

private func registerWebhooks(_ inv: Invocation) throws {
    try runRegisterWebhooks(RegisterWebhooksOptions(inv), inv: inv)
}

private func runRegisterWebhooks(_ options: RegisterWebhooksOptions, inv: Invocation) throws {
    let space = try inv.space
    let url = try webhookURL(options.url, settings: space.settings, command: inv.parsed.command)
    let secret = options.secret ?? space.settings.secret
    if secret == nil { inv.note("warning: no secret: deliveries will not be signed (use --secret or server.secret)") }
    let created = try space.registerWebhooks(url: url, secret: secret, prefix: options.prefix, cards: options.cards,
                                             deleted: { tellDeleted($0, inv, replacedBy: url) })
    try inv.output.list(created.map(\.printable), columns: webhookColumns)
}

/// `webhooks deregister [--prefix P | --all]`.
struct DeregisterWebhooksOptions: CommandOptions {
    var prefix: String
    var all: Bool
    init(_ inv: Invocation) throws {
        prefix = try webhookPrefix(inv)
        all = inv.has(.all)
    }
}

private func deregisterWebhooks(_ inv: Invocation) throws {
    try runDeregisterWebhooks(DeregisterWebhooksOptions(inv), inv: inv)
}

private func runDeregisterWebhooks(_ options: DeregisterWebhooksOptions, inv: Invocation) throws {
    let all = options.all
    let deleted = try inv.space.deregisterWebhooks(
        prefix: options.prefix, all: all,
        confirm: { hooks in
            if all { try inv.confirm(deleting: "all \(hooks.count) webhook\(hooks.count == 1 ? "" : "s"), whatever their names") }
        },
        deleted: { tellDeleted($0, inv) })
    inv.noteDone("deleted \(deleted.count) webhook\(deleted.count == 1 ? "" : "s")")
    // The rows say what became of each hook (as `webhooks delete`), not the status it had.
    try inv.output.list(deleted.map { hook in
        var row = hook.printable
        row["status"] = .string(inv.dryRun ? "would delete" : "deleted")
        return row
    }, columns: webhookColumns)
}

/// One stderr line per deleted webhook: its name and id (SPEC: nothing vanishes silently); when
/// it is replaced by one for another URL (`register`), the line says so: old URL → new URL.
func tellDeleted(_ hook: OwnedWebhook, _ inv: Invocation, replacedBy newURL: String? = nil) {
    let name = sanitizeCell(hook.webhook.name)
    let id = sanitizeCell(hook.webhook.id)
    let verb = inv.dryRun ? "would delete" : "deleted"
    var line = "\(verb) webhook '\(name)' (\(id)) of the \(hook.owner.rawValue) token"
    if let newURL, hook.webhook.targetUrl != newURL {
        line += "; it pointed at another URL: \(sanitizeCell(hook.webhook.targetUrl)) → \(sanitizeCell(newURL))"
    }
    inv.warn(line)
}
