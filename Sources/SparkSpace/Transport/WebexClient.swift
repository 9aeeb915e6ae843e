#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One logged HTTP exchange, for `-v`. Never holds a token.
public struct RequestLogEntry: Sendable {
    /// The method.
    public var method: RequestMethod
    /// Path and query relative to the API base (or the full URL elsewhere).
    public var path: String
    /// HTTP status, or nil when no answer came.
    public var status: Int?
    /// How long the attempt took.
    public var milliseconds: Int
    /// Why no status (a network error), when none came.
    public var note: String?
}

/// A write that `--dry-run` reported instead of sending: method, path (relative to the API
/// base) and the body as JSON, with any `secret` redacted. Never holds a token.
public struct PlannedWrite: Sendable {
    /// The method.
    public var method: RequestMethod
    /// The path, relative to the API base.
    public var path: String
    /// The body as JSON, `secret` redacted.
    public var body: JSON?

    /// `POST /rooms {"title":"Ops"}`: one line, the body compact.
    public var line: String {
        guard let body else { return "\(method) \(path)" }
        return "\(method) \(path) \(body.compactText)"
    }
}

/// The id a dry-run create returns in place of the one the API would have made.
public let dryRunId = "DRY-RUN"

/// What a client reports while it works, for the command line to show: each HTTP
/// exchange (`-v`), each wait the API asked for, each retry, each write a dry run did not
/// send, the progress of long work. The library never prints.
public enum ClientEvent: Sendable {
    /// One attempt ended (answered or not).
    case request(RequestLogEntry)
    /// Waiting `seconds` because the API asked to (429 Retry-After, 423 Locked);
    /// `budgetLeft` is what remains of `--max-wait` after this wait.
    case waiting(reason: String, seconds: Double, budgetLeft: Double)
    /// Retrying `method path` after `seconds` because of `cause` (a 5xx status, a network error).
    case retrying(method: RequestMethod, path: String, seconds: Double, cause: String)
    /// A write that was not sent because the client plans writes only (`--dry-run`).
    case plannedWrite(PlannedWrite)
    /// How far a transfer or a count has come.
    case progress(WorkProgress)
    /// Something the user should know about how the work goes (a fallback taken).
    case notice(String)
}

/// How far one piece of long work has come: the bytes of a transfer or the items of a walk.
public struct WorkProgress: Sendable, Equatable {
    /// What is counted.
    public enum Unit: Sendable, Equatable { case bytes, items }
    /// What is moving: a file name for a transfer, what is counted for items.
    public var label: String
    /// Bytes or items.
    public var unit: Unit
    /// How many so far.
    public var done: Int64
    /// The total when known (nil: unknown).
    public var total: Int64?

    /// Progress of `label`: `done` of `total` (nil: unknown).
    public init(label: String, unit: Unit, done: Int64, total: Int64?) {
        self.label = label
        self.unit = unit
        self.done = done
        self.total = total
    }
}

/// Where a client's token comes from: a fixed one, or a sign-in that refreshes itself.
public protocol TokenProvider: AnyObject {
    /// The token to send now.
    func token() throws -> String
    /// A token to use after `rejected` was answered 401; nil when there is none other.
    func refreshed(rejecting rejected: String) throws -> String?
}

/// What authenticates a request to the OAuth endpoints (`WebexClient.exchange`), in place of the token.
public enum RequestCredentials: Sendable, Equatable {
    /// The integration's id and secret as `Authorization: Basic` (RFC 6749 2.3.1): the device-grant poll.
    case basic(clientId: String, clientSecret: String)
    /// No `Authorization` header: the form carries what authenticates (the device authorize, a refresh).
    case inForm
}

/// A token given as is (a bot token, a personal access token): never refreshed.
public final class FixedToken: TokenProvider {
    let value: String
    /// The token `value`, used as is.
    public init(_ value: String) { self.value = value }
    /// The token given; never throws.
    public func token() throws -> String { value }
    /// Always nil: a fixed token has no other to offer after a 401.
    public func refreshed(rejecting rejected: String) throws -> String? { nil }
}

