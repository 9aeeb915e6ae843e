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

/// Exit codes of SPEC "Exit codes". Every error is mapped here and nowhere else, and
/// `table` is the one list of codes with their meaning (the man page's EXIT STATUS).
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
    /// `wait`, `post --wait`: `--within` passed before the awaited event.
    public static let withinPassed: Int32 = 8
    public static let interrupted: Int32 = 130

    /// Every exit code and what it means, in order (plain text; `--flag` words show in bold in the man page).
    static let table: [(code: Int32, meaning: String)] = [
        (success, "Success."),
        (failure, "An API or I/O error not listed below, or several items failed for different reasons."),
        (usage, "Usage error: unknown command or flag, missing or bad argument, unusable local input "
            + "(missing file, a directory, text over 7439 bytes, a file over 100 MB, bad settings)."),
        (auth, "Authentication or permission: HTTP 401 or 403, or no token."),
        (notFound, "Not found: HTTP 404 or 410, no room with that title, unknown team."),
        (conflict, "Conflict: HTTP 409, an ambiguous title, a file that exists without --force, an archive another run is writing."),
        (gaveUp, "Gave up: retries spent (network errors, 5xx) or --max-wait passed while rate-limited (429)."),
        (differs, "provision --check: the spaces differ from the manifest (nothing written)."),
        (withinPassed, "wait, post --wait: --within passed before the awaited event (nothing on stdout)."),
        (interrupted, "Interrupted (Ctrl-C); 128+N on \(signalList) (partial downloads are removed first)."),
    ]

    /// The signals besides SIGINT that end the tool with 128+N after removing partial downloads
    /// (`installSignalHandlers`): those that end a process by default, SIGQUIT, SIGXCPU and SIGXFSZ
    /// included (by default they would dump a core and leave a `.part` behind).
    static let endingSignals: [(number: Int32, name: String)] = [
        (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP"), (SIGUSR1, "SIGUSR1"), (SIGUSR2, "SIGUSR2"), (SIGALRM, "SIGALRM"),
        (SIGQUIT, "SIGQUIT"), (SIGXCPU, "SIGXCPU"), (SIGXFSZ, "SIGXFSZ"),
    ]

    /// "SIGTERM, SIGHUP, ... or SIGXFSZ".
    private static var signalList: String {
        let names = endingSignals.map(\.name)
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }

    /// The exit code for an error thrown by a command.
    public static func of(_ error: Error) -> Int32 {
        switch error {
        case is OutputClosed: return success
        // SPEC: Ctrl-C is 130, also for a listener that stopped cleanly; SIGTERM is how
        // service managers stop one, and a clean stop then is a success.
        case let stopped as StoppedBySignal:
            if stopped.signal == SIGINT { return interrupted }
            return stopped.termIsSuccess ? success : 128 + stopped.signal
        case is UsageError: return usage
        case is Declined: return failure
        case is PlanNotEmpty: return differs
        case is WithinPassed: return withinPassed
        case let socket as EventSocketError: return of(socket)
        case let failed as PartialFailure: return failed.code
        case let reported as AlreadyReported: return reported.code
        case let hinted as HintedError: return of(hinted.underlying)
        case let spark as SparkError: return of(spark)
        default: return failure
        }
    }

    static func of(_ error: SparkError) -> Int32 {
        switch error {
        case .api(let f): return of(status: f.status)
        case .transport, .io: return failure
        case .waitBudgetSpent, .retriesSpent: return gaveUp
        case .invalidInput, .settings, .noRoom, .textTooLong, .invalidMessage: return usage
        case .missingToken: return auth
        case .notFound: return notFound
        case .ambiguous, .fileExists, .alreadyInTeam, .inUse: return conflict
        case .interrupted: return interrupted
        case .signIn(let problem): return of(problem)
        }
    }

    /// The code of a sign-in problem (SPEC "Signing in"): refused → 3; an expired code → 1.
    static func of(_ problem: SignInProblem) -> Int32 {
        switch problem {
        case .denied, .refreshRefused, .credentialsExposed, .clientRefused, .notSignedIn: return auth
        case .noIntegration: return usage
        case .codeExpired, .credentialsUnusable, .grantFailed: return failure
        }
    }

    /// Webex's websocket close codes (SPEC "Events without a public URL"): 4400, 4401 and
    /// 4403 are authorization; the device cap and another client taking the device are 1.
    static func of(_ error: EventSocketError) -> Int32 {
        switch error {
        case .closed(let code, _): return [4400, 4401, 4403].contains(code) ? auth : failure
        case .deviceLimit, .discovery: return failure
        }
    }

    /// The code of an API error status.
    static func of(status: Int) -> Int32 {
        switch status {
        case 401, 403: return auth
        case 404, 410: return notFound
        case 409: return conflict
        default: return failure
        }
    }

    /// One code for several failed items: theirs when they agree, else 1.
    public static func combined(_ errors: [Error]) -> Int32 {
        let codes = Set(errors.map(of))
        return codes.count == 1 ? codes.first! : failure
    }
}

