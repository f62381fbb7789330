import NIOCore

/// One half of a proxied pair: forwards what its channel reads to the partner channel.
///
/// Backpressure: a read is passed on only while the partner is writable; otherwise it waits for the partner's
/// `channelWritabilityChanged` (swift-nio-examples' connect-proxy). A half-close (input closed) goes to the
/// session, whose machine passes it on as an output close of the partner once the partner's queued writes are out,
/// so each direction ends on its own and no byte is dropped.
final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: TCPSession.Side
    private let session: TCPSession
    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    private init(side: TCPSession.Side, session: TCPSession) {
        self.side = side
        self.session = session
    }

    /// Two handlers that know each other: add the first to the client channel, the second to the upstream one.
    static func matchedPair(session: TCPSession) -> (client: GlueHandler, upstream: GlueHandler) {
        let client = GlueHandler(side: .client, session: session)
        let upstream = GlueHandler(side: .upstream, session: session)
        client.partner = upstream
        upstream.partner = client
        return (client, upstream)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    // MARK: inbound from our channel

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        session.transferred(buffer.readableBytes, from: side)
        partner?.partnerWrite(buffer)
    }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.partnerFlush() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            // The session passes the half-close on (once the partner's queued writes are out).
            session.inputClosed(on: side)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The session closes the partner (its close future reports here too), unless both directions ended normally:
    /// then the partner closes once its queued writes are out.
    func channelInactive(context: ChannelHandlerContext) {
        session.peerGone(side)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        session.sawError(error, on: side)
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: outbound on our channel

    func read(context: ChannelHandlerContext) {
        if partner?.partnerWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }

    // MARK: calls from the partner

    private func partnerWrite(_ buffer: ByteBuffer) { context?.write(wrapOutboundOut(buffer), promise: nil) }

    private func partnerFlush() { context?.flush() }

    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }
}
