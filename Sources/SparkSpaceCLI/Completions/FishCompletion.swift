import SparkSpace

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
        case .profile: return "-a " + fishQuoted("(__spark_space_profiles)")
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
        # fish asks it once for every `complete -n` condition: the words are read once per
        # command line and kept (__spark_space_read).
        function __spark_space_state
            __spark_space_read
            switch "$argv"
                # string join prints nothing for no words (printf would print an empty line).
                case arguments
                    string join -- \\n $__spark_space_arguments
                case settings
                    string join -- \\n $__spark_space_settings
                case '*'
                    count $__spark_space_arguments
                    test -n "$__spark_space_option"; and echo 1; or echo 0
                    printf '%s\\n' $__spark_space_path
            end
        end

        # Reads the words before the cursor into the globals __spark_space_{path,arguments,
        # settings,option}, unless they are those of the command line read last.
        function __spark_space_read
            set -l words (commandline -opc)
            set -l line (string join \\x1f -- $words)
            set -q __spark_space_line; and test "$__spark_space_line" = "$line"; and return
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
                    set -l rest $letters
                    for letter in $letters
                        set -e rest[1]
                        if __spark_space_takes_value -$letter $path
                            test (count $rest) = 0; and set option -$letter
                            break
                        end
                    end
                else if test (count $arguments) = 0; and contains -- $word (__spark_space_subcommands $path)
                    set -a path $word
                else
                    set -a arguments $word
                end
            end
            set -g __spark_space_line $line
            set -g __spark_space_path $path
            set -g __spark_space_arguments $arguments
            set -g __spark_space_settings $settings
            set -g __spark_space_option $option
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

        # Profile names from `spark-space settings profiles`.
        function __spark_space_profiles
            command -q spark-space; and \(profileNamesPipeline(settings: "(__spark_space_state settings)"))
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
