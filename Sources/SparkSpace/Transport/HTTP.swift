#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Response headers, looked up without regard to case.
public struct HTTPHeaders: Sendable, Equatable {
    /// The header fields, in order.
    public private(set) var fields: [(name: String, value: String)] = []

    /// Headers made of `fields`.
    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// Adds a field (a repeated name keeps both).
    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Equal when the same fields, names case-insensitively, come in the same order.
    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.map { "\($0.name.lowercased()):\($0.value)" } == b.fields.map { "\($0.name.lowercased()):\($0.value)" }
    }
}

/// One part of a `multipart/form-data` body.
public enum MultipartPart: Sendable, Equatable {
    case field(name: String, value: String)
    /// A file streamed from disk while it is sent, never read whole into memory.
    case file(name: String, path: String, fileName: String, contentType: String)
}

/// What a request carries.
public enum HTTPBody: Sendable, Equatable {
    case none
    case json([UInt8])
    case multipart([MultipartPart])
    /// `application/x-www-form-urlencoded` bytes (the OAuth endpoints take nothing else).
    case form([UInt8])
}

/// A method of an HTTP request (`.post`, not `"POST"`). Printed as the wire name (`POST`).
public enum RequestMethod: String, Sendable, CaseIterable, CustomStringConvertible {
    case get = "GET", head = "HEAD", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"

    /// GET and HEAD change nothing: a dry run sends them, and any failure of theirs may be retried.
    public var isRead: Bool { self == .get || self == .head }

    /// The name on the wire: `GET`, `POST`.
    public var description: String { rawValue }
}

/// One HTTP request, as the transport sends it.
public struct HTTPRequest: Sendable {
    /// The method.
    public var method: RequestMethod
    /// The full URL.
    public var url: String
    /// The header fields.
    public var headers: [(String, String)] = []
    /// The body.
    public var body: HTTPBody = .none
    /// Told the status and headers of the final response as soon as they are in, before its
    /// body: a download can name its file (Content-Disposition) while the bytes still arrive.
    public var onHead: ResponseHeadHandler?
}

extension HTTPRequest {
    /// A request with no header fields and no body (set them after). An init here, not in the type,
    /// keeps the memberwise one for the library.
    public init(method: RequestMethod, url: String) {
        self.method = method
        self.url = url
    }
}

/// An HTTP response. When the request was given a body sink, a 2xx body went there
/// and `body` is empty; error bodies are always kept here for their message.
public struct HTTPResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The response headers.
    public var headers: HTTPHeaders
    /// The body (empty when it went to a sink).
    public var body: [UInt8]

    /// A response.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A request that got no HTTP answer.
public struct TransportFailure: Error, Equatable, Sendable {
    /// How the request failed, which decides whether it may be retried.
    public enum Kind: Sendable, Equatable {
        /// Nothing reached the server (refused, unresolvable): safe to retry any method.
        case notConnected
        /// No bytes moved for longer than the timeout.
        case timedOut
        /// The connection broke after the request was sent.
        case broken
        /// The body sink refused the data (disk full, closed output).
        case aborted
        /// Nothing a retry can change: a rejected certificate, a malformed URL, a scheme other than HTTP(S).
        case permanent
    }

    /// How it failed.
    public var kind: Kind
    /// What the network layer said.
    public var message: String

    /// A failure of `kind`.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Receives the bytes of a successful response body as they arrive.
public typealias BodySink = (UnsafeRawBufferPointer) throws -> Void

/// The status and headers of a response, before its body.
public typealias ResponseHeadHandler = @Sendable (_ status: Int, _ headers: HTTPHeaders) -> Void

/// Progress of a transfer: bytes received so far and the expected total (0 when unknown).
public typealias ProgressHandler = (_ received: Int64, _ total: Int64) -> Void

/// Sends HTTP requests. `CurlTransport` is the real one; unit tests may supply another.
public protocol HTTPTransport: AnyObject {
    /// Sends `request` and returns the answer, whatever its status; throws `TransportFailure` when no
    /// answer came (or what `sink` threw). With `sink`, a 2xx body goes to it as it arrives instead of
    /// into the response's body (an error status keeps its body). `progress` hears, with a sink, that
    /// body's bytes received; without one, an upload's bytes sent.
    func perform(_ request: HTTPRequest, sink: BodySink?, progress: ProgressHandler?) throws -> HTTPResponse
}
