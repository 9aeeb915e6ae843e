import MockWebex
import XCTest
@testable import SparkSpaceCLI

/// Seeded random argument vectors against the parser, in process: every one
/// ends in a parse or a usage error, never a trap.
final class ArgvFuzzTests: XCTestCase {
    /// Words the table knows, mutated words, and junk.
    func vocabulary() -> [String] {
        var words = ["-", "--", "-o", "--output=", "=", "-qv", "-ojson", "--json=1", "", " ", "\u{0}", "é", "--=x",
                     "x@y.com", "-1", "0", "99999999999999999999", "--help", "-h", "--version"]
        func visit(_ command: CommandSpec) {
            words.append(command.name)
            words.append(String(command.name.dropLast()))
            for option in command.options + globalOptions {
                words += ["--\(option.long)", "--\(option.long)=v", "--\(option.long)="]
                if let short = option.short { words.append("-\(short)") }
                words += option.choices ?? []
            }
            command.subcommands.forEach(visit)
        }
        visit(rootCommand)
        return words
    }

    func testRandomArgumentVectorsNeverTrap() {
        var rng = SplitMix64(state: 20261125)
        let words = vocabulary()
        var codes: [Int32: Int] = [:]
        for _ in 0..<5000 {
            let count = Int.random(in: 0...7, using: &rng)
            let argv = (0..<count).map { _ -> String in
                if Int.random(in: 0..<10, using: &rng) == 0 {
                    return String((0..<Int.random(in: 0...6, using: &rng)).map { _ in
                        Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &rng)))
                    })
                }
                return words.randomElement(using: &rng)!
            }
            let code: Int32
            do {
                let parsed = try Parser().parse(argv)
                try checkArguments(parsed)
                try checkValues(parsed)
                code = 0
            } catch {
                code = ExitCode.of(error)
            }
            XCTAssertTrue((0...6).contains(code), "\(argv) → \(code)")
            codes[code, default: 0] += 1
        }
        // Both outcomes must occur, or the generator tests nothing.
        XCTAssertGreaterThan(codes[0, default: 0], 100)
        XCTAssertGreaterThan(codes[2, default: 0], 100)
    }
}
