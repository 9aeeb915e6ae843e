#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SparkSpace
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A usage error: exit 2.
public struct UsageError: Error, CustomStringConvertible {
    public var message: String
    /// The command whose usage line is worth showing.
    public var command: CommandSpec?

    public init(_ message: String, command: CommandSpec? = nil) {
        self.message = message
        self.command = command
    }

    public var description: String { message }
}

/// A parsed command line: which command, its options and positionals.
public struct ParsedCommand {
    public var command: CommandSpec
    /// Option values by long name; a flag has one empty string per use.
    public var values: [String: [String]] = [:]
    public var positionals: [String] = []
    public var wantsHelp: Bool { values["help"] != nil }
    public var wantsVersion: Bool { values["version"] != nil }

    public func has(_ name: String) -> Bool { values[name] != nil }
    /// The last value given for `name`.
    public func value(_ name: String) -> String? { values[name]?.last }
    public func all(_ name: String) -> [String] { values[name] ?? [] }
}

/// Parses argv with the command table: global options anywhere, `--opt value`,
/// `--opt=value`, short flags (`-qv`, `-o json`, `-ojson`), `--` ending options.
public struct Parser {
    public let root: CommandSpec

    public init(root: CommandSpec = rootCommand) { self.root = root }

    public func parse(_ arguments: [String]) throws -> ParsedCommand {
        var parsed = ParsedCommand(command: root)
        var index = 0
        var optionsEnded = false
        func take(_ option: OptionSpec, inline: String?) throws {
            guard option.value != nil else {
                if inline != nil { throw UsageError("--\(option.long) takes no value", command: parsed.command) }
                parsed.values[option.long, default: []].append("")
                // `--json` is `-o json` where it stands (SPEC), so the last of them wins.
                if option.long == OptionSpec.json.long { parsed.values[OptionSpec.output.long, default: []].append("json") }
                return
            }
            var value = inline
            if value == nil {
                index += 1
                guard index < arguments.count else {
                    throw UsageError("--\(option.long) needs a value (\(option.value!))", command: parsed.command)
                }
                value = arguments[index]
            }
            if let choices = option.choices, !choices.contains(value!) {
                throw UsageError("--\(option.long) must be one of \(choices.joined(separator: ", ")), not '\(value!)'"
                    + hint(value!, among: choices), command: parsed.command)
            }
            parsed.values[option.long, default: []].append(value!)
        }
        while index < arguments.count {
            let arg = arguments[index]
            if optionsEnded || arg == "-" || !arg.hasPrefix("-") {
                try positional(arg, into: &parsed)
            } else if arg == "--" {
                optionsEnded = true
            } else if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                try take(try option(long: name, in: parsed.command), inline: inline)
            } else {
                try shortOptions(arg, command: parsed.command, take: take)
            }
            index += 1
        }
        return parsed
    }

    private func shortOptions(
        _ arg: String, command: CommandSpec, take: (OptionSpec, String?) throws -> Void
    ) throws {
        var letters = Substring(arg.dropFirst())
        while let letter = letters.first {
            letters = letters.dropFirst()
            let option = try self.option(short: letter, in: command)
            if option.value != nil {
                try take(option, letters.isEmpty ? nil : String(letters))
                return
            }
            try take(option, nil)
        }
    }

    private func positional(_ arg: String, into parsed: inout ParsedCommand) throws {
        let command = parsed.command
        // After `--` too: what follows it is the command and its positionals (SPEC "Invocation").
        if !command.subcommands.isEmpty && parsed.positionals.isEmpty {
            guard let sub = command.subcommand(arg) else {
                let what = command.isRoot ? "unknown command '\(arg)'" : "unknown command '\(command.path) \(arg)'"
                throw UsageError(what + hint(arg, among: command.subcommands.map(\.name)), command: command)
            }
            parsed.command = sub
            return
        }
        parsed.positionals.append(arg)
    }

    /// Options a command accepts: its own, then the global ones.
    func options(of command: CommandSpec) -> [OptionSpec] { command.options + globalOptions }

    private func option(long name: String, in command: CommandSpec) throws -> OptionSpec {
        if let found = options(of: command).first(where: { $0.long == name }) { return found }
        let names = options(of: command).map(\.long)
        throw UsageError("unknown flag '--\(name)'" + where_(command)
            + hint(name, among: names, prefix: "--"), command: command)
    }

    private func option(short letter: Character, in command: CommandSpec) throws -> OptionSpec {
        if let found = options(of: command).first(where: { $0.short == letter }) { return found }
        throw UsageError("unknown flag '-\(letter)'" + where_(command), command: command)
    }

    private func where_(_ command: CommandSpec) -> String {
        command.isRoot ? "" : " for '\(command.path)'"
    }
}

