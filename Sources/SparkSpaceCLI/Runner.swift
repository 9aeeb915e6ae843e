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
public func run(_ arguments: [String], terminal: Terminal = Terminal()) -> Int32 {
    let err = FDWriter(fd: terminal.stderr)
    var parsed: ParsedCommand
    do {
        parsed = try Parser().parse(arguments)
        // A global option, so after a command too (SPEC "Invocation").
        if parsed.wantsVersion {
            let out = FDWriter(fd: terminal.stdout)
            try out.write(versionText(verbose: parsed.has("verbose")))
            try out.flush()
            return ExitCode.success
        }
        if parsed.wantsHelp || parsed.command.run == nil {
            if !parsed.wantsHelp && !parsed.command.isRoot {
                throw UsageError("'\(parsed.command.path)' needs a subcommand: "
                    + parsed.command.subcommands.map(\.name).joined(separator: ", "), command: parsed.command)
            }
            let out = FDWriter(fd: terminal.stdout)
            try out.write(helpText(for: parsed.command))
            try out.flush()
            return ExitCode.success
        }
        parsed = try applyingRoomOption(parsed)
        try checkArguments(parsed)
        if let fields = parsed.value("fields") { _ = try fieldList(fields) }
    } catch {
        return report(error, err: err)
    }
    let invocation = Invocation(parsed: parsed, terminal: terminal)
    // Whatever happens, the progress line goes before the last word.
    do {
        try parsed.command.run!(invocation)
        invocation.status.clear()
        try invocation.out.flush()
        return ExitCode.success
    } catch {
        invocation.status.clear()
        try? invocation.out.flush()
        return report(error, err: err)
    }
}

/// Prints one `spark-space: error: ...` line (SPEC "Exit codes": a hint or the usage goes on
/// that line too) and returns the exit code.
func report(_ error: Error, err: FDWriter) -> Int32 {
    let code = ExitCode.of(error)
    guard code != ExitCode.success, !(error is StoppedBySignal) else { return code }
    var line = "spark-space: error: \(errorText(error))"
    if let hinted = error as? HintedError { line += "; hint: \(hinted.hint)" }
    if let usage = error as? UsageError, let command = usage.command {
        let help = command.isRoot ? "spark-space --help" : "spark-space \(command.path) --help"
        line += " (usage: \(command.usage); see '\(help)')"
    }
    err.writeDiagnostic(line)
    return code
}

/// Ends the process with 130 on Ctrl-C (and 128+N on SIGTERM and the other signals that
/// end a process by default: SIGHUP, SIGUSR1, SIGUSR2, SIGALRM), after removing partial
/// downloads, and ignores SIGPIPE so a closed stdout is an error we see.
public func installSignalHandlers() {
    signal(SIGPIPE, SIG_IGN)
    let endings = [(SIGINT, ExitCode.interrupted)] + [SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM].map { ($0, 128 + $0) }
    for (number, code) in endings {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            // `listen` stops cleanly instead (and deregisters what it registered).
            if SignalHandling.interceptors.run(signal: number) { return }
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
