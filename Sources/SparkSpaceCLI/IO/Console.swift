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

/// The streams and environment of one run; tests replace them. A nil terminal-ness or
/// width is asked of the system (once, when the console is made).
public struct Terminal {
    public var stdout: Int32 = 1
    public var stderr: Int32 = 2
    public var stdin: Int32 = 0
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public var stdinIsTerminal: Bool?
    public var stdoutIsTerminal: Bool?
    public var stderrIsTerminal: Bool?
    /// The columns of stdout and stderr (a test's terminal); nil: `COLUMNS`, else the terminal's.
    public var width: Int?

    public init() {}
}

/// The one owner of stdin, stdout and stderr (after gh's `pkg/iostreams`): whether each is a
/// terminal (decided once, at start), the width and colour of stdout, prompting, the progress
/// line, and diagnostics. Every text that goes to stderr passes through `diagnostic`, which
/// makes what came from outside (API messages, titles, names, URLs) harmless first (the
/// progress line, which draws itself, makes its text harmless the same way).
/// Shared with the API clients' threads (the observer): its state is set once.
struct Console: Sendable {
    let stdin: Int32
    let out, err: FDWriter
    /// Whether each stream is a terminal (decided once, at start).
    let stdinIsTerminal, stdoutIsTerminal, stderrIsTerminal: Bool
    /// The columns a table on stdout may use; nil: no limit (not a terminal, no `COLUMNS`).
    let width: Int?
    /// The columns of stderr, for the progress line.
    let stderrWidth: Int?
    /// Colour on stdout: a terminal, without `NO_COLOR` or `TERM=dumb`.
    let color: Bool
    let environment: [String: String]
    /// `-q`: no notes and no progress line (warnings and errors stay).
    private(set) var quiet: Bool
    /// `-v`: each HTTP call on stderr.
    private(set) var verbose: Bool
    /// The one line of progress on stderr (a terminal, not `-q`).
    private(set) var status: StatusLine
    /// The transfer the clients report (`.progress` events); a command calls `done()` after each one.
    private(set) var transfer: TransferProgress

    init(terminal: Terminal) {
        stdin = terminal.stdin
        out = FDWriter(fd: terminal.stdout)
        err = FDWriter(fd: terminal.stderr)
        stdinIsTerminal = terminal.stdinIsTerminal ?? isTerminal(terminal.stdin)
        stdoutIsTerminal = terminal.stdoutIsTerminal ?? isTerminal(terminal.stdout)
        stderrIsTerminal = terminal.stderrIsTerminal ?? isTerminal(terminal.stderr)
        environment = terminal.environment
        width = terminal.width
            ?? terminalWidth(fd: terminal.stdout, environment: environment, isTerminal: stdoutIsTerminal)
        stderrWidth = terminal.width
            ?? terminalWidth(fd: terminal.stderr, environment: environment, isTerminal: stderrIsTerminal)
        color = useColor(isTerminal: stdoutIsTerminal, environment: environment)
        quiet = false
        verbose = false
        status = StatusLine(err: err, enabled: false, width: stderrWidth)
        transfer = TransferProgress(status)
    }

    /// The same streams with the `-q` / `-v` of the command line (known once it is parsed).
    func with(quiet: Bool, verbose: Bool) -> Console {
        var copy = self
        copy.quiet = quiet
        copy.verbose = verbose
        copy.status = StatusLine(err: err, enabled: !quiet && stderrIsTerminal, width: stderrWidth)
        copy.transfer = TransferProgress(copy.status)
        return copy
    }

    // MARK: stderr

    /// Writes `text` on stderr and flushes, made harmless first: the one way text reaches stderr
    /// (errors, warnings, notes, `-v` lines, prompts).
    func diagnostic(_ text: String, newline: Bool = true) {
        // A prompt (no newline) takes the line for good; a note gives it back to the progress.
        status.interrupt(redraw: newline) {
            try? err.write(sanitizedForTerminal(text) + (newline ? "\n" : ""))
            try? err.flush()
        }
    }

    /// A diagnostic line on stderr (not with `-q`).
    func note(_ text: String) {
        guard !quiet else { return }
        warn(text)
    }

    /// A warning on stderr, even with `-q`.
    func warn(_ text: String) {
        diagnostic("spark-space: \(text)")
    }

    /// Says on stderr what the API clients report: each call with `-v`, every wait and
    /// retry unless `-q` (terminal or not), every write a dry run did not send even with `-q`
    /// (stdout keeps the command's own output), progress on the status line.
    func observe(_ event: ClientEvent) {
        if case .progress(let progress) = event { return show(progress) }
        guard let line = consoleLine(event, verbose: verbose) else { return }
        switch event {
        case .request, .plannedWrite: warn(line)
        case .waiting, .retrying, .progress, .notice: note(line)
        }
    }

    /// A transfer's bytes, or a count of items, on the status line.
    private func show(_ progress: WorkProgress) {
        switch progress.unit {
        case .bytes: transfer.update(progress.label, progress.done, progress.total ?? 0)
        case .items:
            let total = progress.total.map { Int(clamping: $0) }
            status.show(CountProgress.line(done: Int(clamping: progress.done), total: total, noun: progress.label,
                                           elapsed: 0))
        }
    }

    // MARK: Prompts

    /// A question can be asked: stdin is a terminal (SPEC "Confirmations").
    var canPrompt: Bool { stdinIsTerminal }

    /// Asks `question` on stderr and reads one line of stdin; true for `y` or `yes`.
    /// Refuses (false) without asking when there is no terminal to ask on.
    func confirm(_ question: String) -> Bool {
        guard canPrompt else { return false }
        diagnostic("\(question) [y/N] ", newline: false)
        let answer = readLine(fd: stdin).trimmingSpaces().lowercased()
        return answer == "y" || answer == "yes"
    }
}

/// One line of `fd`, without its newline, read a byte at a time so that nothing after it is
/// taken from the stream ("" at the end of the input).
func readLine(fd: Int32) -> String {
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    while true {
        let n = read(fd, &byte, 1)
        if n < 0 && errno == EINTR { continue }
        guard n == 1, byte != 10 else { break }
        bytes.append(byte)
    }
    if bytes.last == 13 { bytes.removeLast() }
    return String(decoding: bytes, as: UTF8.self)
}

/// Whether `fd` is a terminal: the one place that asks the system (the console asks once).
func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// The width a table may use: `COLUMNS` when set (as `ls` does), else the
/// terminal's width; nil when neither is known (a file or a pipe), so a table
/// written there is never cut.
func terminalWidth(fd: Int32 = 1, environment: [String: String] = ProcessInfo.processInfo.environment,
                   isTerminal terminal: Bool? = nil) -> Int? {
    if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
    let terminal = terminal ?? isTerminal(fd)
    var size = winsize()
    if terminal, ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return terminal ? 80 : nil
}

/// Colour only on a terminal, and never with `NO_COLOR` set (https://no-color.org) or `TERM=dumb`.
func useColor(isTerminal: Bool, environment: [String: String]) -> Bool {
    guard isTerminal else { return false }
    if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
    return environment["TERM"] != "dumb"
}
