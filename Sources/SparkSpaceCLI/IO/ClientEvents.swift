import SparkSpace

/// What a client event says on stderr: the `-v` line of an HTTP call, the notice of a
/// wait or a retry, a dry run's write (nil for a call without `-v`, and for progress,
/// which is the status line's).
func consoleLine(_ event: ClientEvent, verbose: Bool) -> String? {
    switch event {
    case .request(let entry):
        guard verbose else { return nil }
        let status = entry.status.map(String.init) ?? "---"
        var line = "\(entry.method) \(entry.path) \(status) \(entry.milliseconds)ms"
        if let note = entry.note { line += " (\(note))" }
        return line
    case .waiting(let reason, let seconds, let left):
        return "waiting \(oneDecimal(seconds)) s (\(reason)), \(oneDecimal(max(0, left))) s of --max-wait left"
    case .retrying(let method, let path, let seconds, let cause):
        // The path without its query: short, and no e-mail of a filter on the line.
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        return "retrying \(method) \(bare) in \(oneDecimal(seconds)) s (\(cause))"
    case .plannedWrite(let write):
        return "dry-run: " + write.line
    case .progress:
        return nil
    case .notice(let text):
        return text
    }
}
