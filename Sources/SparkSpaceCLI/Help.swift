import SparkSpace

/// `--help` text of a command, from the command table: its own usage, arguments, options
/// and examples first, then its notes; the global options are one line pointing to
/// `spark-space help globals`.
func helpText(for command: CommandSpec) -> String {
    var lines: [String] = []
    lines.append(command.isRoot ? "spark-space — \(command.summary)" : "\(command.path) — \(command.summary)")
    lines.append("")
    lines.append("Usage: \(command.usage)")
    lines += section("Commands:", aligned(command.subcommands.map { ($0.name, $0.summary) }))
    lines += section("Arguments:", aligned(command.arguments.map { ($0.synopsis, $0.help) }))
    lines += section("Options:", aligned(command.options.map { ($0.synopsis, $0.help) }))
    lines += section("Examples:", command.examples.map { "  \($0)" })
    if let details = command.details {
        lines.append("")
        lines.append(details)
    }
    lines.append("")
    lines.append("Global options (-o FORMAT, --fields, -q, -v, --token-file, ...): 'spark-space help globals'.")
    if !command.subcommands.isEmpty {
        let target = command.isRoot ? "COMMAND" : "\(command.path) COMMAND"
        lines.append("Run 'spark-space \(target) --help' for more.")
    }
    return lines.joined(separator: "\n") + "\n"
}

/// `spark-space help globals`: the options every command takes, before or after it.
func globalsHelpText() -> String {
    var lines = ["Global options — every command takes them, before or after the command:", ""]
    lines += aligned(globalOptions.map { ($0.synopsis, $0.help) })
    return lines.joined(separator: "\n") + "\n"
}

/// A titled block after a blank line; nothing when it has no rows.
private func section(_ title: String, _ rows: [String]) -> [String] {
    rows.isEmpty ? [] : ["", title] + rows
}

private func aligned(_ rows: [(String, String)]) -> [String] {
    let width = min(30, rows.map(\.0.count).max() ?? 0)
    return rows.map { name, text in
        name.count > width
            ? "  \(name)\n  \(String(repeating: " ", count: width))  \(text)"
            : "  \(name + String(repeating: " ", count: max(0, width - name.count)))  \(text)"
    }
}
