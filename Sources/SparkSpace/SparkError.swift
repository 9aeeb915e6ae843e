#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything that can go wrong in the core, typed so the command line can map
/// each case to one exit code in one place.
public enum SparkError: Error, Equatable {
    /// The API answered with an error status.
    case api(APIFailure)
    /// The request never got an answer: connection refused, reset, timed out.
    case transport(method: String, path: String, reason: String)
    /// Retries were spent (network, 5xx) or `--max-wait` passed (429).
    case gaveUp(String)
    /// Local input that cannot be used: a missing file, text over the limit.
    case invalidInput(String)
    /// No token was configured, or another authentication problem found locally.
    case unauthenticated(String)
    /// Something looked up by name was not found.
    case notFound(String)
    /// A name matched several things, or a file exists already.
    case conflict(String)
    /// Settings that cannot be used (bad file, unset `$VAR`).
    case settings(String)
    /// A local input/output failure (disk full, cannot write).
    case io(String)
    /// The operation was interrupted (Ctrl-C).
    case interrupted
}

/// An error status from the Webex API, with what the API said about it.
public struct APIFailure: Equatable, Sendable {
    public var method: String
    public var path: String
    public var status: Int
    public var message: String
    public var trackingId: String?

    public init(method: String, path: String, status: Int, message: String, trackingId: String?) {
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.trackingId = trackingId
    }
}

extension SparkError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .api(let f):
            var text = "\(f.method) \(f.path): \(f.status) \(f.message)"
            if let id = f.trackingId { text += " (trackingId \(id))" }
            return text
        case .transport(let method, let path, let reason): return "\(method) \(path): \(reason)"
        case .gaveUp(let s), .invalidInput(let s), .unauthenticated(let s), .notFound(let s),
            .conflict(let s), .settings(let s), .io(let s):
            return s
        case .interrupted: return "interrupted"
        }
    }
}

extension SparkError: LocalizedError {
    public var errorDescription: String? { description }
}
