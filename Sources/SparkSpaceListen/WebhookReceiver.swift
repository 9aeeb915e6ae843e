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
import Dispatch
import SparkSpace
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP server (swift-nio) that receives Webex webhook deliveries (seed `webhook`).
///
/// Each delivery is checked (path, method, size, signature, JSON) and answered at
/// once; an accepted one (200) is then handed to `onDelivery` on one of `workers` threads,
/// so slow API calls never delay the answer. Accepted deliveries not yet handled are bounded
/// (`maxPending`, `maxPendingBytes`): past the bound a delivery is answered 503 (Webex may send
/// it again) instead of being queued, so a handler that cannot go on (a stdout nobody reads)
/// neither grows memory nor stops the server answering. `stop(within:)` stops accepting,
/// closes the connections and waits for the accepted deliveries as long as they keep being handled.
public final class WebhookReceiver: @unchecked Sendable {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        /// Address to bind (`server.binding`).
        public private(set) var host: String
        /// Port to bind (`server.port`); 0 picks a free one, see `boundPort`.
        public private(set) var port: Int
        /// The path deliveries are posted to (`server.hook`).
        public private(set) var path: String
        /// When set, `X-Spark-Signature` must be the HMAC-SHA1 of the body with it.
        public private(set) var secret: String?
        /// Larger bodies are answered 413.
        public private(set) var maxBodyBytes: Int
        /// Deliveries handled at the same time.
        public private(set) var workers: Int
        /// Seconds a connection has to send a request line and headers (from when it opened, or
        /// since its previous answer); then it is closed. A slow client cannot pin a buffer for ever.
        public private(set) var headTimeout: Double
        /// Seconds more, once the headers are in, for the body (SPEC: 10 s and 10 s).
        public private(set) var bodyTimeout: Double
        /// Connections open at the same time. At the cap a new connection closes the oldest one
        /// still sending its request (never one being answered): idle clients cannot keep a
        /// delivery out. With `maxBodyBytes` it bounds the memory half-sent bodies can take.
        public private(set) var maxConnections: Int
        /// Accepted deliveries not handled yet (waiting or being handled) at most; more are answered 503.
        public private(set) var maxPending: Int
        /// Their bodies' bytes at most (a few large deliveries count as many small ones).
        public private(set) var maxPendingBytes: Int

