import Foundation
import Dispatch
import NIOCore
import NIOHTTP1
import SluiceConfig

/// Collects one HTTP request (head and body up to `bodyLimit`), hands it to its `HTTPResponder` (the `AdminAPI`,
/// the metrics endpoint) off the event loop (a write fsyncs the data file), and writes the response.
///
/// The head alone decides a refusal, before any body is read: an address not in `admin.allow`, a missing or
/// wrong key, or a declared body over the limit is answered at once. The connection then closes lingering, as
/// nginx's does: its write side ends after the response, and what the client still sends is read and dropped —
/// never buffered — until it closes or `linger` passes, so that a client still sending its body reads the answer
/// instead of a reset (a close with unread bytes). Deadlines close
/// connections that are slow to send their head (`headerTimeout`), their body (`bodyTimeout`), or idle between
/// requests (`idleTimeout`). A `HEAD` request is answered as a `GET` without the body.
final class AdminHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// How long a connection may take at each stage.
    struct Timeouts: Sendable {
        /// From the connection's start to the end of its first request head.
        var header: TimeAmount = .seconds(10)
        /// From a request head to the end of its body.
        var body: TimeAmount = .seconds(30)
        /// Between the end of a response and the end of the next request head.
        var idle: TimeAmount = .seconds(30)
        /// After a refusal, for the client to stop sending and close (nginx's `lingering_timeout`).
        var linger: TimeAmount = .seconds(5)
    }

    private enum State {
        /// Waiting for a request head; the deadline is armed.
        case awaitingHead
        /// Reading the body of an accepted head; the deadline is armed.
        case receiving(HTTPRequestHead, ByteBuffer)
        /// The API is answering; no deadline (the work is ours).
        case processing
        /// Refused: the answer is (being) written, the write side then shut; whatever else arrives is dropped until
        /// the client closes or the linger deadline does.
        case refused
    }

    /// The most body bytes reserved up front, whatever the declared length (memory follows bytes received).
    private static let initialBodyCapacity = 64 * 1024

    private let api: any HTTPResponder
    private let bodyLimit: Int
    private let timeouts: Timeouts
    private var state = State.awaitingHead
    private var deadline: Scheduled<Void>?

    init(api: any HTTPResponder, bodyLimit: Int, timeouts: Timeouts = Timeouts()) {
        self.api = api
        self.bodyLimit = bodyLimit
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(timeouts.header, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .awaitingHead):
            deadline?.cancel()
            if let refusal = api.refusal(for: request(head, body: [], context: context)) {
                refuse(refusal, head: head, context: context)
                return
            }
            let declared = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            guard declared <= bodyLimit else {
                refuse(tooLarge, head: head, context: context)
                return
            }
            let capacity = min(max(declared, 0), Self.initialBodyCapacity)
            state = .receiving(head, context.channel.allocator.buffer(capacity: capacity))
            arm(timeouts.body, context: context)
        case (.body(var chunk), .receiving(let head, var buffer)):
            guard buffer.readableBytes + chunk.readableBytes <= bodyLimit else {
                refuse(tooLarge, head: head, context: context)
                return
            }
            state = .processing  // drop the buffer's other reference so the write does not copy it
            buffer.writeBuffer(&chunk)
            state = .receiving(head, buffer)
        case (.end, .receiving(let head, var buffer)):
            deadline?.cancel()
            state = .processing
            dispatch(head, body: buffer.readBytes(length: buffer.readableBytes) ?? [], context: context)
        case (_, .refused), (.body, _), (.end, _), (.head, _):
            // Refused connections drop what follows; the pipeline handler holds pipelined requests back while a
            // response is pending, so nothing else reaches here in another state.
            return
        }
    }

    private var tooLarge: AdminResponse {
        .error(413, "request body too large (limit \(String(format: "%.1f MiB", Double(bodyLimit) / 1_048_576)))")
    }

    private func refuse(_ response: AdminResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        deadline?.cancel()
        state = .refused
        write(response, head: head, keepAlive: false, lingering: true, context: context)
        arm(timeouts.linger, context: context)
    }

    private func request(_ head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) -> AdminRequest {
        var headers: [String: String] = [:]
        for (name, value) in head.headers {
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        let client = context.channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        let method = head.method == .HEAD ? "GET" : head.method.rawValue
        return AdminRequest(method: method, target: head.uri, headers: headers, body: body, clientAddress: client)
    }

    private func dispatch(_ head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        let request = request(head, body: body, context: context)
        let promise = context.eventLoop.makePromise(of: AdminResponse.self)
        let api = self.api
        DispatchQueue.global().async { promise.succeed(api.handle(request)) }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { response in
            let (handler, context) = bound.value
            handler.write(response, head: head, keepAlive: head.isKeepAlive, context: context)
            if head.isKeepAlive, context.channel.isActive, case .processing = handler.state {
                handler.state = .awaitingHead
                handler.arm(handler.timeouts.idle, context: context)
            }
        }
    }

    /// Writes `response`; without `keepAlive` the connection then closes — only its write side when `lingering`
    /// (a refused client may still be sending: it reads the answer, then its sends end and it closes; the linger
    /// deadline closes the rest).
    private func write(_ response: AdminResponse, head request: HTTPRequestHead, keepAlive: Bool,
                       lingering: Bool = false, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        buffer.writeString(response.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "X-API-VERSION", value: "v3")
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(mode: lingering ? .output : .all, promise: nil) }
        }
    }

    /// Closes the connection unless the state moves on within `timeout`.
    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
