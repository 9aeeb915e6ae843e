import Foundation
import MockWebex
@testable import SparkSpaceCLI
import XCTest

/// The checked-in completion scripts, run in the real shells. Expectations are
/// read from the command table, so commands added to it are tested too.
final class CompletionTests: XCTestCase {
    static let scripts: [(Shell, String)] = [
        (.bash, "completions/spark-space.bash"), (.zsh, "completions/_spark-space"),
        (.fish, "completions/spark-space.fish"),
    ]

    func testCheckedInScriptsAreWhatTheBinaryGenerates() throws {
        for (shell, path) in Self.scripts {
            let generated = try spark(["completions", shell.rawValue])
            XCTAssertEqual(generated.code, 0, generated.stderr)
            XCTAssertTrue(try repoFile(path) == generated.stdout,
                          "\(path) differs from `spark-space completions \(shell)`: run `make generate`")
        }
    }

    func testUnknownShellIsAUsageError() throws {
        let result = try spark(["completions", "zhs"])
        XCTAssertEqual(result.code, 2)
        XCTAssertTrue(result.stderr.contains("did you mean 'zsh'"), result.stderr)
    }

    func testCommandsCompleteFromTheirFirstLetters() throws {
        let names = rootCommand.subcommands.map(\.name)
        try expectEveryShell(names.map { "spark-space \($0.prefix(2))" }) { line in
            let prefix = String(line.split(separator: " ").last!)
            return names.filter { $0.hasPrefix(prefix) }.sorted()
        }
    }

    func testRoomsCompletesFromRo() throws {
        try XCTSkipIf(rootCommand.subcommand("rooms") == nil, "no rooms command in this branch yet")
        try expectEveryShell(["spark-space ro"]) { _ in ["rooms"] }
    }

    func testGroupsCompleteTheirSubcommands() throws {
        let groups = rootCommand.descendants.dropFirst().filter { !$0.subcommands.isEmpty }
        XCTAssertFalse(groups.isEmpty)
        let lines = groups.map { "spark-space \($0.path) " } + groups.map { "spark-space -o json \($0.path) " }
        try expectEveryShell(lines) { line in
            groups.first { line.hasSuffix(" \($0.path) ") }!.subcommands.map(\.name).sorted()
        }
    }

    func testOutputFormatsComplete() throws {
        let formats = OptionSpec.output.choices!.sorted()
        let lines = ["spark-space -o ", "spark-space --output ", "spark-space --output=", "spark-space -qo ",
                     "spark-space settings show -o ", "spark-space --output=j"]
        try expectEveryShell(lines) { line in line.hasSuffix("j") ? ["json"] : formats }
    }

    /// Every option with a fixed set of values (`-o`, `--as`, `--type`, ...), wherever it is.
    func testEveryChoiceOptionCompletesItsValues() throws {
        var cases: [(String, [String])] = []
        for command in rootCommand.descendants where command.run != nil {
            for option in command.options + globalOptions {
                guard let choices = option.choices else { continue }
                cases.append(("spark-space \(command.path) --\(option.long) ", choices.sorted()))
            }
        }
        let expected = Dictionary(cases, uniquingKeysWith: { first, _ in first })
        try expectEveryShell(cases.map(\.0)) { expected[$0]! }
    }

    func testOptionsOfEachCommandComplete() throws {
        let commands = rootCommand.descendants.filter { $0.run != nil }
        try expectEveryShell(commands.map { "spark-space \($0.path) --" }) { line in
            let command = commands.first { line == "spark-space \($0.path) --" }!
            return (command.options + globalOptions).map { "--" + $0.long }.sorted()
        }
    }

    func testArgumentChoicesComplete() throws {
        try expectEveryShell(["spark-space completions ", "spark-space -v completions z"]) { line in
            line.hasSuffix("z") ? ["zsh"] : ["bash", "fish", "zsh"]
        }
    }

