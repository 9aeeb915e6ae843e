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

// MARK: - bash

/// A bash script that walks the words before the cursor the way the parser does
/// (global options anywhere, `--opt value`, `--opt=value`, `-qo value`, `--`),
/// then completes an option value, an option, a subcommand or an argument.
/// It needs no bash-completion functions but uses `_filedir` when loaded.
struct BashCompletion {
    let root: CommandSpec

    var script: String {
        [header, subcommandsFunction, optionsFunction, takesValueFunction, valueFunction,
         argumentFunction, settingFunction, helpers, mainFunction].joined(separator: "\n")
    }

    /// `rooms list` as a case key (`''` for the root).
    private func key(_ command: CommandSpec) -> String { command.pathWords.joined(separator: " ") }

    private var header: String {
        """
        # bash completion for spark-space                          -*- shell-script -*-
        # \(generatedNote) bash`; do not edit.
        # Use: source it, or install it as
        # $PREFIX/share/bash-completion/completions/spark-space.

        """
    }

    private var subcommandsFunction: String {
        let arms = root.descendants.filter { !$0.subcommands.isEmpty }.map {
            "    \(shellQuoted(key($0)))) echo \(shellQuoted($0.subcommands.map(\.name).joined(separator: " "))) ;;"
        }
        return caseFunction("The subcommands of command path $1 ('' is the top level).",
                            name: "_spark_space_subcommands", subject: "$1", arms: arms)
    }

    private var optionsFunction: String {
        let global = globalOptions.flatMap(\.names).joined(separator: " ")
        let arms = root.descendants.filter { !$0.options.isEmpty }.map {
            "    \(shellQuoted(key($0)))) echo \"\($0.options.flatMap(\.names).joined(separator: " ")) $global\" ;;"
        }
        return """
            # The options of command path $1: its own, then the global ones.
            _spark_space_options() {
                local global='\(global)'
                case $1 in
            \((arms + ["    *) echo \"$global\" ;;"]).joined(separator: "\n"))
                esac
            }

            """
    }

    private var takesValueFunction: String {
        let globalValueNames = Set(globalOptions.filter { $0.value != nil }.map(\.long))
        var arms: [String] = []
        for command in root.descendants {
            let own = command.options.filter { $0.value != nil }
            // A command's flag that shares a global value option's name must not take a value.
            let shadowing = command.options.filter { $0.value == nil && globalValueNames.contains($0.long) }
            arms += own.map { "    \(patterns($0, in: command))) return 0 ;;" }
            arms += shadowing.map { "    \(patterns($0, in: command))) return 1 ;;" }
        }
        arms += globalOptions.filter { $0.value != nil }.map { "    \(patterns($0, in: nil))) return 0 ;;" }
        return caseFunction("Succeeds when option $2 of command path $1 takes a value.",
                            name: "_spark_space_takes_value", subject: "$1|$2", arms: arms, after: "return 1")
    }

    private var valueFunction: String {
        var arms: [String] = []
        for command in root.descendants {
            arms += command.options.compactMap { option in
                action(option.completion).map { "    \(patterns(option, in: command))) \($0) ;;" }
            }
        }
        arms += globalOptions.compactMap { option in
            action(option.completion).map { "    \(patterns(option, in: nil))) \($0) ;;" }
        }
        return caseFunction("Completes the value of option $2 of command path $1.",
                            name: "_spark_space_value", subject: "$1|$2", arms: arms)
    }

    private var argumentFunction: String {
        var arms: [String] = []
        for command in root.descendants where command.arguments.contains(where: { $0.completion != .none }) {
            for (index, argument) in command.arguments.enumerated() {
                // A variadic last argument completes at its index and every one after.
                let pattern = argument.variadic ? shellQuoted(key(command) + "|") + "*"
                    : shellQuoted("\(key(command))|\(index)")
                arms.append("    \(pattern)) \(action(argument.completion) ?? ":") ;;")
            }
        }
        return caseFunction("Completes argument number $2 (from 0) of command path $1.",
                            name: "_spark_space_argument", subject: "$1|$2", arms: arms)
    }

