import Foundation
import NIOCore
import NIOHTTP1

/// Collects one request at a time (the pipeline handler serializes keep-alive requests) and answers it.
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private weak var server: MockWebexServer?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(server: MockWebexServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(let buf):
            body.append(contentsOf: buf.readableBytesView)
        case .end:
            guard let h = head, let server = server else { context.close(promise: nil); return }
            head = nil
            let req = IncomingRequest(method: h.method.rawValue, target: h.uri,
                                      headers: h.headers.map { ($0.name, $0.value) }, body: body)
            body = []
            let reply = server.handle(req)
            switch reply.action {
            case .drop:
                context.close(promise: nil)
            case .normal:
                send(context: context, head: h, reply: reply, truncate: false)
            case .truncate:
                send(context: context, head: h, reply: reply, truncate: true)
            case .delay(let t):
                context.eventLoop.scheduleTask(in: .nanoseconds(Int64(t * 1_000_000_000))) {
                    guard context.channel.isActive else { return }
                    self.send(context: context, head: h, reply: reply, truncate: false)
                }
            case .stall(let t):
                stall(context: context, head: h, reply: reply, for: t)
            }
        }
    }

    private func send(context: ChannelHandlerContext, head: HTTPRequestHead, reply: Reply, truncate: Bool) {
        var headers = HTTPHeaders()
        for (k, v) in reply.headers { headers.add(name: k, value: v) }
        let isHead = head.method == .HEAD
        let length = reply.headLength ?? reply.body.count
        if reply.status != 204 && reply.status != 304 {
            headers.replaceOrAdd(name: "Content-Length", value: String(length))
        }
        let keepAlive = head.isKeepAlive && !truncate
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: reply.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        if truncate {
            let half = reply.body.count / 2
            if !isHead && half > 0 {
                let buf = context.channel.allocator.buffer(bytes: reply.body[0..<half])
                context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
            }
            context.flush()
            // Close without an end: the client sees fewer bytes than Content-Length.
            context.close(promise: nil)
            return
        }
        if !isHead && !reply.body.isEmpty {
            let buf = context.channel.allocator.buffer(bytes: reply.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Headers and the first half of the body now, the rest after `seconds`.
    private func stall(context: ChannelHandlerContext, head: HTTPRequestHead, reply: Reply, for seconds: TimeInterval) {
        var headers = HTTPHeaders()
        for (k, v) in reply.headers { headers.add(name: k, value: v) }
        headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version,
                                                             status: HTTPResponseStatus(statusCode: reply.status),
                                                             headers: headers))), promise: nil)
        let half = reply.body.count / 2
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(
            bytes: reply.body[0..<half])))), promise: nil)
        context.eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1_000_000_000))) {
            guard context.channel.isActive else { return }
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(
                bytes: reply.body[half...])))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