/// `--room ROOM` is the same as the positional ROOM (SPEC "Invocation"): for a command whose
/// first argument is a required ROOM (`rooms rename`, `rooms delete`) it becomes that argument.
/// Commands with an optional ROOM read `--room` through the settings (`space.room`).
func applyingRoomOption(_ parsed: ParsedCommand) throws -> ParsedCommand {
    guard let room = parsed.value(OptionSpec.room.long), let first = parsed.command.arguments.first,
          first.name == "ROOM", !first.optional else { return parsed }
    guard parsed.positionals.count < parsed.command.arguments.count else {
        throw UsageError("give ROOM either as an argument or with --room, not both", command: parsed.command)
    }
    var result = parsed
    result.positionals.insert(room, at: 0)
    return result
}

/// Checks the positionals against the command's argument specs.
func checkArguments(_ parsed: ParsedCommand) throws {
    let specs = parsed.command.arguments
    let required = specs.filter { !$0.optional }.count
    let variadic = specs.contains { $0.variadic }
    if parsed.positionals.count < required {
        let missing = specs.filter { !$0.optional }.map(\.name).dropFirst(parsed.positionals.count)
        throw UsageError("missing \(missing.joined(separator: " ")) for '\(parsed.command.path)'",
                         command: parsed.command)
    }
    if !variadic && parsed.positionals.count > specs.count {
        let extra = parsed.positionals[specs.count]
        throw UsageError("unexpected argument '\(extra)' for '\(parsed.command.path)'", command: parsed.command)
    }
}

/// Checks every option value against its kind (`ValueKind`): a number that is not one or is out
/// of range is one usage line naming the option, the range and the value, before the command
/// runs. After `--help` and `--version`, which need no values.
func checkValues(_ parsed: ParsedCommand) throws {
    for option in Parser().options(of: parsed.command) {
        for text in parsed.all(option.long) {
            guard let wanted = unmet(option.kind, by: text) else { continue }
            throw UsageError("--\(option.long) takes \(wanted), not '\(text)'", command: parsed.command)
        }
    }
}

/// What `kind` asks for when `text` is not it (nil: `text` is fine). Ranges keep every later
/// conversion (`Int(seconds * 1000)` for curl) from trapping.
func unmet(_ kind: ValueKind, by text: String) -> String? {
    switch kind {
    case .string, .path, .choice:
        return nil  // choices are checked while parsing
    case .int(let range, let described):
        if let number = Int(text), range.contains(number) { return nil }
        if let described { return described }
        return range.upperBound == Int.max ? "a whole number ≥ \(range.lowerBound)"
            : "a whole number from \(range.lowerBound) to \(range.upperBound)"
    case .double(let range):
        if let number = Double(text), number.isFinite, range.contains(number) { return nil }
        return "a number from \(bound(range.lowerBound)) to \(bound(range.upperBound))"
    case .duration(let range):
        if let number = Double(text), number.isFinite, range.contains(number) { return nil }
        return "a number of seconds from \(bound(range.lowerBound)) to \(bound(range.upperBound))"
    }
}

/// `60`, `0.001`: a range bound as the user would type it.
private func bound(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}

/// `; did you mean 'rooms'?` when a known word is close to what was typed.
func hint(_ typed: String, among words: [String], prefix: String = "") -> String {
    let best = words.map { ($0, editDistance(typed.lowercased(), $0.lowercased())) }
        .filter { $0.1 <= max(2, typed.count / 3) || $0.0.hasPrefix(typed) }
        .min { $0.1 < $1.1 }
    return best.map { "; did you mean '\(prefix)\($0.0)'?" } ?? ""
}
