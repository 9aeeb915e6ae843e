#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SparkSpace

/// The one line of progress on stderr, redrawn in place (`\r` + clear to the end of the
/// line) and cleared at the end. It shows only when stderr is a terminal and without
/// `-q`; never on stdout. A note written while it shows clears it first, so the two
/// never mix (the next update draws it again). Calls may come from several threads:
/// its state is guarded by the stderr writer's lock.
final class StatusLine: @unchecked Sendable {
    private let err: FDWriter
    /// False when stderr is not a terminal, or with `-q`: every call does nothing.
    let enabled: Bool
    private let width: Int
    private var shown = false
    /// What the line shows (kept while a note is written over it, so it comes back after).
    private var text: String?
    private var lastDraw = Date.distantPast

    init(err: FDWriter, enabled: Bool, width: Int?) {
        self.err = err
        self.enabled = enabled
        self.width = max(20, width ?? 80)
    }

    /// Draws `text` (at most ten times a second unless `force`).
    func show(_ text: String, force: Bool = false) {
        guard enabled else { return }
        err.withLock {
            let now = Date()
            guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            // One line wide at most (a wrapped line could not be redrawn with `\r`), and made
            // harmless as every text on stderr: a file name from the API must not drive the terminal.
            let line = truncated(sanitizedForTerminal(text), to: width - 1)
            try? err.write("\r\u{1B}[K" + line)
            try? err.flush()
            shown = true
            self.text = line
        }
    }

    /// Writes a note (`body`) over the line: the line goes first and is drawn again after it
    /// (a wait notice must not leave the work's progress off the screen until the next update).
    func interrupt(redraw: Bool = true, _ body: () -> Void) {
        guard enabled else { return body() }
        err.withLock {
            let wasShown = shown
            if shown {
                try? err.write("\r\u{1B}[K")
                shown = false
            }
            body()
            // Not given back (a prompt took the line): forgotten, as after `clear()`.
            if !redraw { text = nil }
            if wasShown, redraw, let text {
                try? err.write("\r\u{1B}[K" + text)
                try? err.flush()
                shown = true
            }
        }
    }

    /// Removes the line (the end of the work, or before a note).
    func clear() {
        guard enabled else { return }
        err.withLock {
            guard shown else { return }
            try? err.write("\r\u{1B}[K")
            try? err.flush()
            shown = false
            text = nil
            lastDraw = .distantPast
        }
    }
}

/// Progress of a transfer (upload or download): name, bytes, percent, rate and time left.
/// Told by the clients' `.progress` events, on the thread that runs the transfer.
final class TransferProgress: @unchecked Sendable {
    private let status: StatusLine
    private let lock = ThreadLock()
    private var started: Date?

    init(_ status: StatusLine) {
        self.status = status
    }

    func update(_ name: String, _ done: Int64, _ total: Int64) {
        guard status.enabled else { return }
        let now = Date()
        lock.lock()
        let began = started ?? now
        if started == nil { started = now }
        lock.unlock()
        // The last step is always drawn: a fast transfer still shows its size before it goes.
        status.show(Self.line(name: name, done: done, total: total, elapsed: now.timeIntervalSince(began)),
                    force: total > 0 && done >= total)
    }

    /// Ends one transfer: the line goes, and the next transfer's rate starts afresh.
    func done() {
        status.clear()
        lock.lock()
        started = nil
        lock.unlock()
    }

    /// `report.pdf  1.5 MB / 30.0 MB (5%), 2.0 MB/s, 14 s left`
    static func line(name: String, done: Int64, total: Int64, elapsed: Double) -> String {
        var line = "\(name.prefix(40))  \(bytes(done))"
        if total > 0 {
            line += " / \(bytes(total)) (\(min(100, max(0, done) * 100 / total))%)"
        }
        guard elapsed >= 0.5, done > 0 else { return line }
        let rate = Double(done) / elapsed
        line += ", \(bytes(Int64(min(rate, 1e15))))/s"
        if total > done {
            line += ", \(duration(Double(total - done) / rate)) left"
        }
        return line
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(n) B" }
        let number = oneDecimal(value)
        return (number.contains(".") ? number : number + ".0") + " " + units[unit]
    }
}

/// Progress of work counted in items: `1200 messages, 850/s` (a walk), `3/10 participants`
/// (a bulk change with a known total).
final class CountProgress {
    private let status: StatusLine
    private let noun: String
    private let total: Int?
    private let started = Date()

    init(_ status: StatusLine, noun: String, total: Int? = nil) {
        self.status = status
        self.noun = noun
        self.total = total
    }

    func update(_ done: Int) {
        guard status.enabled else { return }
        status.show(Self.line(done: done, total: total, noun: noun, elapsed: Date().timeIntervalSince(started)))
    }

    func done() { status.clear() }

    static func line(done: Int, total: Int?, noun: String, elapsed: Double) -> String {
        if let total { return "\(done)/\(total) \(noun)" }
        // `1 message`, not `1 messages`.
        var line = "\(done) \(done == 1 && noun.hasSuffix("s") ? String(noun.dropLast()) : noun)"
        if elapsed >= 0.5 { line += ", \(Int((Double(done) / elapsed).rounded()))/s" }
        return line
    }
}

/// `12`, `1.5`: a number of seconds or units with at most one decimal.
func oneDecimal(_ value: Double) -> String {
    guard value.isFinite, abs(value) < 1e12 else { return "?" }
    let tenths = (value * 10).rounded()
    let whole = Int(tenths / 10)
    let fraction = Int(abs(tenths).truncatingRemainder(dividingBy: 10))
    return fraction == 0 ? String(whole) : "\(whole).\(fraction)"
}

/// `45 s`, `3 min`, `2 h`: a duration to wait.
func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds < 1e9 else { return "?" }
    if seconds < 90 { return "\(Int(seconds.rounded(.up))) s" }
    if seconds < 5400 { return "\(Int((seconds / 60).rounded())) min" }
    return "\(Int((seconds / 3600).rounded())) h"
}
