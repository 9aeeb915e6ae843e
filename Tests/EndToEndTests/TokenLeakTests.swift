import Foundation
import MockWebex
import XCTest
@testable import SparkSpaceCLI

/// No token or secret in any stdout/stderr of any command, with `-v`, on success
/// and error paths alike. The command list comes from the command table, so a
/// new command is covered the day it is added.
final class TokenLeakTests: MockTestCase {
    let botToken = "LEAKCHECK-bot-token-0123456789abcdef"
    let auditToken = "LEAKCHECK-audit-token-fedcba9876543210"
    let secret = "LEAKCHECK-secret-5555"

    /// Every runnable command, as its words.
    func leafCommands(_ command: CommandSpec = rootCommand, prefix: [String] = []) -> [[String]] {
        if command.subcommands.isEmpty { return command.isRoot ? [] : [prefix] }
        return command.subcommands.flatMap { leafCommands($0, prefix: prefix + [$0.name]) }
    }

    /// Plausible arguments for a command's positionals.
    func arguments(for words: [String], room: String, url: String) -> [String] {
        var command = rootCommand
        for word in words { command = command.subcommand(word)! }
        return command.arguments.map { argument -> String in
            switch argument.name {
            case "ROOM": return room
            case "EMAIL": return "someone@example.com"
            case "URL": return url
            case "COMMAND": return "whoami"
            case "SHELL": return "bash"
            default: return "Leak check \(argument.name)"
            }
        }
    }

    /// The flags of `flags` that the command accepts.
    func accepted(_ flags: [String], by words: [String]) -> [String] {
        var command = rootCommand
        for word in words { command = command.subcommand(word)! }
        return flags.filter { flag in
            command.options.contains { "--\($0.long)" == flag || $0.short.map { "-\($0)" } == flag }
        }
    }

    func testNoCommandPrintsATokenOrSecret() throws {
        mock.addPerson(email: "leak-bot@example.com", displayName: "Leak Bot", token: botToken, isBot: true)
        mock.addPerson(email: "leak-audit@example.com", displayName: "Leak Audit", token: auditToken)
        let room = mock.addRoom(title: "Leak room", members: ["leak-bot@example.com", "leak-audit@example.com"])
        let url = mock.addContent(filename: "a.txt", data: Data("hello".utf8))
        let dir = NSTemporaryDirectory() + "leak-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let env = ["SPARK_API_URL": mock.baseURL, "CISCO_SPARK_BOT_TOKEN": botToken,
                   "CISCO_SPARK_AUDIT_TOKEN": auditToken, "SPARK_WEBHOOK_SECRET": secret]
        let skipped: Set<String> = ["listen"]  // a server: covered by its own tests
        var ran = 0
        // `auth token` prints the token on purpose (SPEC: the one exception); AuthTests scans the rest of `auth`.
        for words in leafCommands() where !skipped.contains(words[0]) && words != ["auth", "token"] {
            let args = words + arguments(for: words, room: room.id, url: url)
            // -d always: without it `attachments download` would save into the working directory.
            let into = accepted(["-d"], by: words).isEmpty ? [] : ["-d", dir]
            for extra in [["-v"] + accepted(["--yes", "--once", "--force", "--names"], by: words) + into, ["-v"] + into] {
                let r = try spark(args + extra, env: env, stdin: "", timeout: 30)
                for secretText in [botToken, auditToken, secret] {
                    XCTAssertFalse(r.stdout.contains(secretText) || r.stderr.contains(secretText),
                                   "\(args + extra) printed a secret:\n\(r.stdout)\n\(r.stderr)")
                }
                ran += 1
            }
            // And the error path: a token the API refuses.
            let bad = try spark(args + ["-v"] + into, env: env.merging(["CISCO_SPARK_BOT_TOKEN": botToken + "x"]) { $1 },
                                stdin: "", timeout: 30)
            XCTAssertFalse(bad.stdout.contains(botToken) || bad.stderr.contains(botToken), "\(args): \(bad.stderr)")
        }
        XCTAssertGreaterThanOrEqual(ran, 6)
    }
}
