import SparkSpace

/// `help`, `completions`.
let metaCommands: [CommandSpec] = [
    CommandSpec(
        "help", summary: "show help for a command, or the global options (help globals)",
        arguments: [ArgumentSpec(name: "COMMAND", help: "the command, or 'globals' for the options every command takes",
                                 optional: true, variadic: true, completion: .command)],
        options: [
            .man
        ],
        examples: ["spark-space help rooms list", "spark-space help globals"],
        run: help),
    CommandSpec(
        "completions", summary: "print a shell completion script",
        details: "Room titles complete from 'spark-space rooms list' when a token is configured.",
        arguments: [ArgumentSpec(name: "SHELL", help: "bash, zsh or fish",
                                 completion: .choices(Shell.allCases.map(\.rawValue)))],
        examples: [
            "spark-space completions bash > ~/.local/share/bash-completion/completions/spark-space",
            "spark-space completions zsh > ~/.zfunc/_spark-space   # with fpath=(~/.zfunc $fpath) before compinit",
            "spark-space completions fish > ~/.config/fish/completions/spark-space.fish",
        ],
        run: completions),
]

/// `help [COMMAND...] [--man]`: the command path resolved, `--man` alone.
struct HelpOptions: CommandOptions {
    enum Topic { case manual, globals, command(CommandSpec) }
    var topic: Topic

    init(_ inv: Invocation) throws {
        if inv.has(.man) {
            guard inv.positionals.isEmpty else { throw inv.usage("--man prints the whole manual; it takes no COMMAND") }
            topic = .manual
            return
        }
        if inv.positionals == ["globals"] {
            topic = .globals
            return
        }
        var command = rootCommand
        for word in inv.positionals {
            guard let sub = command.subcommand(word) else {
                throw UsageError("unknown command '\(word)'" + hint(word, among: command.subcommands.map(\.name)),
                                 command: command)
            }
            command = sub
        }
        topic = .command(command)
    }
}

private func help(_ inv: Invocation) throws {
    switch try HelpOptions(inv).topic {
    case .manual: try inv.out.write(manPage())
    case .globals: try inv.out.write(globalsHelpText())
    case .command(let command): try inv.out.write(helpText(for: command))
    }
}

/// `completions SHELL`: a shell there are completions for.
struct CompletionsOptions: CommandOptions {
    var shell: Shell
    init(_ inv: Invocation) throws {
        let name = inv.positionals[0]
        guard let shell = Shell(rawValue: name) else {
            let names = Shell.allCases.map(\.rawValue)
            throw inv.usage("no completions for '\(name)': choose \(names.joined(separator: ", "))"
                + hint(name, among: names))
        }
        self.shell = shell
    }
}

private func completions(_ inv: Invocation) throws {
    try inv.out.write(completionScript(for: try CompletionsOptions(inv).shell))
}
