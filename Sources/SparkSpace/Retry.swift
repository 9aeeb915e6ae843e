#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Waits. Injected so tests can run retry schedules without sleeping.
public protocol Sleeper: AnyObject {
    func sleep(seconds: Double)
}

/// Sleeps for real.
public final class SystemSleeper: Sleeper {
    public init() {}
    public func sleep(seconds: Double) {
        sleepThread(seconds: seconds)
    }
}

/// The time one command may still spend waiting on 429/423 `Retry-After`,
/// shared by every request (and thread) of that command.
public final class WaitBudget: @unchecked Sendable {
    private let lock = ThreadLock()
    private var remaining: Double

    public init(seconds: Double) { remaining = seconds }

    /// Takes `seconds` from the budget; false (and nothing taken) when that would overspend it.
    public func take(_ seconds: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard seconds <= remaining else { return false }
        remaining -= seconds
        return true
    }
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
    /// Stop: the retry schedule or the wait budget is spent (exit 6).
    case giveUp(String)
}

/// The retry rules of SPEC "Network behaviour" (seed `retry`), as a pure function.
public struct RetryPolicy: Sendable {
    /// Delays between attempts for network errors and 5xx; default 0.1 s, 1 s, 5 s.
    public var delays: [Double]
    /// The wait used when `Retry-After` is missing or malformed.
    public var defaultRetryAfter: Double = 15

    public init(delays: [Double] = [0.1, 1, 5]) { self.delays = delays }

    /// Decides after a failed attempt. `retries` counts the schedule steps already used.
    public func decide(method: String, outcome: AttemptOutcome, retries: Int, budget: WaitBudget) -> RetryDecision {
        let isPost = method == "POST"
        switch outcome {
        case .status(let status, let retryAfter) where status == 429 || status == 423:
            let wait = Self.retryAfterSeconds(retryAfter) ?? defaultRetryAfter
            guard budget.take(wait) else {
                return .giveUp("gave up: the API asked to wait \(Self.format(wait)) s more (\(status)), past --max-wait")
            }
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
            case .aborted: return .fail
            }
        }
    }

    private func scheduled(_ retries: Int, what: String) -> RetryDecision {
        guard retries < delays.count else {
            return .giveUp("gave up after \(retries + 1) attempts: \(what)")
        }
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

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : fixed(seconds, digits: 1)
    }
}
