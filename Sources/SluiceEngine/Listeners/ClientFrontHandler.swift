import NIOCore
import NIOSSL
import NIOTLS

/// The last handler on an accepted TCP connection until it is joined to its upstream: feeds the session the
/// client's events (active, bytes, FIN, TLS handshake done, errors) and holds what the client sends — at most
/// `EngineTuning.maxHeldBytes`, reading pauses beyond that — so prereads can inspect it without consuming it.
/// `release()` passes the held bytes on to the glue that follows it, then leaves the pipeline.
final class ClientFrontHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let session: TCPSession
    private var context: ChannelHandlerContext?
    private var held: ByteBuffer?
    private var pendingRead = false

    init(session: TCPSession) { self.session = session }

    /// What the client sent so far (empty view when nothing).
    var heldBytes: ByteBufferView { held?.readableBytesView ?? ByteBuffer().readableBytesView }
    var heldCount: Int { held?.readableBytes ?? 0 }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    /// Drops the context, which holds this handler: keeping it would be a retain cycle per connection.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        held = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        session.clientActive()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if held == nil {
            held = buffer
        } else {
            held!.writeBuffer(&buffer)
        }
        session.clientSentBytes()
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            let version = (try? context.pipeline.syncOperations.nioSSL_tlsVersion()).flatMap { $0 }
            session.tlsHandshakeCompleted(version: version.map(Self.name))
            return
        }
        if let e = event as? ChannelEvent, case .inputClosed = e {
            session.clientInputClosed()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { session.clientError(error) }

    /// Reads pause while the held bytes exceed the preread buffer.
    func read(context: ChannelHandlerContext) {
        if heldCount < EngineTuning.maxHeldBytes {
            context.read()
        } else {
            pendingRead = true
        }
    }

    /// Called once the glue follows this handler: passes on what was held, then leaves the pipeline.
    func release() {
        guard let context else { return }
        if let held, held.readableBytes > 0 {
            context.fireChannelRead(NIOAny(held))
            context.fireChannelReadComplete()
        }
        held = nil
        let resume = pendingRead
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        if resume { context.channel.read() }
    }

    static func name(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }
}