/// A decoded JSON response.
public struct JSONResponse {
    /// The decoded body.
    public var json: JSON
    /// The response headers (`Link` for paging).
    public var headers: HTTPHeaders
}

/// A Webex REST client for one token: builds URLs, authenticates, retries
/// (SPEC "Network behaviour") and turns error answers into `SparkError`.
public final class WebexClient {
    /// The API base URL.
    public let baseURL: String
    /// What sends requests.
    public let transport: HTTPTransport
    /// When to retry.
    public let policy: RetryPolicy
    /// The time left to wait on `Retry-After`, shared by the requests of one command.
    public let budget: WaitBudget
    /// What waits.
    public let sleeper: Sleeper
    /// Told of every attempt, wait, retry and planned write (`ClientEvent`); the command line shows them.
    public var observer: (@Sendable (ClientEvent) -> Void)?
    /// When true (`--dry-run`), every request that writes (not GET or HEAD) becomes a
    /// `.plannedWrite` event and is never sent; the caller gets a stand-in answer (see `plannedResponse`).
    public var dryRun = false
    /// Who this client is, named in every 401/403 (`bot (token from $CISCO_SPARK_BOT_TOKEN, ***abcd)`).
    public var identity: String?
    private let tokens: TokenProvider
    private let apiOrigin: String

    /// A client of the API at `baseURL` with `token`; retries by `policy`, waits within `budget` through `sleeper`.
    public convenience init(
        baseURL: String, token: String, transport: HTTPTransport, policy: RetryPolicy = RetryPolicy(),
        budget: WaitBudget = WaitBudget(seconds: 300), sleeper: Sleeper = SystemSleeper()
    ) {
        self.init(baseURL: baseURL, tokens: FixedToken(token), transport: transport, policy: policy, budget: budget,
                  sleeper: sleeper)
    }

    /// A client whose token comes from `tokens` (a sign-in that refreshes itself).
    public init(
        baseURL: String, tokens: TokenProvider, transport: HTTPTransport, policy: RetryPolicy = RetryPolicy(),
        budget: WaitBudget = WaitBudget(seconds: 300), sleeper: Sleeper = SystemSleeper()
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.tokens = tokens
        self.transport = transport
        self.policy = policy
        self.budget = budget
        self.sleeper = sleeper
        self.apiOrigin = Self.origin(of: baseURL) ?? baseURL
    }

    /// The token requests go with now (refreshed first when a sign-in's is due): for a
    /// connection made elsewhere (the websocket).
    public func currentToken() throws -> String { try tokens.token() }

    /// Refreshes the token after `rejected` was refused (the websocket's close 4401); nil when
    /// this client's token cannot be refreshed (a bot token, a personal access token).
    public func refreshToken(rejecting rejected: String) throws -> String? { try tokens.refreshed(rejecting: rejected) }

    // MARK: URLs

    /// The absolute URL of `path` (relative to the API base, or already absolute) with `query`.
    public func url(_ path: String, query: [(String, String)] = []) -> String {
        var url = path.contains("://") ? path : baseURL + "/" + path.drop { $0 == "/" }
        guard !query.isEmpty else { return url }
        url += url.contains("?") ? "&" : "?"
        url += query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return url
    }

