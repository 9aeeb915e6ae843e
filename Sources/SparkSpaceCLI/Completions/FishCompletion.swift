import SparkSpace

/// A fish script: `complete` lines whose conditions ask a helper that walks the
/// words before the cursor the way the parser does. fish itself completes the
/// values of options (`-a` of the option's line).
struct FishCompletion {
    let root: CommandSpec

    var script: String {
        ([header, helpers, subcommandsFunction, takesValueFunction, settingFunction, declarations,
          "complete -c spark-space -f", ""]
            + root.descendants.map(lines) + ["# Global options.", globalOptions.map { optionLine($0, path: "") }.joined(separator: "\n"), ""])
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

    /// A command's rows of the tables the functions in `declarations` read.
    private func lines(_ command: CommandSpec) -> String {
        let words = command.pathWords.joined(separator: " ")
        var lines = ["# spark-space \(words)".trimmingSpaces()]
        lines += command.subcommands.map { row("__spark_space_subcommand", [words, $0.name, $0.summary]) }
        lines += command.options.map { optionLine($0, path: words) }
        lines += argumentLines(command)
        return lines.count == 1 ? "" : (lines + [""]).joined(separator: "\n")
    }

    /// `function 'a' 'b'...`: one row of a table, every field quoted.
    private func row(_ function: String, _ fields: [String]) -> String {
        ([function] + fields.map(fishQuoted)).joined(separator: " ")
    }

    /// A global option's path is '' (no condition): the root has no options of its own.
    private func optionLine(_ option: OptionSpec, path: String) -> String {
        row("__spark_space_option", [path, option.short.map(String.init) ?? "", option.long,
                                     option.value == nil ? ":flag" : valueCompletion(option.completion), option.help])
    }

    private func argumentLines(_ command: CommandSpec) -> [String] {
        command.arguments.enumerated().compactMap { index, argument in
            guard argument.completion != .none else { return nil }
            // A variadic argument completes at its index and every one after.
            let position = argument.variadic ? "\(index)+" : "\(index)"
            return row("__spark_space_argument_values",
                       [command.pathWords.joined(separator: " "), position, valueCompletion(argument.completion)])
        }
    }

    /// How a value completes, for the table: `:text` (anything, no files), `:file`, or the
    /// words (or command substitution) for `complete -a`. fishWord quotes a `:`, so no word
    /// list can read `:text` or `:file`.
    private func valueCompletion(_ completion: ValueCompletion) -> String {
        switch completion {
        case .none: return ":text"
        case .file: return ":file"
        case .directory: return "(__fish_complete_directories (commandline -ct))"
        case .room: return "(__spark_space_room_titles)"
        case .profile: return "(__spark_space_profiles)"
        case .command: return "(__spark_space_commands)"
        case .choices(let values): return values.map(fishWord).joined(separator: " ")
        }
    }

    /// The functions that declare the `complete` lines from the tables' rows.
    private var declarations: String {
        """
        # Declares subcommand $argv[2] of command path $argv[1], described as $argv[3].
        function __spark_space_subcommand
            complete -c spark-space -n "__spark_space_needs_command $argv[1]" -a $argv[2] -d $argv[3]
        end

        # Declares option -$argv[2] (none when '') --$argv[3] of command path $argv[1] ('' for
        # a global option): its value completes as $argv[4] (:flag when it takes none, :text
        # any text, :file a file, else the words for -a), $argv[5] describes it.
        function __spark_space_option
            set -l flags -l $argv[3] -d $argv[5]
            test -n "$argv[1]"; and set -a flags -n "__spark_space_in $argv[1]"
            test -n "$argv[2]"; and set -a flags -s $argv[2]
            switch $argv[4]
                case :flag
                case :text
                    set -a flags -x
                case :file
                    set -a flags -r -F
                case '*'
                    set -a flags -x -a $argv[4]
            end
            complete -c spark-space $flags
        end

        # Declares how argument $argv[2] (from 0; "2+" is 2 or later) of command path
        # $argv[1] completes: $argv[3] is :file, or the words for -a.
        function __spark_space_argument_values
            set -l condition "__spark_space_argument $argv[2] $argv[1]"
            if test "$argv[3]" = :file
                complete -c spark-space -n $condition -F
            else
                complete -c spark-space -n $condition -a $argv[3]
            end
        end

        """
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
