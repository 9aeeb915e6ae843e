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

/// Waits. Injected so tests can run retry schedules without sleeping.
public protocol Sleeper: AnyObject {
    /// Waits `seconds` (a fraction is allowed); a test's sleeper may only record it.
    func sleep(seconds: Double)
}

/// Sleeps for real.
public final class SystemSleeper: Sleeper {
    /// A sleeper of the real clock.
    public init() {}
    /// Sleeps for `seconds`.
    public func sleep(seconds: Double) {
        sleepThread(seconds: seconds)
    }
}

/// The time one command may still spend waiting on 429/423 `Retry-After`, shared by every
/// request (and thread) of that command, counted on the wall clock (SPEC `--max-wait`): waits
/// that overlap in time spend the overlap once (twelve 3 s waits begun together cost 3 s, not 36).
public final class WaitBudget: @unchecked Sendable {
    private let lock = ThreadLock()
    private var left: Double
    /// Until when (on `now`'s clock) the waits in progress run: a new wait pays only past it.
    private var coveredUntil = -Double.infinity
    /// Waits taken and not yet ended (`ended()`): once none is left, nothing is covered (a
    /// sleeper that does not really sleep, in tests, then pays each wait in full).
    private var inProgress = 0
    private let now: @Sendable () -> Double

    /// - Parameter now: seconds on a monotonic clock (tests give their own).
    public init(seconds: Double, now: @escaping @Sendable () -> Double = monotonicSeconds) {
        left = seconds
        self.now = now
    }

    /// What is left of the budget.
    public var remaining: Double {
        lock.lock()
        defer { lock.unlock() }
        return left
    }

    /// Takes a wait of `seconds` starting now: only the part of it that no wait in progress
    /// covers is spent. False (and nothing taken) when that part is more than is left. A wait
    /// taken is in progress until `ended()`.
    public func take(_ seconds: Double) -> Bool {
        take(seconds, then: { _ in })
    }

    /// As `take(_:)`, and tells `then` (holding the budget's lock, so notices come out in the
    /// order the waits were taken) what is left after this wait.
    public func take(_ seconds: Double, then tell: (Double) -> Void) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let start = now()
        let end = start + seconds
        let cost = max(0, end - max(start, coveredUntil))
        guard cost <= left else { return false }
        left -= cost
        coveredUntil = max(coveredUntil, end)
        inProgress += 1
        tell(left)
        return true
    }

    /// One wait granted by `take` is over (the caller slept it).
    public func ended() {
        lock.lock()
        defer { lock.unlock() }
        inProgress = max(0, inProgress - 1)
        if inProgress == 0 { coveredUntil = -Double.infinity }
    }
}

/// Seconds on the monotonic clock (never jumps with the wall-clock setting).
@Sendable public func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// What went wrong with one attempt.
public enum AttemptOutcome: Equatable {
    case status(Int, retryAfter: String?)
    case transport(TransportFailure.Kind)
}

/// What to do after a failed attempt.
public enum RetryDecision: Equatable {
    /// Try again after this many seconds.
    case retry(after: Double)
    /// Stop: the failure is final (4xx, or a POST that may have been received).
    case fail
    /// Stop: the API asked (`status` 429/423) to wait `wait` seconds, more than the budget has left.
    case waitBudgetSpent(status: Int, wait: Double)
    /// Stop: the retry schedule is spent after `attempts` attempts failing with `cause`.
    case retriesSpent(attempts: Int, cause: String)
}

/// The retry rules of SPEC "Network behaviour" (seed `retry`), as a pure function.
public struct RetryPolicy: Sendable {
    /// Delays between attempts for network errors and 5xx; default 0.1 s, 1 s, 5 s.
    public var delays: [Double]
    /// The wait used when `Retry-After` is missing or malformed.
    public var defaultRetryAfter: Double = 15

    /// Retries after `delays` (one attempt more than delays).
    public init(delays: [Double] = [0.1, 1, 5]) { self.delays = delays }

    /// The shortest wait after a 429/423, doubled for each earlier short wait of the same
    /// request: a server that keeps answering `Retry-After: 0` (or a past date) must not get
    /// a request loop, and its waits still use up `--max-wait`.
    public var minimumWait: Double = 1

    /// Decides after a failed attempt. `retries` counts the schedule steps already used;
    /// `shortWaits` the 429/423 answers of this request that asked for less than `minimumWait`.
    /// `waiting` hears of a wait taken from the budget (seconds, what is left), in the order taken.
    public func decide(method: RequestMethod, outcome: AttemptOutcome, retries: Int, budget: WaitBudget,
                       shortWaits: Int = 0, waiting: (Double, Double) -> Void = { _, _ in }) -> RetryDecision
    {
        let isPost = method == .post
        switch outcome {
        case .status(let status, let retryAfter) where Self.meansWait(status):
            let floor = minimumWait * Double(1 << min(max(shortWaits, 0), 30))
            let wait = max(waitAsked(retryAfter), floor)
            guard budget.take(wait, then: { waiting(wait, $0) }) else { return .waitBudgetSpent(status: status, wait: wait) }
            return .retry(after: wait)
        case .status(let status, _) where status >= 500:
            if isPost && status != 503 { return .fail }
            return scheduled(retries, what: "HTTP \(status)")
        case .status:
            return .fail
        case .transport(let kind):
            switch kind {
            case .notConnected: return scheduled(retries, what: "could not connect")
            case .timedOut, .broken: return isPost ? .fail : scheduled(retries, what: "network error")
            case .aborted, .permanent: return .fail
            }
        }
    }

    /// The statuses that ask the client to wait and try again (`Retry-After`): 429 Too Many
    /// Requests, and 423 Locked (a file still being scanned). The one rule of which statuses mean wait.
    public static func meansWait(_ status: Int) -> Bool { status == 429 || status == 423 }

    /// The wait a 429/423 asks for: its `Retry-After`, else `defaultRetryAfter`.
    public func waitAsked(_ retryAfter: String?) -> Double {
        Self.retryAfterSeconds(retryAfter) ?? defaultRetryAfter
    }

    private func scheduled(_ retries: Int, what: String) -> RetryDecision {
        guard retries < delays.count else { return .retriesSpent(attempts: retries + 1, cause: what) }
        return .retry(after: delays[retries])
    }

    /// Seconds from a `Retry-After` value (delta seconds or an HTTP date); nil when malformed.
    public static func retryAfterSeconds(_ value: String?, now: Date = Date()) -> Double? {
        guard let text = value?.trimmingSpaces(), !text.isEmpty else { return nil }
        if let seconds = Double(text) {
            return seconds.isFinite && seconds >= 0 ? seconds : nil
        }
        guard let seconds = httpDateSeconds(text) else { return nil }
        return max(0, seconds - now.timeIntervalSince1970)
    }

    /// `15`, `1.5`; a huge wait (`Retry-After: 1e19`) as `1e+19`: `Int()` would trap on it.
    static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(seconds)" }
        return seconds == seconds.rounded() ? String(Int(seconds)) : fixed(seconds, digits: 1)
    }
}
