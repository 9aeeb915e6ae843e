#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SparkSpace

/// Exit codes of SPEC "Exit codes". Every error is mapped here and nowhere else.
public enum ExitCode {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let auth: Int32 = 3
    public static let notFound: Int32 = 4
    public static let conflict: Int32 = 5
    public static let gaveUp: Int32 = 6
    /// `provision --check`: the spaces differ from the manifest.
    public static let differs: Int32 = 7
    public static let interrupted: Int32 = 130

    /// The exit code for an error thrown by a command.
    public static func of(_ error: Error) -> Int32 {
        switch error {
        case is OutputClosed: return success
        // SPEC: Ctrl-C is 130, also for a listener that stopped cleanly; SIGTERM is how
        // service managers stop one, and a clean stop then is a success.
        case let stopped as StoppedBySignal: return stopped.signal == SIGINT ? interrupted : success
        case is UsageError: return usage
        case is Declined: return failure
        case is PlanNotEmpty: return differs
        case let failed as PartialFailure: return failed.code
        case let hinted as HintedError: return of(hinted.underlying)
        case let spark as SparkError: return of(spark)
        default: return failure
        }
    }

    static func of(_ error: SparkError) -> Int32 {
        switch error {
        case .api(let f):
            switch f.status {
            case 401, 403: return auth
            case 404, 410: return notFound
            case 409: return conflict
            default: return failure
            }
        case .transport, .io: return failure
        case .gaveUp: return gaveUp
        case .invalidInput, .settings: return usage
        case .unauthenticated: return auth
        case .notFound: return notFound
        case .conflict: return conflict
        case .interrupted: return interrupted
        }
    }

    /// One code for several failed items: theirs when they agree, else 1.
    public static func combined(_ errors: [Error]) -> Int32 {
        let codes = Set(errors.map(of))
        return codes.count == 1 ? codes.first! : failure
    }
}

/// A command (`listen`) that stopped cleanly on a signal; nothing to report.
struct StoppedBySignal: Error {
    var signal: Int32
}

/// A confirmation answered other than yes: nothing was done (SPEC: exit 1).
struct Declined: Error, CustomStringConvertible {
    var description: String { "not confirmed; nothing done" }
}

/// Some items of a bulk command failed (already reported one by one).
struct PartialFailure: Error, CustomStringConvertible {
    var code: Int32
    var description: String
}

/// An error with a suggestion of what to do about it.
struct HintedError: Error, CustomStringConvertible {
    var underlying: Error
    var hint: String
    var description: String { "\(underlying)" }
}
