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

/// Runs the command line and returns the exit code. Never traps on bad input.
/// `transport`: the HTTP transport of an in-process test (nil: libcurl); `sleeper`: what waits on
/// `Retry-After` and between retries (nil: the clock).
public func run(_ arguments: [String], terminal: Terminal = Terminal(), transport: HTTPTransport? = nil,
                sleeper: Sleeper? = nil) -> Int32 {
    var console = Console(terminal: terminal)
    let parsed: ParsedCommand
    do {
        guard let ready = try prepare(arguments, console: console) else { return ExitCode.success }
        parsed = ready
    } catch {
        return report(error, console: console)
    }
    console = console.with(quiet: parsed.has(OptionSpec.quiet.long), verbose: parsed.has(OptionSpec.verbose.long))
    let invocation = Invocation(parsed: parsed, console: console, transport: transport, sleeper: sleeper)
    // Said before the process ends on a signal: the progress line goes (and a bulk command
    // adds who was done, see `BulkPrinter`).
    let status = invocation.status
    SignalHandling.lastWords.set(clear: { status.clear() })
    defer { SignalHandling.lastWords.set(clear: nil) }
    // Whatever happens, the progress line goes before the last word.
    do {
        try parsed.command.run!(invocation)
        invocation.status.clear()
        try invocation.out.flush()
        return ExitCode.success
    } catch {
        invocation.status.clear()
        // A listener that gave up on a stdout nobody reads: a worker still holds it (flushing would wait for ever).
        if !(error is AlreadyReported) { try? invocation.out.flush() }
        return report(invocation.explained(error), console: console)
    }
}

/// Parses and checks the command line, or prints the help or version it asks for (nil: done).
private func prepare(_ arguments: [String], console: Console) throws -> ParsedCommand? {
    var parsed = try Parser().parse(arguments)
    // A global option, so after a command too (SPEC "Invocation").
    if parsed.wantsVersion {
        try console.out.write(versionText(verbose: parsed.has(OptionSpec.verbose.long)))
        try console.out.flush()
        return nil
    }
    if parsed.wantsHelp || parsed.command.run == nil {
        if !parsed.wantsHelp && !parsed.command.isRoot {
            throw UsageError("'\(parsed.command.path)' needs a subcommand: "
                + parsed.command.subcommands.map(\.name).joined(separator: ", "), command: parsed.command)
        }
        try console.out.write(helpText(for: parsed.command))
        try console.out.flush()
        return nil
    }
    parsed = try applyingRoomOption(parsed)
    try checkArguments(parsed)
    try checkValues(parsed)
    try checkOutputFormat(parsed)
    if let fields = parsed.value(OptionSpec.fields.long) { _ = try fieldList(fields) }
    try checkConfirmable(parsed, console: console)
    return parsed
}

/// `-o yaml` is a spaces manifest: only `provision export` prints one (every other command would
/// silently fall back to its default format).
private func checkOutputFormat(_ parsed: ParsedCommand) throws {
    guard parsed.value(OptionSpec.output.long) == OptionSpec.manifestYAML, parsed.command !== provisionExportCommand
    else { return }
    throw UsageError("-o yaml is the manifest of 'provision export' only; use table, wide, tsv, json or ndjson",
                     command: parsed.command)
}

/// SPEC "Confirmations", for every command marked `destructive`: without `--yes`, a run that
/// deletes needs a terminal to ask on; otherwise it is a usage error before anything is done
/// (no request, no question). A dry run deletes nothing, so it never asks.
private func checkConfirmable(_ parsed: ParsedCommand, console: Console) throws {
    guard let destruction = parsed.command.destructive, destruction.applies(to: parsed),
          !parsed.has(OptionSpec.yes.long), !parsed.has(OptionSpec.dryRun.long), !console.canPrompt
    else { return }
    throw refusal(parsed.command)
}

/// The usage error of a deletion without `--yes` off a terminal.
func refusal(_ command: CommandSpec) -> UsageError {
    UsageError("refusing to delete without --yes when stdin is not a terminal", command: command)
}

/// Prints one `spark-space: error: ...` line (SPEC "Exit codes": a hint or the usage goes on
/// that line too) and returns the exit code.
func report(_ error: Error, console: Console) -> Int32 {
    let code = ExitCode.of(error)
    guard code != ExitCode.success, !(error is StoppedBySignal), !(error is AlreadyReported) else { return code }
    var line = "spark-space: error: \(errorText(error))"
    if let hinted = error as? HintedError { line += "; hint: \(hinted.hint)" }
    if let usage = error as? UsageError, let command = usage.command {
        let help = command.isRoot ? "spark-space --help" : "spark-space \(command.path) --help"
        line += " (usage: \(command.usage); see '\(help)')"
    }
    console.diagnostic(line)
    return code
}

/// Ends the process with 130 on Ctrl-C (and 128+N on SIGTERM and the other signals that
/// end a process by default: SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT, SIGXCPU, SIGXFSZ), after removing partial
/// downloads, and ignores SIGPIPE so a closed stdout is an error we see.
public func installSignalHandlers() {
    signal(SIGPIPE, SIG_IGN)
    // The same list as the exit-code table (the man page's EXIT STATUS) names.
    let endings = [(SIGINT, ExitCode.interrupted)] + ExitCode.endingSignals.map { ($0.number, 128 + $0.number) }
    for (number, code) in endings {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            // `listen` stops cleanly instead (and deregisters what it registered).
            if SignalHandling.interceptors.run(signal: number) { return }
            SignalHandling.lastWords.say()
            TemporaryFiles.shared.removeAll()
            _exit(code)
        }
        source.resume()
        SignalHandling.sources.append(source)
    }
}

/// Signal sources kept alive for the process, and commands that handle a signal themselves (`listen`).
enum SignalHandling {
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
    nonisolated(unsafe) static var interceptors = SignalInterceptors()
    nonisolated(unsafe) static var lastWords = LastWords()
}

/// What a run says when a signal ends it: the progress line cleared, then what a bulk command
/// had done (SPEC "Feedback on long work": after Ctrl-C, who was done).
final class LastWords: @unchecked Sendable {
    private let lock = ThreadLock()
    private var clear: (() -> Void)?
    private var summary: (() -> Void)?

    func set(clear: (() -> Void)?) {
        lock.lock()
        self.clear = clear
        lock.unlock()
    }

    func set(summary: (() -> Void)?) {
        lock.lock()
        self.summary = summary
        lock.unlock()
    }

    func say() {
        lock.lock()
        let (clear, summary) = (self.clear, self.summary)
        lock.unlock()
        clear?()
        summary?()
    }
}

/// Handlers that take over SIGINT/SIGTERM, e.g. to stop a server cleanly.
final class SignalInterceptors {
    private let lock = ThreadLock()
    private var handler: ((Int32) -> Void)?

    func set(_ handler: ((Int32) -> Void)?) {
        lock.lock()
        self.handler = handler
        lock.unlock()
    }

    /// True when a handler took the signal.
    func run(signal: Int32) -> Bool {
        lock.lock()
        let handler = self.handler
        lock.unlock()
        guard let handler else { return false }
        handler(signal)
        return true
    }
}