    /// Setting options are global, and no command has an option of the same name
    /// (CompletionTests), so the command path does not matter here.
    private var settingFunction: String {
        let arms = settingOptions.map {
            "    \($0.names.map(shellQuoted).joined(separator: " | "))) settings+=(\"--\($0.long)=$value\") ;;"
        }
        return """
            # Adds option $1's value $2 to $settings when the option is a setting (-c FILE),
            # as bash would pass it: ~/ expanded, quotes or backslashes removed (no $VAR).
            _spark_space_setting() {
                local value=$2
                case $value in
                \\'*\\' | \\"*\\") value=${value:1:${#value}-2} ;;
                *) value=${value//\\\\/} value=${value/#\\~\\//$HOME/} ;;
                esac
                case $1 in
            \(arms.joined(separator: "\n"))
                esac
            }

            """
    }

    /// `'rooms list|-t' | 'rooms list|--team'`, or `*'|--output'` for a global option.
    private func patterns(_ option: OptionSpec, in command: CommandSpec?) -> String {
        option.names.map { name in
            command.map { shellQuoted("\(key($0))|\(name)") } ?? "*" + shellQuoted("|" + name)
        }.joined(separator: " | ")
    }

    private func action(_ completion: ValueCompletion) -> String? {
        switch completion {
        case .none: return nil
        case .file: return "_spark_space_files"
        case .directory: return "_spark_space_directories"
        case .room: return "_spark_space_rooms"
        case .command: return "_spark_space_commands"
        case .choices(let values): return "_spark_space_words " + values.map(shellQuoted).joined(separator: " ")
        }
    }

    private func caseFunction(_ comment: String, name: String, subject: String, arms: [String],
                              after: String? = nil) -> String {
        var lines = ["# \(comment)", "\(name)() {", "    case \"\(subject)\" in"]
        lines += arms
        lines.append("    esac")
        if let after { lines.append("    \(after)") }
        return (lines + ["}", ""]).joined(separator: "\n")
    }

