import Foundation
import Dispatch
import NIOCore
import NIOHTTP1
import SluiceConfig

/// Collects one HTTP request (head and body up to `bodyLimit`), hands it to the `AdminAPI` off the event loop
/// (a write fsyncs the data file), and writes the JSON response. Bodies over the limit get 413 and a close.
final class AdminHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer)
        case tooLarge(HTTPRequestHead)
    }

    private let api: AdminAPI
    private let bodyLimit: Int
    private var state = State.idle

    init(api: AdminAPI, bodyLimit: Int) {
        self.api = api
        self.bodyLimit = bodyLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let declared = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            state = declared > bodyLimit ? .tooLarge(head) : .receiving(head, context.channel.allocator.buffer(capacity: declared))
        case .body(var chunk):
            guard case .receiving(let head, var buffer) = state else { return }
            if buffer.readableBytes + chunk.readableBytes > bodyLimit {
                state = .tooLarge(head)
            } else {
                buffer.writeBuffer(&chunk)
                state = .receiving(head, buffer)
            }
        case .end:
            let current = state
            state = .idle
            switch current {
            case .idle:
                return
            case .tooLarge(let head):
                let limit = String(format: "%.1f MiB", Double(bodyLimit) / 1_048_576)
                write(.error(413, "request body too large (limit \(limit))"), version: head.version,
                      keepAlive: false, context: context)
            case .receiving(let head, var buffer):
                dispatch(head, body: buffer.readBytes(length: buffer.readableBytes) ?? [], context: context)
            }
        }
    }

    private func dispatch(_ head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        var headers: [String: String] = [:]
        for (name, value) in head.headers {
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        let client = context.channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        let request = AdminRequest(method: head.method.rawValue, target: head.uri, headers: headers, body: body,
                                   clientAddress: client)
        let promise = context.eventLoop.makePromise(of: AdminResponse.self)
        let api = self.api
        DispatchQueue.global().async { promise.succeed(api.handle(request)) }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let keepAlive = head.isKeepAlive
        promise.futureResult.whenSuccess { response in
            bound.value.handler.write(response, version: head.version, keepAlive: keepAlive, context: bound.value.context)
        }
    }

    private func write(_ response: AdminResponse, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        buffer.writeString(response.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "X-API-VERSION", value: "v3")
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
