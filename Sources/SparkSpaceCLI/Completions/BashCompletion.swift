import SparkSpace

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
        var own: [(pattern: String, action: String)] = []
        for command in root.descendants {
            own += command.options.filter { $0.value != nil }.map { (patterns($0, in: command), "return 0") }
            // A command's flag that shares a global value option's name must not take a value.
            own += command.options.filter { $0.value == nil && globalValueNames.contains($0.long) }
                .map { (patterns($0, in: command), "return 1") }
        }
        let global = globalOptions.filter { $0.value != nil }.map { (pattern: patterns($0, in: nil), action: "return 0") }
        return caseFunction("Succeeds when option $2 of command path $1 takes a value.",
                            name: "_spark_space_takes_value", subject: "$1|$2",
                            arms: groupedArms(own) + groupedArms(global), after: "return 1")
    }

    private var valueFunction: String {
        var own: [(pattern: String, action: String)] = []
        for command in root.descendants {
            own += command.options.compactMap { option in action(option.completion).map { (patterns(option, in: command), $0) } }
        }
        let global = globalOptions.compactMap { option in action(option.completion).map { (patterns(option, in: nil), $0) } }
        return caseFunction("Completes the value of option $2 of command path $1.",
                            name: "_spark_space_value", subject: "$1|$2", arms: groupedArms(own) + groupedArms(global))
    }

    /// One case arm per action, its patterns a line each, in the order each action first appears.
    /// Only for patterns that cannot both match one subject (a command's own options, or the
    /// global ones): the order of the arms does not matter among them.
    private func groupedArms(_ rows: [(pattern: String, action: String)]) -> [String] {
        var actions: [String] = []
        var patterns: [String: [String]] = [:]
        for row in rows {
            if patterns[row.action] == nil { actions.append(row.action) }
            patterns[row.action, default: []].append(row.pattern)
        }
        return actions.map { "    \(patterns[$0]!.joined(separator: " | \\\n    "))) \($0) ;;" }
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
        case .profile: return "_spark_space_profiles"
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

        # Profile names from `spark-space settings profiles`.
        _spark_space_profiles() {
            local name
            while IFS= read -r name; do
                [[ -n $name && $name == "$cur"* ]] && COMPREPLY+=("$name")
            done < <(\#(profileNamesPipeline(settings: #""${settings[@]}""#)))
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