    /// True when the token may be sent to `url`: the API host and what lies under it.
    public func mayAuthenticate(_ url: String) -> Bool {
        Self.origin(of: url) == apiOrigin
    }

    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased()
        else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }

    /// True when `text` has the characters of a Webex id (base64url, maybe padded).
    public static func hasIdSyntax(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95 || c == 61
        }
    }

    static func escape(_ text: String) -> String {
        percentEncoded(text)
    }

    private func logPath(_ url: String) -> String {
        url.hasPrefix(baseURL) ? String(url.dropFirst(baseURL.count)) : url
    }

    // MARK: Requests

    /// A transport progress handler that tells the observer how the transfer of `label()` goes
    /// (nil without an observer: curl then reports no progress at all). `label` is read at each
    /// report, so a download shows its name once the headers named it.
    public func progressReporter(_ label: @escaping () -> String) -> ProgressHandler? {
        guard let observer else { return nil }
        return { done, total in
            observer(.progress(WorkProgress(label: label(), unit: .bytes, done: done, total: total > 0 ? total : nil)))
        }
    }

    /// Sends a request with retries; returns a 2xx response or throws `SparkError`.
    /// `makeSink` is called once per attempt, so a retried download starts afresh.
    @discardableResult
    public func send(
        _ method: RequestMethod, _ path: String, query: [(String, String)] = [], body: HTTPBody = .none,
        makeSink: (() throws -> BodySink)? = nil, progress: ProgressHandler? = nil,
        onHead: ResponseHeadHandler? = nil
    ) throws -> HTTPResponse {
        let url = self.url(path, query: query)
        if dryRun && !method.isRead {
            // The one place that decides whether a write is sent (SPEC `--dry-run`).
            let planned = Self.planned(method, logPath(url), body)
            observer?(.plannedWrite(planned))
            return Self.plannedResponse(planned, path: path)
        }
        let authenticated = mayAuthenticate(url)
        var token = authenticated ? try tokens.token() : ""
        func headers(_ token: String) -> [(String, String)] {
            [("Accept", "application/json")] + (authenticated ? [("Authorization", "Bearer \(token)")] : [])
        }
        let request = HTTPRequest(method: method, url: url, headers: headers(token), body: body, onHead: onHead)
        var refreshed = false
        return try attempts(request, makeSink: makeSink, progress: progress, errorsAnswer: false) { request in
            // A token refused (401) is refreshed once and the request sent again once: Webex applied
            // nothing it answered 401, so even a POST is safe to send again.
            guard authenticated, !refreshed, let fresh = try tokens.refreshed(rejecting: token) else { return false }
            refreshed = true
            token = fresh
            request.headers = headers(fresh)
            return true
        }
    }

    /// Sends `form` to an OAuth endpoint (`device/authorize`, `device/token`, `access_token`) under
    /// the API base with `credentials` instead of the token, through the retries and waits of every
    /// request (429/423 `Retry-After` within the budget, 503 and connect failures by the schedule, the
    /// same events), and returns the final answer whatever its status: a 400, 401 or 428 is OAuth's
    /// answer (`authorization_pending`, `slow_down`, a denial, a refused refresh token) for the sign-in
    /// to read, not a failure to retry. Never planned by `dryRun` (signing in writes nothing to
    /// Webex); the form (secrets, codes) is never logged or put into an error.
    public func exchange(_ path: String, form: [(String, String)], credentials: RequestCredentials) throws
        -> HTTPResponse
    {
        let url = self.url(path)
        var headers = [("Accept", "application/json")]
        // The client's secret goes to the API's host only, as a token does.
        if case .basic(let id, let secret) = credentials, mayAuthenticate(url) {
            headers.append(("Authorization", "Basic " + Data((id + ":" + secret).utf8).base64EncodedString()))
        }
        let body = form.map { Self.escape($0.0) + "=" + Self.escape($0.1) }.joined(separator: "&")
        let request = HTTPRequest(method: .post, url: url, headers: headers, body: .form(Array(body.utf8)))
        return try attempts(request, makeSink: nil, progress: nil, errorsAnswer: true) { _ in false }
    }

    /// The attempts of one request: retried and waited as `policy` says. A 2xx is returned; a final
    /// error status is returned when `errorsAnswer`, else thrown. `renew` may change the request
    /// after a 401 and say whether to send it again.
    private func attempts(
        _ first: HTTPRequest, makeSink: (() throws -> BodySink)?, progress: ProgressHandler?, errorsAnswer: Bool,
        renew: (inout HTTPRequest) throws -> Bool
    ) throws -> HTTPResponse {
        var request = first
        let (method, url) = (first.method, first.url)
        var retries = 0, shortWaits = 0
        while true {
            let started = Date()
            do {
                let response = try transport.perform(request, sink: try makeSink?(), progress: progress)
                log(method, url, response.status, started)
                if (200..<300).contains(response.status) { return response }
                if response.status == 401, try renew(&request) { continue }
                // 3xx here is a redirect curl did not follow (no Location): not a success.
                let retryAfter = response.headers["Retry-After"]
                let outcome = AttemptOutcome.status(response.status, retryAfter: retryAfter)
                // The notice is told as the wait is taken from the budget: in order across threads.
                let cause = waitCause(response.status)
                switch policy.decide(method: method, outcome: outcome, retries: retries, budget: budget,
                                     shortWaits: shortWaits, waiting: { [observer] seconds, left in
                                         observer?(.waiting(reason: cause, seconds: seconds, budgetLeft: left))
                                     }) {
                case .retry(let delay):
                    if isWait(response.status) && policy.waitAsked(retryAfter) < policy.minimumWait { shortWaits += 1 }
                    try pause(delay, retrying: &retries, wait: isWait(response.status),
                              cause: waitCause(response.status), method: method, url: url)
                case .fail:
                    if errorsAnswer { return response }
                    throw apiError(method, url, response)
                case .waitBudgetSpent(let status, let wait):
                    throw SparkError.waitBudgetSpent(method: method.rawValue, path: logPath(url), status: status, wait: wait)
                case .retriesSpent(let attempts, let cause):
                    throw SparkError.retriesSpent(method: method.rawValue, path: logPath(url), attempts: attempts,
                                                  cause: cause, detail: nil)
                }
            } catch let failure as TransportFailure {
                log(method, url, nil, started, note: failure.message)
                let outcome = AttemptOutcome.transport(failure.kind)
                switch policy.decide(method: method, outcome: outcome, retries: retries, budget: budget) {
                case .retry(let delay):
                    try pause(delay, retrying: &retries, wait: false, cause: failure.message, method: method, url: url)
                case .fail: throw SparkError.transport(method: method.rawValue, path: logPath(url), reason: failure.message)
                case .waitBudgetSpent(let status, let wait):  // not decided for a network error; kept exhaustive
                    throw SparkError.waitBudgetSpent(method: method.rawValue, path: logPath(url), status: status,
                                                     wait: wait)
                case .retriesSpent(let attempts, let cause):
                    throw SparkError.retriesSpent(method: method.rawValue, path: logPath(url), attempts: attempts,
                                                  cause: cause, detail: failure.message)
                }
            }
        }
    }

    /// The write as reported: the body as JSON (multipart: its fields, a file as `@path`), `secret` redacted.
    static func planned(_ method: RequestMethod, _ path: String, _ body: HTTPBody) -> PlannedWrite {
        var json: JSON?
        switch body {
        case .none: json = nil
        case .json(let bytes): json = (try? JSON.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self))
        // Forms go only to the sign-in endpoints (`exchange`, never planned): never print one (secrets).
        case .form: json = .string("(form)")
        case .multipart(let parts):
            var fields: [String: JSON] = [:]
            for part in parts {
                switch part {
                case .field(let name, let value): fields[name] = .string(value)
                case .file(let name, let path, _, _): fields[name] = .string("@" + path)
                }
            }
            json = .object(fields)
        }
        if let secret = json?["secret"]?.string { json?["secret"] = .string(redact(secret)) }
        return PlannedWrite(method: method, path: path, body: json)
    }

    /// A stand-in answer so a command can go on: DELETE 204; a create or an update echoes its
    /// body with an id (the one in the path for an update, `dryRunId` for a create).
    static func plannedResponse(_ planned: PlannedWrite, path: String) -> HTTPResponse {
        guard planned.method != .delete else { return HTTPResponse(status: 204) }
        var echoed = planned.body?.object ?? [:]
        let last = path.split(separator: "?").first?.split(separator: "/").last.map(String.init)
        echoed["id"] = .string(planned.method == .post ? dryRunId : last ?? dryRunId)
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                            body: bytes(.object(echoed)))
    }

    private func isWait(_ status: Int) -> Bool { RetryPolicy.meansWait(status) }

    /// What a status the client retries says about itself: `429 Retry-After`, `423 Locked: ...`, `503`.
    private func waitCause(_ status: Int) -> String {
        switch status {
        case 429: return "429 Retry-After"
        case 423: return "423 Locked: file being scanned"
        default: return String(status)
        }
    }

    /// The one place the client waits before another attempt. A wait the API asked for
    /// (429/423) is not a step of the retry schedule, and was said as the budget granted it.
    private func pause(_ seconds: Double, retrying retries: inout Int, wait: Bool, cause: String,
                       method: RequestMethod, url: String) throws {
        if !wait {
            observer?(.retrying(method: method, path: logPath(url), seconds: seconds, cause: cause))
            retries += 1
        }
        sleeper.sleep(seconds: seconds)
        if wait { budget.ended() }
    }

    private func log(_ method: RequestMethod, _ url: String, _ status: Int?, _ started: Date, note: String? = nil) {
        guard let observer else { return }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        observer(.request(RequestLogEntry(method: method, path: logPath(url), status: status, milliseconds: ms,
                                          note: note)))
    }

    func apiError(_ method: RequestMethod, _ url: String, _ response: HTTPResponse) -> SparkError {
        let body = try? JSON.parse(response.body)
        // No JSON message (a HEAD has no body; a proxy's HTML page): the status's reason phrase,
        // so the error reads "404 Not Found" after the status.
        var message = body?["message"]?.string ?? HTTPStatus.reason(response.status)
        if let detail = body?["errors"]?.array?.first?["description"]?.string, detail != message {
            message += ": \(detail)"
        }
        let tracking = body?["trackingId"]?.string ?? response.headers["TrackingID"]
        var failure = APIFailure(method: method.rawValue, path: logPath(url), status: response.status,
                                 message: message, trackingId: tracking)
        if response.status == 401 || response.status == 403 { failure.identity = identity }
        return .api(failure)
    }

    /// Parses a response body as a JSON object; only a 204 may come without a body (it is `{}`).
    /// An empty 200 or a body that is not an object is an error: printing `{}` for it would
    /// pass off a broken answer as a success.
    public func decode(_ response: HTTPResponse) throws -> JSONResponse {
        if response.status == 204 && response.body.isEmpty { return JSONResponse(json: [:], headers: response.headers) }
        guard !response.body.isEmpty else { throw SparkError.io("the API sent an empty body (HTTP \(response.status))") }
        let json = try decode(response) { try JSON.parse($0) }
        guard json.object != nil else { throw SparkError.io("the API sent JSON that is not an object") }
        return JSONResponse(json: json, headers: response.headers)
    }

    /// The body read by `parse`; a body that is not JSON is an I/O error.
    public func decode<T>(_ response: HTTPResponse, _ parse: ([UInt8]) throws -> T) throws -> T {
        do {
            return try parse(response.body)
        } catch {
            throw SparkError.io("the API sent a body that is not JSON (\(error))")
        }
    }

    // MARK: JSON helpers

    /// `GET path` decoded (retried as the policy says).
    public func get(_ path: String, query: [(String, String)] = []) throws -> JSON {
        try decode(send(.get, path, query: query)).json
    }

    /// `POST path` with a JSON body, decoded.
    @discardableResult
    public func post(_ path: String, _ body: JSON) throws -> JSON {
        try decode(send(.post, path, body: .json(Self.bytes(body)))).json
    }

    /// `PUT path` with a JSON body, decoded.
    @discardableResult
    public func put(_ path: String, _ body: JSON) throws -> JSON {
        try decode(send(.put, path, body: .json(Self.bytes(body)))).json
    }

    /// `DELETE path`.
    public func delete(_ path: String) throws {
        try send(.delete, path)
    }

    /// A lazy iterator over all items of a list endpoint.
    public func list(_ path: String, query: [(String, String)] = []) -> PageIterator {
        PageIterator(client: self, firstURL: url(path, query: query))
    }

    static func bytes(_ json: JSON) -> [UInt8] {
        var out: [UInt8] = []
        json.write(into: &out)
        return out
    }
}

/// Reason phrases of HTTP status codes (RFC 9110 and the ones Webex sends).
enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        switch status {
        case 300..<400: return "Redirect Not Followed"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 423: return "Locked"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 400..<500: return "Client Error"
        case 500..<600: return "Server Error"
        default: return "Unexpected Status"
        }
    }
}
