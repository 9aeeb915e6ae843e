import SparkSpace

/// Writes a walk of messages (`walk-messages`) in the chosen format: straight from the page
/// bytes when nothing but the API object's own members is printed (the case that meets
/// 200,000 messages: no JSON tree per message), else as parsed events, resolving or saving
/// attachments on the way. The choice between the two lives here, not in the command.
struct WalkWriter {
    let inv: Invocation
    let stream: ItemStream
    /// The API objects untouched (`--raw`), not events.
    let raw: Bool
    let names: Bool
    /// Keys only events have (`from_label`, `stamp`, ...).
    let eventKeys: [String]
    private var printer: EventPrinter

    init(inv: Invocation, space: Space, role: TokenRole, raw: Bool, names: Bool, eventKeys: [String],
         index: DownloadIndex?) {
        self.inv = inv
        self.raw = raw
        self.names = names
        self.eventKeys = eventKeys
        stream = ItemStream(output: inv.output, columns: messageColumns, known: eventKeys + messageFields)
        printer = EventPrinter(inv: inv, space: space, role: role, stream: stream, index: index, names: names,
                               raw: raw, progress: index != nil ? inv.console.transfer : nil)
    }

    /// The byte path can print this walk: no names to resolve, no `--fields` that pick from an
    /// event or from a JSON object.
    private var writesBytes: Bool {
        let output = inv.output
        // A key only events have (from_label, stamp) needs the events made.
        let fieldsOfEvents = output.fields?.contains(where: eventKeys.contains) ?? false
        return !names && !(output.format.isJSON && output.fields != nil) && !fieldsOfEvents
    }

    mutating func write(_ walk: any MessagePages) throws {
        var walk = walk
        // Counted here, not told by the client: the count is of the messages printed (after
        // `--limit`, `--since`), which only the printing loop knows.
        let counter = CountProgress(inv.status, noun: "messages")
        if writesBytes {
            var writer = RawObjectWriter(indent: inv.output.format == .json ? 1 : nil)
            while let page = try walk.nextRawPage() {
                try writeBytes(page, with: &writer)
                counter.update(stream.count)
            }
        } else {
            while let page = try walk.nextPage() {
                try printer.print(page)
                counter.update(stream.count)
            }
        }
    }

    private func writeBytes(_ page: RawItems, with writer: inout RawObjectWriter) throws {
        if inv.output.format.isJSON {
            return try stream.writeMessages(page, hook: raw ? nil : Events.walkHook, with: &writer)
        }
        // The columns show a few of the API object's own fields: only those are parsed.
        let keys = stream.neededKeys
        try stream.write((0..<page.count).map { index in keys.map { page[index].json(only: $0) } ?? page[index].json })
    }

    /// Ends the output, says how many on a terminal; a failed download is a partial failure.
    /// After a walk failed part way: `-o json`'s array is closed, so that what was printed is one
    /// JSON document a reader can parse (the exit code says the walk failed). Not when stdout is gone.
    func endDocument(after error: Error) {
        guard !(error is OutputClosed), inv.output.format == .json else { return }
        try? stream.finish()
    }

    func finish(limit: Int) throws {
        try stream.finish()
        inv.status.clear()
        inv.listEnd(count: stream.count, noun: "messages", limit: limit)
        if !printer.failures.isEmpty {
            throw PartialFailure(code: ExitCode.combined(printer.failures),
                                 description: "\(printer.failures.count) attachment(s) could not be saved")
        }
    }
}

/// Prints pages of parsed messages, resolving or saving attachments on the way.
private struct EventPrinter {
    let inv: Invocation
    let space: Space
    let role: TokenRole
    let stream: ItemStream
    /// The archive of `--download DIR`.
    let index: DownloadIndex?
    let names: Bool
    let raw: Bool
    /// The transfer line the client's `.progress` events draw; ended after each download.
    let progress: TransferProgress?
    var failures: [Error] = []

    mutating func print(_ page: ArraySlice<JSON>) throws {
        if raw && index == nil { return try stream.write(page) }
        // A table aligns a page at a time; the other formats write each event as it is made.
        let batch = inv.output.isTable
        var events: [JSON] = []
        for item in page {
            let (attachment, saved) = try attachments(of: item)
            if raw {
                if batch { events.append(item) } else { try stream.write(CollectionOfOne(item)) }
                continue
            }
            var fields = Events.messageFields(item, hook: Events.walkHook, attachment: attachment)
            if !saved.isEmpty { fields.append(("saved_paths", .array(saved))) }
            if batch { events.append(item.merging(fields)) } else { try stream.write(item, adding: fields) }
        }
        if batch { try stream.write(events) }
    }

    /// The first attachment's name (with --names or --download) and the paths saved (with --download).
    private mutating func attachments(of item: JSON) throws -> (String?, [JSON]) {
        let files = item["files"]?.strings ?? []
        guard let index else {
            return (names ? try files.first.map { try space.attachmentInfo($0, as: role).name } : nil, [])
        }
        var attachment: String?
        var saved: [JSON] = []
        for url in files {
            do {
                let file = try space.archive(url, into: index.directory, index: index, as: role)
                progress?.done()
                if attachment == nil { attachment = file.name }
                saved.append(.string(file.path))
            } catch let error as SparkError {
                progress?.done()
                if case .interrupted = error { throw error }
                inv.warn("error: \(url): \(errorText(error))")
                failures.append(error)
            }
        }
        return (attachment, saved)
    }
}
