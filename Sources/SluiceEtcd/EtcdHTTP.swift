import NIOCore
import NIOHTTP1
import NIOPosix
import SluiceConfig

/// Why a request to one etcd member failed.
public struct EtcdError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not connected, connection lost, or no answer in time: try another member.
        case unreachable
        /// etcd answered with an error (`code` is gRPC's: 16 unauthenticated, 11 compacted, …).
        case refused(code: Int)
        /// The answer was not what etcd sends.
        case badAnswer
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    /// gRPC's "unauthenticated": the token expired or was revoked.
    var isAuthExpired: Bool { kind == .refused(code: 16) || message.contains("invalid auth token") }
}

/// One HTTP/1.1 request to an etcd member's JSON gateway on its own connection: the whole answer, or — for
/// `/v3/watch` — each newline-delimited JSON message as it arrives.
enum EtcdHTTP {
    /// A whole answer: status and body.
    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// Connects, sends `POST path` with a JSON body, and collects the answer within `timeout` seconds.
    /// - Parameter tls: for an `https://` member.
    static func post(group: EventLoopGroup, to endpoint: EtcdSettings.Endpoint, tls: EtcdTLS?, path: String,
                     body: [UInt8], token: String?, timeout: Double) -> EventLoopFuture<Answer> {
        let loop = group.next()
        let promise = loop.makePromise(of: Answer.self)
        connect(loop: loop, endpoint, tls: tls, timeout: timeout, mode: .whole(promise))
            .whenComplete { result in
                switch result {
                case .failure(let error): promise.fail(unreachable(endpoint, error))
                case .success(let channel):
                    let deadline = loop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
                        promise.fail(EtcdError(kind: .unreachable, message: "\(endpoint) did not answer \(path) "
                                               + "within \(Int(timeout)) s"))
                        channel.close(promise: nil)
                    }
                    promise.futureResult.whenComplete { _ in
                        deadline.cancel()
                        channel.close(promise: nil)
                    }
                    send(channel, endpoint, path: path, body: body, token: token)
                }
            }
        return promise.futureResult
    }

    /// Opens a streaming request (`/v3/watch`): `onMessage` gets each JSON message; the future ends when the
    /// stream does (always with an error: the member went away, or `close` was called on the channel).
    static func stream(group: EventLoopGroup, to endpoint: EtcdSettings.Endpoint, tls: EtcdTLS?, path: String,
                       body: [UInt8], token: String?, timeout: Double,
                       onMessage: @escaping @Sendable ([UInt8]) -> Void) -> EventLoopFuture<(Channel, EventLoopFuture<Void>)> {
        let loop = group.next()
        let ended = loop.makePromise(of: Void.self)
        return connect(loop: loop, endpoint, tls: tls, timeout: timeout, mode: .lines(onMessage, ended))
            .flatMapErrorThrowing { throw unreachable(endpoint, $0) }
            .map { channel in
                send(channel, endpoint, path: path, body: body, token: token)
                return (channel, ended.futureResult)
            }
    }

    private static func connect(loop: EventLoop, _ endpoint: EtcdSettings.Endpoint, tls: EtcdTLS?, timeout: Double,
                                mode: ResponseCollector.Mode) -> EventLoopFuture<Channel> {
        ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(Int64(min(timeout, 5) * 1000)))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try tls.handler(for: endpoint)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(mode, endpoint: endpoint, tls: tls))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
    }

    private static func send(_ channel: Channel, _ endpoint: EtcdSettings.Endpoint, path: String, body: [UInt8],
                             token: String?) {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: "\(HostPort(host: endpoint.host, port: endpoint.port))")
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: "\(body.count)")
        if let token { head.headers.add(name: "Authorization", value: token) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    private static func unreachable(_ endpoint: EtcdSettings.Endpoint, _ error: Error) -> Error {
        if error is EtcdError { return error }
        return EtcdError(kind: .unreachable, message: "cannot reach \(endpoint): \(error)")
    }
}

/// Collects an etcd answer: all of it, or message by message for a stream.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    enum Mode {
        case whole(EventLoopPromise<EtcdHTTP.Answer>)
        case lines(@Sendable ([UInt8]) -> Void, EventLoopPromise<Void>)
    }

    /// Most bytes one answer or one stream message may take (a full range read of a big configuration fits).
    static let maxBytes = 64 << 20

    private let mode: Mode
    /// The member, named in every failure.
    private let endpoint: EtcdSettings.Endpoint
    /// Says why TLS failed, in the operator's words.
    private let tls: EtcdTLS?
    private var status = 0
    private var body: [UInt8] = []

    init(_ mode: Mode, endpoint: EtcdSettings.Endpoint, tls: EtcdTLS?) {
        self.mode = mode
        self.endpoint = endpoint
        self.tls = tls
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
            if body.count > Self.maxBytes {
                fail(EtcdError(kind: .badAnswer, message: "etcd answer larger than \(Self.maxBytes >> 20) MiB"))
                context.close(promise: nil)
                return
            }
            if case .lines(let onMessage, _) = mode, status == 200 {
                while let newline = body.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(body[..<newline])
                    body.removeSubrange(...newline)
                    if !line.isEmpty { onMessage(line) }
                }
            }
        case .end:
            switch mode {
            case .whole(let promise): promise.succeed(EtcdHTTP.Answer(status: status, body: body))
            case .lines(let onMessage, let ended):
                if status == 200 && !body.isEmpty { onMessage(body) }
                ended.fail(EtcdError(kind: .unreachable, message: status == 200 ? "etcd ended the watch"
                                     : "etcd refused the watch: HTTP \(status) \(String(decoding: body, as: UTF8.self))"))
            }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(EtcdError(kind: .unreachable, message: "connection to \(endpoint) lost"))
        context.fireChannelInactive()
    }

    /// A channel that never became active (its connect failed) is closed without `channelInactive`: the answer's
    /// promise must end here too, or it is left pending (a leaked promise, fatal in debug builds).
    func handlerRemoved(context: ChannelHandlerContext) {
        fail(EtcdError(kind: .unreachable, message: "connection to \(endpoint) closed"))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(EtcdError(kind: .unreachable, message: tls?.why(error, endpoint) ?? "connection to \(endpoint) failed: \(error)"))
        context.close(promise: nil)
    }

    private func fail(_ error: EtcdError) {
        switch mode {
        case .whole(let promise): promise.fail(error)
        case .lines(_, let ended): ended.fail(error)
        }
    }
}
