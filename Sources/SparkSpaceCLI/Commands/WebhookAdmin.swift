import SparkSpace

/// One row of `webhooks delete`: id, status (deleted/failed), error, and the webhook's name.
private let webhookDeletionColumns = [Column("id", truncatable: true), Column("status"), Column("name"),
                                      Column("error", truncatable: true)]

/// `webhooks create|get|update|delete`: any webhook of one token (`--as audit` for the person's).
let webhookAdminCommands: [CommandSpec] = [
    CommandSpec(
        "create", summary: "create any webhook (--as audit: with the audit token)",
        details: "RESOURCE and EVENT are checked against the values Webex accepts before any request: "
            + "resources " + WebhookVocabulary.resources.joined(separator: ", ") + "; events "
            + WebhookVocabulary.events.joined(separator: ", ") + ".",
        arguments: [ArgumentSpec(name: "NAME", help: "the webhook's name"),
                    ArgumentSpec(name: "URL", help: "where Webex posts deliveries (http or https)")],
        options: [.resource, .event, .filter, .secret],
        examples: ["spark-space webhooks create ops-rooms https://bot.example.com/hook --resource rooms --event all"],
        writes: true, run: createWebhook),
    CommandSpec(
        "get", summary: "show one webhook (secret as *** plus last 4)",
        arguments: [.webhookId],
        examples: ["spark-space webhooks get Y2lzY29zcGFyazovL3VzL1dFQkhPT0svZjQ... -o json"],
        run: getWebhook),
    CommandSpec(
        "update", summary: "change a webhook's name, URL or secret, or re-activate it",
        details: "Sends the current name and URL when they do not change (Webex needs both). "
            + "--status active re-activates a webhook Webex disabled after failed deliveries. Webex cannot "
            + "change a webhook's filter: --filter is refused (exit 2); delete and create the webhook instead.",
        arguments: [.webhookId],
        options: [
            .name,
            .url,
            .secret.with(help: "the new secret"),
            .filter.with(help: "refused: Webex cannot change a filter"),
            .status,
        ],
        examples: ["spark-space webhooks update Y2lzY29zcGFyazovL3VzL1dFQkhPT0svZjQ... --status active"],
        writes: true, run: updateWebhook),
    CommandSpec(
        "delete", summary: "delete webhooks by id",
        details: "Asks for confirmation on a terminal; when stdin is not a terminal, --yes is required. One row "
            + "per id (id, status, name, error); an id not found fails (exit 4) and the others are still deleted.",
        arguments: [ArgumentSpec(name: "ID", help: "the webhook id", variadic: true)],
        examples: ["spark-space webhooks delete Y2lzY29zcGFyazovL3VzL1dFQkhPT0svZjQ... --yes"],
        writes: true, destructive: .always, run: deleteWebhooks),
]

/// What the delete prompt names: `webhook 'ops-rooms' (ID)`, or a list of them (an id that cannot
/// be read is shown alone: its deletion will report why).
private func webhooksNamed(_ ids: [String], space: Space, as role: TokenRole) -> String {
    let named = ids.map { id -> String in
        guard let name = try? space.webhook(id: id, as: role).name else { return id }
        return "'\(name)' (\(id))"
    }
    return (ids.count == 1 ? "webhook " : "\(ids.count) webhooks: ") + named.joined(separator: ", ")
}

/// A value of `--NAME` that must be one of `allowed`; missing is a usage error too.
private func required(_ option: OptionSpec, among allowed: [String], _ inv: Invocation) throws -> String {
    guard let value = inv.value(option) else {
        throw UsageError("--\(option.long) is required: one of \(allowed.joined(separator: ", "))", command: inv.parsed.command)
    }
    return value
}

/// `webhooks create NAME URL --resource R --event E [--filter F] [--secret S]`: checked (exit 2).
struct CreateWebhookOptions: CommandOptions {
    var spec: WebhookSpec
    var role: TokenRole
    init(_ inv: Invocation) throws {
        let name = try nonBlank(inv.positionals[0], "webhook name", inv)
        let url = try checkedURL(inv.positionals[1], command: inv.parsed.command)
        spec = WebhookSpec(name: name, targetUrl: url,
                           resource: try required(.resource, among: WebhookVocabulary.resources, inv),
                           event: try required(.event, among: WebhookVocabulary.events, inv))
        spec.filter = inv.value(.filter)
        spec.secret = inv.value(.secret)
        role = inv.role()
    }
}