        /// `path` gets a leading `/` when it lacks one; an empty `secret` is none
        /// (deliveries are not checked); `workers`, `maxConnections`, `maxPending` and `maxPendingBytes` are
        /// at least 1, `maxBodyBytes` at least 0, and the timeouts are kept within 0.001...86400 seconds (one
        /// that is not a number is the default 10). The fields are read-only after: none escapes these bounds.
        public init(host: String = "0.0.0.0", port: Int = 8080, path: String = "/hook", secret: String? = nil,
                    maxBodyBytes: Int = 1 << 20, workers: Int = 8, headTimeout: Double = 10,
                    bodyTimeout: Double = 10, maxConnections: Int = 128, maxPending: Int = 256,
                    maxPendingBytes: Int = 16 << 20) {
            self.host = host
            self.port = port
            self.path = path.hasPrefix("/") ? path : "/" + path
            self.secret = secret.flatMap { $0.isEmpty ? nil : $0 }
            self.maxBodyBytes = max(0, maxBodyBytes)
            self.workers = max(1, workers)
            self.headTimeout = min(max(headTimeout.isNaN ? 10 : headTimeout, 0.001), 86_400)
            self.bodyTimeout = min(max(bodyTimeout.isNaN ? 10 : bodyTimeout, 0.001), 86_400)
            self.maxConnections = max(1, maxConnections)
            self.maxPending = max(1, maxPending)
            self.maxPendingBytes = max(1, maxPendingBytes)
        }
    }

    /// Why a request was refused.
    public enum Rejection: Sendable, Equatable {
        case notFound, methodNotAllowed, tooLarge, badSignature, malformed
        /// `maxPending` deliveries wait to be handled: this one is not taken (503, Webex may re-send).
        case busy

        /// The HTTP status answered.
        public var status: Int {
            switch self {
            case .notFound: return 404
            case .methodNotAllowed: return 405
            case .tooLarge: return 413
            case .badSignature: return 401
            case .malformed: return 400
            case .busy: return 503
            }
        }
    }

    /// The configuration, as `Configuration.init` bounded it.
    public let configuration: Configuration
    private let onDelivery: (JSON) -> Void
    private let onRejection: ((Rejection, String) -> Void)?
    /// Where rejections are told: never on a thread that serves connections.
    private let notices: NoticeQueue?
    /// Accepted deliveries no worker took yet, oldest first (`backlogHead` is the next one), as
    /// their bodies: the bound on bytes is then the memory they take (a parsed tree is larger).
    private var backlog: [[UInt8]?] = []
    private var backlogHead = 0
    /// Workers running (at most `configuration.workers`).
    private var running = 0
    /// Accepted deliveries not handled yet, and their bodies' bytes.
    private var pendingCount = 0
    private var pendingBytes = 0
    private let handled = DispatchSemaphore(value: 0)
    private let lock = ThreadLock()
    private var group: MultiThreadedEventLoopGroup?
    private var channel: Channel?
    /// Open connections by admission number (the oldest first when evicting).
    private var open: [Int: Channel] = [:]
    private var busy: Set<Int> = []
    private var admitted = 0

    /// - Parameters:
    ///   - onDelivery: called on a worker thread with each accepted delivery (a JSON object).
    ///   - onRejection: called with each refused request and a short reason, on the thread of
    ///     `notices` (never one that serves connections), rate-limited: a flood of refused requests
    ///     turns into a few lines and a count of those not shown.
    ///   - notices: the queue to tell rejections through (default: one of the receiver's own).
    public init(configuration: Configuration, onDelivery: @escaping (JSON) -> Void,
                onRejection: ((Rejection, String) -> Void)? = nil, notices: NoticeQueue? = nil) {
        self.configuration = configuration
        self.onDelivery = onDelivery
        self.onRejection = onRejection
        // A queue (and its thread) only when there is something to tell.
        self.notices = notices ?? onRejection.map { _ in NoticeQueue { _ in } }
    }

    /// Binds and starts serving; returns the port actually bound.
    @discardableResult
    public func start() throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [unowned self] channel in
                let number = self.admit(channel)
                return channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(DeliveryHandler(receiver: self, number: number))
                }
            }
        do {
            let channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
            lock.lock()
            self.group = group
            self.channel = channel
            lock.unlock()
            return channel.localAddress?.port ?? configuration.port
        } catch {
            try? group.syncShutdownGracefully()
            throw SparkError.io("cannot listen on \(configuration.host):\(configuration.port): \(Self.bindReason(error))")
        }
    }

    /// Why a bind failed, as a sentence (not NIO's `bind(descriptor:ptr:bytes:)… errno: 98`).
    static func bindReason(_ error: Error) -> String {
        guard let io = error as? IOError else { return "\(error)" }
        switch io.errnoCode {
        case EADDRINUSE: return "the port is in use (another listener?); choose another with --port, or 0 for any free one"
        case EACCES: return "permission denied (ports below 1024 need privileges); choose another with --port"
        case EADDRNOTAVAIL: return "no such address on this machine; check --binding"
        default: return String(cString: strerror(io.errnoCode))
        }
    }

    /// The port bound by `start()`.
    public var boundPort: Int? {
        lock.lock()
        defer { lock.unlock() }
        return channel?.localAddress?.port
    }

    /// Stops accepting, closes every connection, then waits until every accepted
    /// delivery has been handled. Safe to call more than once.
    public func stop() {
        _ = stop(within: .infinity)
    }

    /// Stops accepting, closes every connection, then waits for the accepted deliveries while
    /// they keep being handled: it gives up once none was handled for `stall` seconds (a handler
    /// stuck on a stdout nobody reads must not keep the process alive). Returns how many
    /// accepted deliveries were not handled (0: all were). Safe to call more than once.
    public func stop(within stall: Double) -> Int {
        lock.lock()
        let channel = self.channel, group = self.group
        self.channel = nil
        self.group = nil
        lock.unlock()
        try? channel?.close().wait()
        try? group?.syncShutdownGracefully()
        while true {
            lock.lock()
            let left = pendingCount
            lock.unlock()
            if left == 0 { return 0 }
            let timeout: DispatchTime = stall.isFinite ? .now() + max(0, min(stall, 86_400)) : .distantFuture
            if handled.wait(timeout: timeout) == .timedOut {
                lock.lock()
                defer { lock.unlock() }
                return pendingCount
            }
        }
    }

    /// Accepted deliveries not handled yet (for tests).
    public var pendingDeliveries: Int {
        lock.lock()
        defer { lock.unlock() }
        return pendingCount
    }

    /// Counts a new connection in (until it closes) and returns its number. At the cap, the oldest
    /// connection that is not being answered is closed to make room (SPEC "Network behaviour").
    private func admit(_ channel: Channel) -> Int {
        lock.lock()
        defer { lock.unlock() }
        admitted += 1
        let number = admitted
        if open.count >= configuration.maxConnections,
           let oldest = open.keys.filter({ !busy.contains($0) }).min(), let evicted = open.removeValue(forKey: oldest) {
            evicted.close(promise: nil)
        }
        open[number] = channel
        channel.closeFuture.whenComplete { [weak self] _ in self?.release(number) }
        return number
    }

    private func release(_ number: Int) {
        lock.lock()
        open[number] = nil
        busy.remove(number)
        lock.unlock()
    }

    /// Marks a connection as being answered (not to be evicted) or not.
    fileprivate func setBusy(_ number: Int, _ isBusy: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard open[number] != nil else { return }
        if isBusy { busy.insert(number) } else { busy.remove(number) }
    }

    /// Connections open now (for tests).
    public var openConnections: Int {
        lock.lock()
        defer { lock.unlock() }
        return open.count
    }

    // MARK: Checking a request (called on a server thread)

    /// The answer to one complete request; an accepted delivery is queued before it is answered.
    func answer(method: HTTPMethod, uri: String, headers: NIOHTTP1.HTTPHeaders, body: [UInt8], tooLarge: Bool)
        -> Rejection?
    {
        let path = String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if path != configuration.path { return reject(.notFound, "\(method.rawValue) \(path): not the hook path") }
        if method != .POST { return reject(.methodNotAllowed, "\(method.rawValue) \(path): only POST is accepted") }
        if tooLarge { return reject(.tooLarge, "a body over \(configuration.maxBodyBytes) bytes") }
        if let secret = configuration.secret {
            let signature = headers.first(name: WebhookSignature.header)
            guard WebhookSignature.verify(body, secret: secret, signature: signature) else {
                return reject(.badSignature, signature == nil ? "no X-Spark-Signature" : "a bad X-Spark-Signature")
            }
        }
        guard (try? JSON.parse(body))?.object != nil else {
            return reject(.malformed, "a body that is not a JSON object")
        }
        return enqueue(body)
    }

    /// Queues an accepted delivery for a worker, starting one when fewer than `workers` run;
    /// `.busy` (nothing queued) when the bound of waiting deliveries is reached.
    private func enqueue(_ body: [UInt8]) -> Rejection? {
        let bytes = body.count
        lock.lock()
        guard pendingCount < configuration.maxPending,
              pendingCount == 0 || pendingBytes + bytes <= configuration.maxPendingBytes else {
            let waiting = pendingCount
            lock.unlock()
            return reject(.busy, "\(waiting) accepted deliveries are not handled yet (is stdout read?)")
        }
        pendingCount += 1
        pendingBytes += bytes
        backlog.append(body)
        let startWorker = running < configuration.workers
        if startWorker { running += 1 }
        lock.unlock()
        // Threads of their own, not Dispatch's pool: workers blocked on a full stdout would take the
        // pool's few threads, and the signal handlers that must stop the process run there.
        if startWorker { startThread(stackSize: 2 << 20) { [self] in work() } }
        return nil
    }

    /// A worker: handles queued deliveries until none is left (a fixed number of threads, however
    /// many deliveries wait).
    private func work() {
        while true {
            lock.lock()
            guard backlogHead < backlog.count, let body = backlog[backlogHead] else {
                running -= 1
                lock.unlock()
                return
            }
            backlog[backlogHead] = nil
            backlogHead += 1
            if backlogHead == backlog.count || (backlogHead > 256 && backlogHead * 2 > backlog.count) {
                backlog.removeFirst(backlogHead)
                backlogHead = 0
            }
            lock.unlock()
            // Parsed again here (it parsed when it was checked): one tree per worker at a time.
            if let json = try? JSON.parse(body) { onDelivery(json) }
            lock.lock()
            pendingCount -= 1
            pendingBytes -= body.count
            lock.unlock()
            handled.signal()
        }
    }

    private func reject(_ rejection: Rejection, _ reason: String) -> Rejection {
        if let onRejection, let notices { notices.post { onRejection(rejection, reason) } }
        return rejection
    }
}