/// A command that stopped cleanly on a signal; nothing to report. For `listen` a SIGTERM is how
/// a service manager stops it (success); for `wait` it is a CI step cancelled, never an answer.
struct StoppedBySignal: Error {
    var signal: Int32
    var termIsSuccess: Bool
}

/// An error already said on stderr (by a queue that never blocks): only its exit code is left.
struct AlreadyReported: Error {
    var code: Int32
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
    var description: String { errorText(underlying) }
}

/// How an error reads on the command line (after `spark-space: error: `): the library's own
/// wording, except where the library could only name an input and the command line names
/// the flag that gives it (`--max-wait`, `--room`, `--token-file`, `--force`, `--text`...).
func errorText(_ error: Error) -> String {
    guard let spark = error as? SparkError else { return "\(error)" }
    switch spark {
    case .waitBudgetSpent(let method, let path, let status, let wait):
        return "\(method) \(path): " + SparkError.waitGaveUp(status: status, wait: wait) + ", past --max-wait"
    case .missingToken(.bot):
        return "no bot token: use --token-file FILE, space.token in the settings file, or CISCO_SPARK_BOT_TOKEN"
    case .missingToken(.audit):
        return "no audit token: use --audit-token-file FILE, space.audit_token in the settings file, "
            + "or CISCO_SPARK_AUDIT_TOKEN, or sign in with `spark-space auth login`"
    case .noRoom: return "no room given: name one as ROOM, with --room, or in space.room / $CHAT_ROOM_TITLE"
    case .fileExists(let path): return "\(path) exists (use --force to overwrite it)"
    case .textTooLong(let part, let length, let limit):
        return "\(flag(part)) is \(length) bytes; Webex takes at most \(limit)"
    case .invalidMessage(let problem): return messageProblemText(problem)
    case .signIn(let problem): return signInProblemText(problem)
    default: return spark.description
    }
}

/// A sign-in problem worded with the commands and flags that solve it.
private func signInProblemText(_ problem: SignInProblem) -> String {
    switch problem {
    case .noIntegration(let missing):
        return "no \(missing) to sign in with: create an integration on developer.webex.com (My Webex Apps → "
            + "Create a New App → Integration, with the device grant's redirect URIs; see the guide, "
            + "\"Signing in\"), then give --client-id ID and --client-secret-file FILE, or set oauth.client_id "
            + "and oauth.client_secret (or SPARK_OAUTH_CLIENT_ID and SPARK_OAUTH_CLIENT_SECRET)"
    case .refreshRefused(let profile), .notSignedIn(let profile):
        let named = profile == CredentialsStore.defaultProfile
        let login = named ? "spark-space auth login" : "spark-space --profile \(printable(profile)) auth login"
        let of = named ? "" : " of profile '\(printable(profile))'"
        let what = problem == .notSignedIn(profile: profile)
            ? "no stored sign-in\(of)"
            : "the sign-in\(of) can no longer be refreshed (Webex refused its refresh token)"
        return "\(what); run `\(login)` again"
    case .codeExpired: return "the code expired before it was approved; run `spark-space auth login` again"
    default: return problem.description
    }
}

/// The flag of `post` / `messages edit` that gives a part of a message.
private func flag(_ part: MessagePart) -> String { "--" + part.rawValue }

/// A message problem worded with the flags of `post` and `messages edit` (the library's one wording).
private func messageProblemText(_ problem: MessageProblem) -> String { problem.text(naming: flag) }
