import SparkSpace
/// Shell completion scripts, generated from the command table: every command,
/// subcommand and option, option values (`.choices`, files, directories, room
/// titles, command paths) and positional arguments. Nothing here names a
/// command, so commands added to the table are picked up by regenerating
/// (`make generate`).

/// Shells `spark-space completions` writes a script for.
public enum Shell: String, CaseIterable, Sendable {
    case bash, zsh, fish
}

/// The completion script for `shell`.
public func completionScript(for shell: Shell, root: CommandSpec = rootCommand) -> String {
    switch shell {
    case .bash: return BashCompletion(root: root).script
    case .zsh: return ZshCompletion(root: root).script
    case .fish: return FishCompletion(root: root).script
    }
}

/// Room titles: the title column of `rooms list -o tsv`, run with `settings` (the
/// shell's expansion of the setting options typed, `--config=FILE`...) so that it
/// lists the rooms the command typed would see. Errors are silenced so that
/// without a token (or without network) completion quietly offers nothing, short
/// timeouts keep a Tab from hanging on a slow or rate-limited API, and stdin is
/// /dev/null so that `--token-file -` cannot wait on the terminal.
func roomTitlesPipeline(settings: String) -> String {
    "command spark-space \(settings) rooms list -o tsv --limit 0 --timeout 5 --max-wait 0 </dev/null 2>/dev/null"
        + " | cut -f2"
}

/// Profile names: `settings profiles`, run with `settings` (`--config=FILE` reads another file);
/// errors silenced, stdin /dev/null, as room titles.
func profileNamesPipeline(settings: String) -> String {
    "command spark-space \(settings) settings profiles </dev/null 2>/dev/null"
}

/// The global options completions pass on to the tool they run.
let settingOptions = globalOptions.filter(\.setting)

let generatedNote = "Generated from the command table by `spark-space completions"

extension CommandSpec {
    /// This command and every command below it, depth first.
    var descendants: [CommandSpec] { [self] + subcommands.flatMap(\.descendants) }

    /// The words after the program name (`["rooms", "list"]`; none for the root).
    var pathWords: [String] { isRoot ? [] : (parent?.pathWords ?? []) + [name] }
}

extension OptionSpec {
    /// `["-o", "--output"]`
    var names: [String] { (short.map { ["-\($0)"] } ?? []) + ["--\(long)"] }
}

/// `'text'` for POSIX shells and zsh.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacing("'", with: #"'\''"#) + "'"
}

extension String {
    var trimmed: String { trimmingSpaces() }
}