    private var helpers: String {
        #"""
        # Succeeds when the short-option cluster $2 (-qo) ends in a letter that
        # takes the next word as its value; -ojson carries its value.
        _spark_space_cluster() {
            local j
            for ((j = 1; j < ${#2}; j++)); do
                if _spark_space_takes_value "$1" "-${2:j:1}"; then
                    ((j == ${#2} - 1))
                    return
                fi
            done
            return 1
        }

        # The completers below read $cur from _spark_space (bash scoping is dynamic).
        # Offers each argument that starts with $cur, quoted for the command line.
        _spark_space_words() {
            local word quoted
            for word; do
                if [[ $word == "$cur"* ]]; then
                    printf -v quoted '%q' "$word"
                    COMPREPLY+=("$quoted")
                fi
            done
        }

        _spark_space_files() {
            if declare -F _filedir >/dev/null; then
                _filedir
            else
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
        }

        _spark_space_directories() {
            if declare -F _filedir >/dev/null; then
                _filedir -d
            else
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            fi
        }

        # Room titles from `spark-space rooms list`; nothing without a token.
        _spark_space_rooms() {
            local title typed=${cur//\\/}
            typed=${typed#[\"\']}
            # Lets bash quote the spaces in titles it inserts.
            compopt -o filenames 2>/dev/null
            while IFS= read -r title; do
                [[ -n $title && $title == "$typed"* ]] && COMPREPLY+=("$title")
            done < <(\#(roomTitlesPipeline(settings: #""${settings[@]}""#)))
        }

        # The subcommands of the path the arguments before the cursor name (help rooms <Tab>).
        _spark_space_commands() {
            _spark_space_words $(_spark_space_subcommands "${args[*]}")
        }

        """#
    }

    private var mainFunction: String {
        #"""
        _spark_space() {
            local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
            # args and settings are read by the completers (bash scoping is dynamic).
            local path='' option='' ended='' word i
            local -a args=() settings=()
            COMPREPLY=()
            # bash splits `--opt=` into `--opt` `=` (COMP_WORDBREAKS): complete the value.
            [[ $cur == = && $prev == -* ]] && cur=''
            # bash splits words at ':' too (COMP_WORDBREAKS): join `http` `:` `//h` back.
            local -a words=()
            for ((i = 1; i < COMP_CWORD; i++)); do
                if ((i > 1)) && [[ ${COMP_WORDS[i]} == : || ${COMP_WORDS[i - 1]} == : ]]; then
                    words[-1]+=${COMP_WORDS[i]}
                else
                    words+=("${COMP_WORDS[i]}")
                fi
            done
            for word in "${words[@]}"; do
                if [[ -n $option ]]; then
                    [[ $word == = ]] && continue
                    _spark_space_setting "$option" "$word"
                    option=''
                elif [[ -n $ended ]]; then
                    args+=("$word")
                elif [[ $word == -- ]]; then
                    ended=1
                elif [[ $word == --*=* ]]; then
                    _spark_space_setting "${word%%=*}" "${word#*=}"
                elif [[ $word == --?* ]]; then
                    _spark_space_takes_value "$path" "$word" && option=$word
                elif [[ $word == -?* ]]; then
                    _spark_space_cluster "$path" "$word" && option=-${word: -1}
                elif ((${#args[@]} == 0)) && [[ " $(_spark_space_subcommands "$path") " == *" $word "* ]]; then
                    path=${path:+$path }$word
                else
                    args+=("$word")
                fi
            done
            if [[ -n $option ]]; then
                _spark_space_value "$path" "$option"
            elif [[ -z $ended && $cur == -* ]]; then
                _spark_space_words $(_spark_space_options "$path")
            elif ((${#args[@]} == 0)) && [[ -z $ended && -n $(_spark_space_subcommands "$path") ]]; then
                _spark_space_words $(_spark_space_subcommands "$path")
            else
                _spark_space_argument "$path" "${#args[@]}"
            fi
        }

        complete -F _spark_space spark-space

        """#
    }
}

// MARK: - zsh

/// A zsh script: one `_arguments` function per command, each with the global
/// options (so they work before and after the command), its own options and
/// arguments; a group dispatches to the function of the subcommand typed.
struct ZshCompletion {
    let root: CommandSpec

    var script: String {
        ([header, globalsArray] + root.descendants.map(function)
            + [subcommandsFunction, commandsFunction, settingsFunction, roomTitles, footer])
            .joined(separator: "\n")
    }

    private func functionName(_ command: CommandSpec) -> String {
        (["_spark-space"] + command.pathWords).joined(separator: "_")
    }

    private var header: String {
        """
        #compdef spark-space
        # zsh completion for spark-space.
        # \(generatedNote) zsh`; do not edit.
        # Use: install it as _spark-space in a directory of $fpath before compinit
        # runs, or source it after compinit.

        """
    }

    private var globalsArray: String {
        let specs = globalOptions.flatMap(optionSpecs).map { "  " + shellQuoted($0) }
        return (["# Options every command accepts, before or after the command.",
                 "typeset -ga _spark_space_global_options",
                 "_spark_space_global_options=("] + specs + [")", ""]).joined(separator: "\n")
    }

    private func function(_ command: CommandSpec) -> String {
        command.subcommands.isEmpty ? leafFunction(command) : groupFunction(command)
    }

    private func leafFunction(_ command: CommandSpec) -> String {
        let specs = command.options.flatMap(optionSpecs) + argumentSpecs(command)
        return """
            \(functionName(command))() {
              _arguments -s -S $_spark_space_global_options\(continued(specs))
            }

            """
    }

    private func groupFunction(_ command: CommandSpec) -> String {
        let name = functionName(command)
        let specs = command.options.flatMap(optionSpecs) + [": :->command", "*:: :->argument"]
        let items = command.subcommands.map { "        " + shellQuoted("\($0.name):\($0.summary)") }
        let context = (["spark-space"] + command.pathWords).joined(separator: "-")
        // `*::` below drops the words before a subcommand; the settings options are among them.
        // -A: options after the subcommand are the subcommand's to parse; parsed here,
        // they would take the subcommand out of the words `*::` passes on.
        let before = command.isRoot ? "\n  local -a _spark_space_before=(${words[2,CURRENT-1]})" : ""
        return """
            \(name)() {
              local curcontext=$curcontext state state_descr line ret=1\(before)
              typeset -A opt_args
              _arguments -s -S -C -A '-*' $_spark_space_global_options\(continued(specs)) && ret=0
              case $state in
                (command)
                  local -a commands=(
            \(items.joined(separator: "\n"))
                  )
                  _describe -t commands \(shellQuoted((command.pathWords + ["command"]).joined(separator: " "))) commands && ret=0
                  ;;
                (argument)
                  curcontext=${curcontext%:*:*}:\(context)-$words[1]:
                  if (( $+functions[\(name)_$words[1]] )); then
                    \(name)_$words[1] && ret=0
                  fi
                  ;;
              esac
              return ret
            }

            """
    }

    /// ` \` + one quoted spec a line.
    private func continued(_ specs: [String]) -> String {
        specs.map { " \\\n    " + shellQuoted($0) }.joined()
    }

    /// `(-o --output)-o+[help]:FORMAT:(table tsv json ndjson)` and its `--output=` twin.
    private func optionSpecs(_ option: OptionSpec) -> [String] {
        let exclusion = option.repeatable ? "*" : option.short == nil ? "" : "(\(option.names.joined(separator: " ")))"
        return option.names.map { name in
            var spec = exclusion + name
            if option.value != nil { spec += name.hasPrefix("--") ? "=" : "+" }
            spec += "[\(escaped(option.help, specials: "[]:"))]"
            if let value = option.value { spec += ":\(escaped(value, specials: ":")):\(action(option.completion))" }
            return spec
        }
    }

    /// `1:ROOM:action`, `1::ROOM:action` when optional, `*:EMAIL:action` when variadic.
    private func argumentSpecs(_ command: CommandSpec) -> [String] {
        command.arguments.enumerated().map { index, argument in
            let position = argument.variadic ? "*" : "\(index + 1)" + (argument.optional ? ":" : "")
            return "\(position):\(escaped(argument.name, specials: ":")):\(action(argument.completion))"
        }
    }

    private func action(_ completion: ValueCompletion) -> String {
        switch completion {
        case .none: return " "  // a message, no matches
        case .file: return "_files"
        case .directory: return "_files -/"
        case .room: return "_spark_space_room_titles"
        case .command: return "_spark_space_commands"
        case .choices(let values): return "(" + values.map(zshWord).joined(separator: " ") + ")"
        }
    }

    /// A word of a `(a b c)` action: anything but letters and digits backslashed.
    private func zshWord(_ value: String) -> String {
        value.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? String($0) : "\\" + String($0) }.joined()
    }

    private func escaped(_ text: String, specials: String) -> String {
        var result = ""
        for character in text {
            if character == "\\" || specials.contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }

    private var subcommandsFunction: String {
        let arms = root.descendants.filter { !$0.subcommands.isEmpty }.map { command in
            let items = command.subcommands.map { shellQuoted("\($0.name):\($0.summary)") }
            return "    (\(shellQuoted(command.pathWords.joined(separator: " ")))) reply=(\(items.joined(separator: " "))) ;;"
        }
        return """
            # The subcommands of command path "$*" ('' is the top level), as name:summary in $reply.
            _spark_space_subcommands() {
              case "$*" in
            \(arms.joined(separator: "\n"))
                (*) reply=() ;;
              esac
            }

            """
    }

    private var commandsFunction: String {
        """
        # The subcommands of the path the arguments before the cursor name (help rooms <Tab>).
        _spark_space_commands() {
          local -a reply
          _spark_space_subcommands ${line[1,-2]}  # the last is the word being completed
          _describe -t commands command reply
        }

        """
    }

    /// Walks the words before the command's own function ran, skipping the values
    /// of global options; `-qc` is a cluster ending in `-c`.
    private var settingsFunction: String {
        let valued = globalOptions.filter { $0.value != nil }
        let arms = settingOptions.map {
            "    (\(patterns($0))) reply+=(--\($0.long)=${2/#\\~\\//$HOME/}) ;;"
        }
        return """
            # The setting options typed (-c FILE, --api-url=URL), as --name=value words in
            # $reply: completions that run spark-space pass them on.
            _spark_space_settings() {
              local word option= value
              reply=()
              for word in $_spark_space_before; do
                if [[ -n $option ]]; then
                  value=$word
                elif [[ $word == --?*=* ]]; then
                  option=${word%%=*} value=${word#*=}
                else
                  case $word in
                    (--) break ;;
                    (\(valued.map(patterns).joined(separator: "|"))) option=$word ;;
                  esac
                  continue
                fi
                _spark_space_setting $option "${(Q)value}"
                option=
              done
            }

            # Adds option $1's value $2 to $reply when the option is a setting.
            _spark_space_setting() {
              case $1 in
            \(arms.joined(separator: "\n"))
              esac
            }

            """
    }

    /// `-c|-[^-]*c|--config`: the option's names and a short-option cluster ending in it.
    private func patterns(_ option: OptionSpec) -> String {
        let cluster = option.short.map { ["-[^-]*\($0)"] } ?? []
        return (option.names + cluster).joined(separator: "|")
    }

    private var roomTitles: String {
        """
        # Room titles from `spark-space rooms list`; nothing without a token.
        _spark_space_room_titles() {
          local -a titles expl reply
          _spark_space_settings
          titles=(${(f)"$(\(roomTitlesPipeline(settings: #""${reply[@]}""#)))"})
          _wanted rooms expl 'room title' compadd -a titles
        }

        """
    }

    private var footer: String {
        """
        # Autoloaded from $fpath: complete now; sourced: register.
        if [[ $funcstack[1] == _spark-space ]]; then
          _spark-space "$@"
        else
          compdef _spark-space spark-space
        fi

        """
    }
}

// MARK: - fish

/// A fish script: `complete` lines whose conditions ask a helper that walks the
/// words before the cursor the way the parser does. fish itself completes the
/// values of options (`-a` of the option's line).
struct FishCompletion {
    let root: CommandSpec

    var script: String {
        ([header, helpers, subcommandsFunction, takesValueFunction, settingFunction, "complete -c spark-space -f", ""]
            + root.descendants.map(lines) + ["# Global options.", globalOptions.map { optionLine($0, in: nil) }.joined(separator: "\n"), ""])
            .joined(separator: "\n")
    }

    private var header: String {
        """
        # fish completion for spark-space.
        # \(generatedNote) fish`; do not edit.
        # Use: source it, or install it as
        # $PREFIX/share/fish/vendor_completions.d/spark-space.fish.

        """
    }

    private func lines(_ command: CommandSpec) -> String {
        let words = command.pathWords.joined(separator: " ")
        var lines = ["# spark-space \(words)".trimmingSpaces()]
        lines += command.subcommands.map {
            "complete -c spark-space -n \(fishQuoted("__spark_space_needs_command \(words)".trimmed))"
                + " -a \($0.name) -d \(fishQuoted($0.summary))"
        }
        lines += command.options.map { optionLine($0, in: command) }
        lines += argumentLines(command)
        return lines.count == 1 ? "" : (lines + [""]).joined(separator: "\n")
    }

    private func optionLine(_ option: OptionSpec, in command: CommandSpec?) -> String {
        var parts = ["complete -c spark-space"]
        if let command {
            parts.append("-n " + fishQuoted("__spark_space_in \(command.pathWords.joined(separator: " "))".trimmed))
        }
        if let short = option.short { parts.append("-s \(short)") }
        parts.append("-l \(option.long)")
        if option.value != nil { parts.append(valueFlags(option.completion)) }
        parts.append("-d " + fishQuoted(option.help))
        return parts.joined(separator: " ")
    }

    private func argumentLines(_ command: CommandSpec) -> [String] {
        command.arguments.enumerated().compactMap { index, argument in
            guard argument.completion != .none else { return nil }
            // A variadic argument completes at its index and every one after.
            let position = argument.variadic ? "\(index)+" : "\(index)"
            let condition = "__spark_space_argument \(position) \(command.pathWords.joined(separator: " "))".trimmed
            return "complete -c spark-space -n \(fishQuoted(condition)) \(argumentFlags(argument.completion))"
        }
    }

    /// How fish completes an option's value.
    private func valueFlags(_ completion: ValueCompletion) -> String {
        switch completion {
        case .file: return "-r -F"
        case .none: return "-x"
        default: return "-x " + argumentFlags(completion)
        }
    }

    private func argumentFlags(_ completion: ValueCompletion) -> String {
        switch completion {
        case .none: return ""
        case .file: return "-F"
        case .directory: return "-a " + fishQuoted("(__fish_complete_directories (commandline -ct))")
        case .room: return "-a " + fishQuoted("(__spark_space_room_titles)")
        case .command: return "-a " + fishQuoted("(__spark_space_commands)")
        case .choices(let values): return "-a " + fishQuoted(values.map(fishWord).joined(separator: " "))
        }
    }

    private var subcommandsFunction: String {
        let arms = root.descendants.filter { !$0.subcommands.isEmpty }.map {
            "        case \(fishQuoted($0.pathWords.joined(separator: " ")))\n"
                + "            echo \($0.subcommands.map(\.name).joined(separator: " "))"
        }
        return """
            # The subcommands of the command path $argv ('' is the top level), one a line.
            function __spark_space_subcommands
                switch "$argv"
            \(arms.joined(separator: "\n"))
                end | string split ' '
            end

            """
    }

    private var takesValueFunction: String {
        var patterns: [String] = []
        for command in root.descendants {
            let key = command.pathWords.joined(separator: " ")
            patterns += command.options.filter { $0.value != nil }.flatMap(\.names).map { fishQuoted("\(key)|\($0)") }
        }
        patterns += globalOptions.filter { $0.value != nil }.flatMap(\.names).map { fishQuoted("*|\($0)") }  // quoted: a bare * would glob files
        return """
            # Succeeds when option $argv[1] takes a value in command path $argv[2..].
            function __spark_space_takes_value
                switch "$argv[2..-1]|$argv[1]"
                    case \(patterns.joined(separator: " \\\n            "))
                        return 0
                end
                return 1
            end

            """
    }

    /// Setting options are global, and no command has an option of the same name
    /// (CompletionTests), so the command path does not matter here.
    private var settingFunction: String {
        let arms = settingOptions.map {
            "        case \($0.names.joined(separator: " "))\n            printf '%s\\n' --\($0.long)=$value"
        }
        return """
            # Prints option $argv[1]'s value $argv[2] as --name=value when the option is a
            # setting (-c FILE): completions that run spark-space pass it on.
            function __spark_space_setting
                set -l value (string replace -r -- '^~/' "$HOME/" $argv[2])
                switch $argv[1]
            \(arms.joined(separator: "\n"))
                end
            end

            """
    }

    private var helpers: String {
        """
        # Prints how many arguments follow the command path, whether the word under
        # the cursor is an option's value (1) or not (0), then the path's words.
        # With `arguments` or `settings`, prints those words instead (--config=FILE...).
        function __spark_space_state
            set -l words (commandline -opc)
            set -e words[1]
            set -l path
            set -l arguments
            set -l settings
            set -l option
            set -l ended 0
            for word in $words
                if test -n "$option"
                    set -a settings (__spark_space_setting $option $word)
                    set option
                else if test $ended = 1
                    set -a arguments $word
                else if test "$word" = --
                    set ended 1
                else if string match -q -- '--*=*' $word
                    set -a settings (__spark_space_setting (string split -m 1 = -- $word))
                else if string match -q -- '--?*' $word
                    __spark_space_takes_value $word $path; and set option $word
                else if string match -q -- '-?*' $word
                    # -qo takes the next word as its value; -ojson carries it.
                    set -l letters (string sub -s 2 -- $word | string split '')
                    for i in (seq (count $letters))
                        if __spark_space_takes_value -$letters[$i] $path
                            test $i = (count $letters); and set option -$letters[$i]
                            break
                        end
                    end
                else if test (count $arguments) = 0; and contains -- $word (__spark_space_subcommands $path)
                    set -a path $word
                else
                    set -a arguments $word
                end
            end
            switch "$argv"
                # string join prints nothing for no words (printf would print an empty line).
                case arguments
                    string join -- \\n $arguments
                case settings
                    string join -- \\n $settings
                case '*'
                    count $arguments
                    test -n "$option"; and echo 1; or echo 0
                    printf '%s\\n' $path
            end
        end

        # The subcommands of the path the arguments before the cursor name (help rooms <Tab>).
        function __spark_space_commands
            __spark_space_subcommands (__spark_space_state arguments)
        end

        # Succeeds when the command path is $argv.
        function __spark_space_in
            set -l state (__spark_space_state)
            test "$state[3..-1]" = "$argv"
        end

        # Succeeds when the next word is a subcommand of the command path $argv.
        function __spark_space_needs_command
            set -l state (__spark_space_state)
            test "$state[1]" = 0; and test "$state[2]" = 0; and test "$state[3..-1]" = "$argv"
        end

        # Succeeds when the next word is argument $argv[1] (from 0; "2+" is 2 or later)
        # of the command path $argv[2..].
        function __spark_space_argument
            set -l state (__spark_space_state)
            test "$state[2]" = 0; and test "$state[3..-1]" = "$argv[2..-1]"; or return
            set -l index (string trim -c + -- $argv[1])
            test $state[1] = $index; or begin
                string match -q -- '*+' $argv[1]; and test $state[1] -ge $index
            end
        end

        # Room titles from `spark-space rooms list`; nothing without a token.
        function __spark_space_room_titles
            # fish itself reports a missing command, whatever the redirection.
            command -q spark-space; and \(roomTitlesPipeline(settings: "(__spark_space_state settings)"))
        end

        """
    }
}

/// One word of a fish argument list: anything but letters, digits, `-` and `_` backslashed.
func fishWord(_ value: String) -> String {
    value.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? String($0) : "\\" + String($0) }
        .joined()
}

/// `'text'` for fish.
func fishQuoted(_ text: String) -> String {
    "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
}

extension String {
    var trimmed: String { trimmingSpaces() }
}