/// Reads one request at a time (the HTTP pipeline serializes keep-alive requests)
/// and answers it. Oversized bodies are not kept in memory.
private final class DeliveryHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Past this many discarded bytes, an oversized request is answered and the connection closed.
    private static let discardLimit = 8 << 20

    private let receiver: WebhookReceiver
    private let number: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var discarded = 0
    /// Closes the connection when the current request is not complete in time.
    private var deadline: Scheduled<Void>?

    init(receiver: WebhookReceiver, number: Int) {
        self.receiver = receiver
        self.number = number
    }

    func handlerAdded(context: ChannelHandlerContext) { armDeadline(context, receiver.configuration.headTimeout) }

    func handlerRemoved(context: ChannelHandlerContext) { deadline?.cancel() }

    /// Closes the connection unless what it is sending (a head, then a body) is in within `seconds`.
    private func armDeadline(_ context: ChannelHandlerContext, _ seconds: Double) {
        deadline?.cancel()
        let timeout = TimeAmount.milliseconds(Int64(seconds * 1000))
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            armDeadline(context, receiver.configuration.bodyTimeout)
            discarded = 0
            let declared = h.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            tooLarge = declared > receiver.configuration.maxBodyBytes
        case .body(let buffer):
            guard head != nil else { return }
            if !tooLarge && body.count + buffer.readableBytes > receiver.configuration.maxBodyBytes {
                tooLarge = true
                body = []
            }
            if tooLarge {
                discarded += buffer.readableBytes
                if discarded > Self.discardLimit, let h = head {
                    head = nil
                    _ = receiver.answer(method: h.method, uri: h.uri, headers: h.headers, body: [], tooLarge: true)
                    respond(context, h, status: 413, text: "payload too large", close: true)
                }
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let h = head else { return }
            head = nil
            armDeadline(context, receiver.configuration.headTimeout)  // the next request gets its own time
            receiver.setBusy(number, true)
            defer { receiver.setBusy(number, false) }
            let rejection = receiver.answer(method: h.method, uri: h.uri, headers: h.headers, body: body,
                                            tooLarge: tooLarge)
            body = []
            switch rejection {
            case nil: respond(context, h, status: 200, text: "ok", close: false)
            case .tooLarge?: respond(context, h, status: 413, text: "payload too large", close: true)
            case .badSignature?: respond(context, h, status: 401, text: "bad signature", close: false)
            case .malformed?: respond(context, h, status: 400, text: "not a JSON object", close: false)
            case .notFound?: respond(context, h, status: 404, text: "not found", close: false)
            case .methodNotAllowed?: respond(context, h, status: 405, text: "use POST", close: false)
            case .busy?: respond(context, h, status: 503, text: "busy: try again later", close: false)
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: Int, text: String,
                         close: Bool) {
        var headers = NIOHTTP1.HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count + 1))
        if status == 405 { headers.add(name: "Allow", value: "POST") }
        if status == 503 { headers.add(name: "Retry-After", value: "10") }
        let keepAlive = head.isKeepAlive && !close
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status),
                                            headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        let buffer = context.channel.allocator.buffer(string: text + "\n")
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        let channel = context.channel
        if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
