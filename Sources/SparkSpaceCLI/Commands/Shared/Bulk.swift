#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SparkSpace

// The output of a bulk change (`participants add|remove|set`, `teams members add|remove`,
// `rooms create --participant`, `provision`): a row per e-mail while it runs, a summary after.

/// One line per e-mail of a bulk change: e-mail, status (added/removed/unchanged/failed), error.
let bulkResultColumns = [Column("email"), Column("status"), Column("error", truncatable: true)]

/// Prints the per-e-mail results of a bulk change while it runs: each line as soon as that e-mail
/// and the ones before it are done (input order), ndjson flushed per line, json one streamed array,
/// tsv line by line; a table waits for the whole batch so its columns align. Calls come one at a time
/// (`concurrentMap` serializes them). A closed stdout stops the printing, not the changes.
final class BulkPrinter {
    private let inv: Invocation
    private let stream: ItemStream
    private var rows: [JSON] = []
    private var failure: Error?
    /// Counted here, not told by the client: the rows come through `onResult`, which the
    /// printing needs anyway, and each row is one more done.
    private let progress: CountProgress
    private var done = 0
    /// Who was done, said on Ctrl-C.
    private let tally: DoneTally

    init(inv: Invocation, emails: [String]) {
        self.inv = inv
        stream = ItemStream(output: inv.output, columns: bulkResultColumns)
        progress = CountProgress(inv.status, noun: "people done", total: emails.count)
        tally = DoneTally(emails, console: inv.console)
    }

    func add(_ result: ParticipantResult) {
        done = tally.markDone()
        progress.update(done)
        var row: [String: JSON] = ["email": .string(result.email), "status": .string(result.status.rawValue)]
        if let error = result.error { row["error"] = .string(errorText(error)) }
        if let id = result.membership?.id { row["id"] = .string(id) }
        guard !inv.output.isTable else { return rows.append(.object(row)) }
        guard failure == nil else { return }
        do { try stream.write(CollectionOfOne(JSON.object(row))) } catch { failure = error }
    }

    /// Ends the output (the table, the json array); rethrows a write error met on the way.
    func finish() throws {
        progress.done()
        if let failure { throw failure }
        if !rows.isEmpty { try stream.write(rows) }
        try stream.finish()
    }
}

/// The summary line on stderr (`added 3, unchanged 1, failed 1`) and one error line per failed
/// e-mail; throws `PartialFailure` when any failed.
func reportBulk(_ results: [ParticipantResult], inv: Invocation) throws {
    guard !results.isEmpty else { return }
    let failures = results.filter { $0.status == .failed }
    // One e-mail that failed: its error is the one line (not a line, a summary and a count).
    if results.count == 1, let error = failures.first?.error { throw error }
    for failure in failures {
        let text = failure.error.map(errorText) ?? "failed"
        inv.warn("error: " + (text.contains(failure.email) ? text : "\(failure.email): \(text)"))
    }
    let verbs = ["remove": "removed", "set": "updated"]
    let verb = verbs[inv.parsed.command.name] ?? "added"
    let count = { (status: ParticipantStatus) in results.filter { $0.status == status }.count }
    let done = count(.added) + count(.removed) + (verb == "updated" ? count(.updated) : 0)
    // An add that made a member a moderator (teams members add --moderator) is said apart.
    let updated = verb == "updated" || count(.updated) == 0 ? "" : "updated \(count(.updated)), "
    let summary = "\(verb) \(done), \(updated)unchanged \(count(.unchanged)), failed \(failures.count)"
    inv.noteDone(summary)
    if !failures.isEmpty {
        throw PartialFailure(code: ExitCode.combined(failures.compactMap(\.error)),
                             description: "\(failures.count) of \(results.count) e-mails failed")
    }
}