private func createWebhook(_ inv: Invocation) throws {
    let options = try CreateWebhookOptions(inv)
    let created = try inv.space.createWebhook(options.spec, as: options.role)
    try inv.output.item(OwnedWebhook(owner: options.role, webhook: created).printable, columns: webhookColumns)
}

/// Runs `body`; a webhook id the bot does not own may be the audit token's (`webhooks list`
/// shows both): said as a hint, rather than acting as another identity unasked.
private func hinting<T>(_ inv: Invocation, _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw hinted(error, inv) }
}

private func hinted(_ error: Error, _ inv: Invocation) -> Error {
    guard case SparkError.notFound(kind: .id(.webhook), _, _)? = error as? SparkError, inv.value(.role) == nil,
          (try? inv.space.hasAuditToken) == true else { return error }
    return HintedError(underlying: error, hint: "it may be the audit token's (webhooks list shows each one's owner): "
        + "add --as audit")
}

/// `webhooks get ID`.
private func getWebhook(_ inv: Invocation) throws {
    let options = try TargetOptions(inv)
    let hook = try hinting(inv) { try inv.space.webhook(id: options.target, as: options.role) }
    try inv.output.item(OwnedWebhook(owner: options.role, webhook: hook).printable, columns: webhookColumns)
}

/// `webhooks update ID`: what Webex can change, at least one thing (exit 2 otherwise).
struct UpdateWebhookOptions: CommandOptions {
    var id: String
    var changes: WebhookChanges
    var role: TokenRole
    init(_ inv: Invocation) throws {
        let command = inv.parsed.command
        if inv.has(.filter) {
            throw UsageError("Webex cannot change a webhook's filter: delete it and create it again with --filter",
                             command: command)
        }
        if let status = inv.value(.status), status != "active" {
            throw UsageError("--status takes only 'active' (re-activate a webhook Webex disabled): Webex cannot "
                + "deactivate a webhook; delete it to stop its deliveries", command: command)
        }
        changes = WebhookChanges()
        changes.name = try inv.value(.name).map { try nonBlank($0, "name", inv) }
        changes.targetUrl = try inv.value(.url).map { try checkedURL($0, command: command) }
        changes.secret = inv.value(.secret)
        changes.status = inv.value(.status)
        guard !changes.isEmpty else {
            throw UsageError("nothing to change: give --name, --url, --secret or --status", command: command)
        }
        id = inv.positionals[0]
        role = inv.role()
    }
}

private func updateWebhook(_ inv: Invocation) throws {
    let options = try UpdateWebhookOptions(inv)
    let updated = try hinting(inv) { try inv.space.updateWebhook(id: options.id, options.changes, as: options.role) }
    try inv.output.item(OwnedWebhook(owner: options.role, webhook: updated).printable, columns: webhookColumns)
}

/// `webhooks delete ID...`: the ids once each, in order.
struct DeleteWebhooksOptions: CommandOptions {
    var ids: [String]
    var yes: Bool
    var role: TokenRole
    init(_ inv: Invocation) throws {
        var seen = Set<String>()
        ids = inv.positionals.filter { seen.insert($0).inserted }
        yes = inv.has(.yes)
        role = inv.role()
    }
}

private func deleteWebhooks(_ inv: Invocation) throws {
    let options = try DeleteWebhooksOptions(inv)
    let ids = options.ids, role = options.role
    let space = try inv.space
    if !options.yes && !inv.dryRun { try inv.confirm(deleting: webhooksNamed(ids, space: space, as: role)) }
    let stream = ItemStream(output: inv.output, columns: webhookDeletionColumns)
    var rows: [JSON] = []
    let tally = DoneTally(ids, console: inv.console)
    let results = space.deleteWebhooks(ids: ids, as: role) { result in
        tally.markDone()
        var row: [String: JSON] = ["id": .string(result.id), "status": .string(result.error == nil ? "deleted" : "failed")]
        if let name = result.webhook?.name { row["name"] = .string(name) }
        if let error = result.error { row["error"] = .string(errorText(error)) }
        rows.append(.object(row))
    }
    try stream.write(rows)
    try stream.finish()
    let failures = results.compactMap(\.error)
    // One id: its error is the command's one line (not a line, a summary and a count).
    if results.count == 1, let error = failures.first { throw hinted(error, inv) }
    for result in results { if let error = result.error { inv.warn("error: \(result.id): \(errorText(error))") } }
    inv.noteDone("deleted \(results.count - failures.count), failed \(failures.count)")
    if !failures.isEmpty {
        throw PartialFailure(code: ExitCode.combined(failures), description: "\(failures.count) of \(results.count) webhooks failed")
    }
}