    /// Every file option (`-c`, `--token-file`, `--file`, `-d`...) completes paths.
    func testFileAndDirectoryOptionsCompletePaths() throws {
        let dir = try temporaryDirectory()
        try "space: {}\n".write(to: dir.appendingPathComponent("settings.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("saved"), withIntermediateDirectories: true)
        var cases: [(String, String)] = []
        for command in rootCommand.descendants where command.run != nil {
            for option in command.options + globalOptions {
                let name = option.short.map { "-\($0)" } ?? "--\(option.long)"
                if option.completion == .file { cases.append(("spark-space \(command.path) \(name) \(dir.path)/se", "settings.yaml")) }
                if option.completion == .directory { cases.append(("spark-space \(command.path) \(name) \(dir.path)/sa", "saved")) }
            }
        }
        XCTAssertFalse(cases.isEmpty)
        let expected = Dictionary(cases, uniquingKeysWith: { first, _ in first })
        // bash and fish offer the whole path, zsh the last part.
        try expectEveryShell(cases.map(\.0), transform: { URL(fileURLWithPath: $0).lastPathComponent }) {
            [expected[$0]!]
        }
    }

    func testRoomTitlesComeFromRoomsList() throws {
        let bin = try temporaryDirectory()
        try writeExecutable(bin.appendingPathComponent("spark-space"), """
            #!/bin/sh
            [ "$1 $2 $3 $4" = "rooms list -o tsv" ] || exit 2
            printf 'R1\\tOps room\\tgroup\\t\\t2026-11-25T10:00:00Z\\n'
            printf 'R2\\tOps: night shift\\tgroup\\tT1\\t2026-11-24T10:00:00Z\\n'
            printf 'R3\\tDev\\tgroup\\t\\t2026-11-23T10:00:00Z\\n'
            """)
        // Every ROOM argument too, after placeholders for the arguments before it.
        var lines = ["spark-space --room O", "spark-space whoami --room=D"]
        for command in rootCommand.descendants {
            for (index, argument) in command.arguments.enumerated() where argument.completion == .room {
                lines.append("spark-space \(command.path) " + String(repeating: "x ", count: index) + "O")
            }
        }
        try expectEveryShell(lines, path: bin.path) { line in
            line.hasSuffix("D") ? ["Dev"] : ["Ops room", "Ops: night shift"]
        }
    }

    func testRoomTitlesAreQuietlyNothingWithoutAToken() throws {
        let binaryDirectory = binaryURL.deletingLastPathComponent().path
        try expectEveryShell(["spark-space --room ", "spark-space --room O"], path: binaryDirectory) { _ in [] }
    }

    /// A mock holding rooms of these titles, stopped when the test ends; the test is skipped where
    /// there is no `rooms list` to ask it.
    private func mockWithRooms(_ titles: [String]) throws -> MockWebexServer {
        try XCTSkipIf(rootCommand.subcommand("rooms")?.subcommand("list") == nil, "no rooms list in this branch yet")
        let mock = MockWebexServer()
        try mock.start()
        addTeardownBlock { mock.stop() }
        for title in titles { mock.addRoom(title: title) }
        return mock
    }

    func testRoomTitlesFromTheAPI() throws {
        let mock = try mockWithRooms(["Ops room", "Release train"])
        let env = ["SPARK_API_URL": mock.baseURL, "CISCO_SPARK_BOT_TOKEN": "bot-token"]
        let path = binaryURL.deletingLastPathComponent().path
        try expectEveryShell(["spark-space --room Op"], path: path, env: env) { _ in ["Ops room"] }
    }

    /// `help` completes a command path word by word, from the table.
    func testHelpCompletesCommandPaths() throws {
        let names = rootCommand.subcommands.map(\.name).sorted()
        let groups = rootCommand.descendants.dropFirst().filter { !$0.subcommands.isEmpty }
        let leaf = try XCTUnwrap(rootCommand.subcommands.first { $0.subcommands.isEmpty && $0.name != "help" })
        var cases = [("spark-space help ", names), ("spark-space help \(names[0].prefix(2))",
                      names.filter { $0.hasPrefix(names[0].prefix(2)) }),
                     ("spark-space help \(leaf.name) ", []), ("spark-space help no-such ", [])]
        for group in groups {
            let subcommands = group.subcommands.map(\.name).sorted()
            cases += [("spark-space help \(group.path) ", subcommands),
                      ("spark-space -o json help -q \(group.path) ", subcommands)]
        }
        XCTAssertFalse(groups.isEmpty)
        let expected = Dictionary(cases, uniquingKeysWith: { first, _ in first })
        try expectEveryShell(cases.map(\.0)) { expected[$0]! }
    }

    /// Room titles come from a `rooms list` run with the setting options typed
    /// (`-c FILE`, `--token-file`, `--api-url`...), before or after the command.
    func testRoomTitlesUseTheSettingsTyped() throws {
        let bin = try temporaryDirectory(), home = try temporaryDirectory()
        try writeExecutable(bin.appendingPathComponent("spark-space"), """
            #!/bin/sh
            # One title: the words before `rooms`, joined by ';'.
            title=got
            while [ $# -gt 0 ] && [ "$1" != rooms ]; do title="$title;$1"; shift; done
            printf 'R1\\t%s\\tgroup\\t\\t2026-11-25T10:00:00Z\\n' "$title"
            """)
        let settingsTitle = ["spark-space -c my.yaml --room g": "got;--config=my.yaml",
                             "spark-space --config=my.yaml --room g": "got;--config=my.yaml",
                             "spark-space -qc my.yaml post g": "got;--config=my.yaml",
                             "spark-space post -c ~/my.yaml g": "got;--config=\(home.path)/my.yaml",
                             "spark-space --token-file tok --api-url http://h --as audit --room g":
                                "got;--token-file=tok;--api-url=http://h;--as=audit",
                             "spark-space --api-url=http://h:8080/v1 rooms get g": "got;--api-url=http://h:8080/v1",
                             "spark-space -o json -v --room g": "got"]
        try expectEveryShell(Array(settingsTitle.keys), path: bin.path, env: ["HOME": home.path]) {
            [settingsTitle[$0]!]
        }
    }

    /// The same against the real binary: the token and API URL come only from the line.
    func testRoomTitlesFromTheAPIWithTheSettingsTyped() throws {
        let mock = try mockWithRooms(["Ops room"])
        let dir = try temporaryDirectory()
        let config = dir.appendingPathComponent("settings.yaml"), token = dir.appendingPathComponent("token")
        try "api_url: \(mock.baseURL)\nspace:\n  token: bot-token\n".write(to: config, atomically: true, encoding: .utf8)
        try "bot-token\n".write(to: token, atomically: true, encoding: .utf8)
        let path = binaryURL.deletingLastPathComponent().path
        try expectEveryShell(["spark-space -c \(config.path) --room Op", "spark-space --room Op",
                              "spark-space --token-file \(token.path) --api-url=\(mock.baseURL) --room Op"],
                             path: path) { line in line == "spark-space --room Op" ? [] : ["Ops room"] }
    }

    /// The completions pass setting options on whatever command they follow.
    func testNoCommandOptionShadowsASettingOption() {
        let names = Set(settingOptions.flatMap(\.names))
        for command in rootCommand.descendants {
            for option in command.options {
                XCTAssertTrue(names.isDisjoint(with: option.names), "\(command.path) \(option.synopsis)")
            }
        }
    }

    /// Quotes, brackets, colons, `$` and backslashes in help texts must not break any script.
    func testAnAwkwardTableStillCompletes() throws {
        let root = awkwardTable()
        let dir = try temporaryDirectory()
        let lines = ["spark-space od", "spark-space odd-one --", "spark-space odd-one --weird ",
                     "spark-space odd-one -w ", "spark-space odd-one "]
        let globals = globalOptions.map { "--" + $0.long }
        let values = ["$v", "it's", "x y", "z"]
        let expected = [["odd-one"], (["--weird", "--flag"] + globals).sorted(), values, values, ["a", "b"]]
        for shell in Shell.allCases {
            let script = dir.appendingPathComponent(shell.rawValue)
            try completionScript(for: shell, root: root).write(to: script, atomically: true, encoding: .utf8)
            let answers = try complete(shell, lines, env: ["PATH": "/usr/bin:/bin"], script: script)
            XCTAssertEqual(answers.count, lines.count, "\(shell)")
            for (index, offered) in answers.enumerated() {
                XCTAssertEqual(offered.sorted(), expected[index], "\(shell): '\(lines[index])'")
            }
        }
    }

    // MARK: - Running the shells

    /// Completes each line (the cursor at its end) in bash, zsh and fish and checks
    /// that what each shell offered, sorted, is `expected(line)`.
    private func expectEveryShell(
        _ lines: [String], path: String? = nil, env: [String: String] = [:],
        transform: (String) -> String = { $0 }, file: StaticString = #filePath, line: UInt = #line,
        expected: (String) -> [String]
    ) throws {
        var environment = env
        environment["PATH"] = (path.map { $0 + ":" } ?? "") + "/usr/bin:/bin"
        for shell in Shell.allCases {
            let results = try complete(shell, lines, env: environment)
            XCTAssertEqual(results.count, lines.count, "\(shell) answered \(results)", file: file, line: line)
            for (text, offered) in zip(lines, results) {
                XCTAssertEqual(offered.map(transform).sorted(), expected(text), "\(shell): '\(text)'",
                               file: file, line: line)
            }
        }
    }
}

/// A table whose texts hold every character a generator must quote.
func awkwardTable() -> CommandSpec {
    let text = #"it's [odd]: "quoted" \ $HOME `date` 50% *; (a|b) {c} -- 'end'"#
    return CommandSpec(programName, summary: text, subcommands: [
        CommandSpec(
            "odd-one", summary: text, details: text + "\n." + text,
            arguments: [ArgumentSpec(name: "THING:1", help: text, completion: .choices(["a", "b"]))],
            options: [
                OptionSpec("weird", short: "w", value: "V:[1]", help: text, completion: .choices(["x y", "z", "it's", "$v"])),
                OptionSpec("flag", help: text, repeatable: true),
            ],
            examples: [text, ".starts with a dot", "  indented \\ back"],
            run: { _ in }),
    ])
}

// MARK: - Shell drivers

/// What `shell` offers for each line, with `script` (default: the checked-in one) loaded.
func complete(_ shell: Shell, _ lines: [String], env: [String: String], script: URL? = nil) throws -> [[String]] {
    let script = script ?? repoRoot.appendingPathComponent(CompletionTests.scripts.first { $0.0 == shell }!.1)
    let dir = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let result: RunResult
    switch shell {
    case .bash:
        let driver = try writeExecutable(dir.appendingPathComponent("driver.bash"), bashDriver)
        result = try runTool("bash", ["--norc", "--noprofile", driver.path, script.path] + lines.map(bashWords),
                             env: env)
    case .zsh:
        try FileManager.default.copyItem(at: script, to: dir.appendingPathComponent("_spark-space"))
        let driver = try writeExecutable(dir.appendingPathComponent("driver.zsh"), zshDriver)
        result = try runTool("zsh", ["-f", driver.path, dir.path, dir.appendingPathComponent("out").path] + lines,
                             env: env)
    case .fish:
        let program = #"source $argv[1]; for line in $argv[2..-1]; complete -C"$line"; echo '<end>'; end"#
        result = try runTool("fish", ["--no-config", "-c", program, script.path] + lines, env: env)
    }
    guard result.code == 0, result.stderr.isEmpty else {
        throw NSError(domain: "\(shell)", code: Int(result.code),
                      userInfo: [NSLocalizedDescriptionKey: "\(shell) failed: \(result.stderr)"])
    }
    var answers = result.stdout.components(separatedBy: "<end>\n").dropLast().map { answer -> [String] in
        let matches = answer.split(separator: "\n").map { candidate(String($0), shell: shell) }
        // zsh may add a match under two tags (`_files -/`: globbed-files and directories); it shows it once.
        return shell == .zsh ? Array(Set(matches)) : matches
    }
    // fish repeats an inline `--opt=` before each value; the other shells do not.
    for (index, line) in lines.enumerated() where index < answers.count {
        let word = line.split(separator: " ", omittingEmptySubsequences: false).last ?? ""
        if word.hasPrefix("-"), let eq = word.firstIndex(of: "=") {
            let inline = String(word[...eq])
            answers[index] = answers[index].map { $0.hasPrefix(inline) ? String($0.dropFirst(inline.count)) : $0 }
        }
    }
    return answers
}

/// A match as the user would see it: fish's description and the backslashes of bash and zsh removed.
private func candidate(_ text: String, shell: Shell) -> String {
    switch shell {
    case .bash, .zsh: return text.replacingOccurrences(of: "\\", with: "")
    case .fish: return String(text.split(separator: "\t", maxSplits: 1).first ?? "")
    }
}

/// The words readline gives bash for a line (`--opt=v` is `--opt`, `=`, `v`; `h:p`
/// is `h`, `:`, `p`), each ended by U+001F so that an empty last word survives.
private func bashWords(_ line: String) -> String {
    var words: [String] = []
    for word in line.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
        if word.hasPrefix("-"), let eq = word.firstIndex(of: "=") {
            words += [String(word[..<eq]), "="]
            if eq < word.index(before: word.endIndex) { words += colonWords(String(word[word.index(after: eq)...])) }
        } else {
            words += colonWords(word)
        }
    }
    return words.map { $0 + "\u{1F}" }.joined()
}

/// `http://h` as readline splits it at COMP_WORDBREAKS' `:`: `http`, `:`, `//h`.
private func colonWords(_ word: String) -> [String] {
    let parts = word.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    return Array(parts.map { [$0] }.joined(separator: [":"])).filter { !$0.isEmpty || parts.count == 1 }
}

/// bash driver.bash SCRIPT QUERY...: calls the function the script registered
/// for spark-space the way bash does and prints COMPREPLY, then `<end>`.
private let bashDriver = #"""
    source /usr/share/bash-completion/bash_completion
    source "$1"
    shift
    function=$(complete -p spark-space | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
    for query in "$@"; do
        mapfile -d $'\x1f' -t COMP_WORDS < <(printf '%s' "$query")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE=${COMP_WORDS[*]}
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$function" spark-space "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        ((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
        echo '<end>'
    done
    """#

/// zsh -f driver.zsh FPATH_DIR OUT LINE...: types each LINE and a Tab into an
/// interactive zsh on a pseudo-terminal (zpty), with compinit and the script
/// on $fpath, and prints the matches each completion added, then `<end>`.
private let zshDriver = #"""
    zmodload zsh/zpty zsh/zselect zsh/mapfile || exit 3
    dir=$1 out=$2
    shift 2
    cat > $out.rc <<RC
    PS1='' PROMPT='' RPROMPT=''
    unsetopt autolist beep
    fpath=(${(q)dir} \$fpath)
    autoload -Uz compinit && compinit -u -D
    # Record the matches each compadd adds (not the -O/-A/-D calls that only test).
    compadd() {
      if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "\$@"; return; fi
      local -a hits
      builtin compadd -A hits "\$@"
      (( \$#hits )) && print -rl -- \$hits >> ${(q)out}
      builtin compadd "\$@"
    }
    _test_complete() { _main_complete; print -r -- '<done>' >> ${(q)out} }
    zle -C test-complete complete-word _test_complete
    bindkey '^I' test-complete
    bindkey '^U' kill-whole-line
    print -r -- '<ready>' >> ${(q)out}
    RC
    wait_for() {
      local i junk
      for i in {1..500}; do
        # The file's lines, read without a process (a grep each 20 ms was most of the time).
        (( ${${(f)mapfile[$out]}[(Ie)$1]} )) && return 0
        while zpty -rt z junk 2>/dev/null; do :; done
        zselect -t 2
      done
      return 1
    }
    zpty z zsh -f -i
    zpty -w z "source ${(q)out}.rc"
    wait_for '<ready>' || { print -u2 'zsh did not start'; exit 2 }
    for line in "$@"; do
      : > $out
      zpty -w -n z "$line"$'\t'
      wait_for '<done>' || { print -u2 "no completion for: $line"; exit 2 }
      grep -vx '<done>' $out
      print -r -- '<end>'
      zpty -w -n z $'\C-u'
    done
    zpty -d z
    """#
