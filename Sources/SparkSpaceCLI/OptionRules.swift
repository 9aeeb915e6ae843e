import SparkSpace

/// The rules every command's options follow, in one place (docs/decisions.md, issue 23).
extension Invocation {
    /// A pair of opposite flags (`--lock`/`--unlock`, `--moderator`/`--no-moderator`): true for
    /// `yes`, false for `no`, nil for neither. Both is a usage error (exit 2), wherever they stand
    /// on the line: the one rule for every pair, so no command guesses what was meant.
    func opposite(_ yes: OptionSpec, _ no: OptionSpec) throws -> Bool? {
        switch (has(yes), has(no)) {
        case (true, true): throw usage("give --\(yes.long) or --\(no.long), not both")
        case (true, false): return true
        case (false, true): return false
        case (false, false): return nil
        }
    }

    /// A pair of opposite flags of which one must be given.
    func oneOf(_ yes: OptionSpec, _ no: OptionSpec) throws -> Bool {
        guard let chosen = try opposite(yes, no) else { throw usage("give one of --\(yes.long) or --\(no.long)") }
        return chosen
    }

    /// A usage error (exit 2) of this command: its usage line follows the message.
    func usage(_ message: String) -> UsageError { UsageError(message, command: parsed.command) }

    /// The format `-o` or `--json` asked for; nil when the default (`table` on a terminal, else `tsv`).
    var chosenFormat: OutputFormat? {
        value(.output).flatMap(OutputFormat.init(rawValue:))  // `--json` is an `-o json` (Parser)
    }
}
