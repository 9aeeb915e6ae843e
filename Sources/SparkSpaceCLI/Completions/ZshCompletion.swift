import SparkSpace

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
        case .profile: return "_spark_space_profiles"
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

        # Profile names from `spark-space settings profiles`.
        _spark_space_profiles() {
          local -a names expl reply
          _spark_space_settings
          names=(${(f)"$(\(profileNamesPipeline(settings: #""${reply[@]}""#)))"})
          _wanted profiles expl 'profile' compadd -a names
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
