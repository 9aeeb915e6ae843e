import SparkSpace

/// `help`.
let metaCommands: [CommandSpec] = [
    CommandSpec(
        "help", summary: "show help for a command",
        arguments: [ArgumentSpec("COMMAND", help: "the command", optional: true, variadic: true)],
        examples: ["spark-space help rooms list"],
        run: help),
]

private func help(_ inv: Invocation) throws {
    var command = rootCommand
    for word in inv.positionals {
        guard let sub = command.subcommand(word) else {
            throw UsageError("unknown command '\(word)'" + hint(word, among: command.subcommands.map(\.name)),
                             command: command)
        }
        command = sub
    }
    try inv.out.write(helpText(for: command))
}
