import NIOCore

/// One half of a proxied pair: forwards what its channel reads to the partner channel.
///
/// Backpressure: a read is passed on only while the partner is writable; otherwise it waits for the partner's
/// `channelWritabilityChanged` (swift-nio-examples' connect-proxy). A half-close (input closed) goes to the
/// session, whose machine passes it on as an output close of the partner once the partner's queued writes are out,
/// so each direction ends on its own and no byte is dropped.
///
/// A throttled side (limit-bandwidth) also holds its reads back while its `ReadThrottle` says to wait, and asks
/// again on a timer: the peer's bytes wait in the kernel, not here. An unthrottled side pays one nil check a read.
final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: TCPSession.Side
    private let session: TCPSession
    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private let throttle: ReadThrottle?
    private var throttleTimer: Scheduled<Void>?

    private init(side: TCPSession.Side, session: TCPSession, throttle: ReadThrottle?) {
        self.side = side
        self.session = session
        self.throttle = throttle
    }

    /// Two handlers that know each other: add the first to the client channel, the second to the upstream one.
    /// The upload throttle paces reads from the client, the download throttle reads from the upstream.
    static func matchedPair(session: TCPSession, throttles: SessionThrottles)
        -> (client: GlueHandler, upstream: GlueHandler) {
        let client = GlueHandler(side: .client, session: session, throttle: throttles.upload)
        let upstream = GlueHandler(side: .upstream, session: session, throttle: throttles.download)
        client.partner = upstream
        upstream.partner = client
        return (client, upstream)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
        throttleTimer?.cancel()
        throttleTimer = nil
    }

    // MARK: inbound from our channel

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        session.transferred(buffer.readableBytes, from: side)
        throttle?.took(buffer.readableBytes, now: NIODeadline.now().uptimeNanoseconds)
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
        pendingRead = true
        readIfAllowed()
    }

    /// Passes a pending read on once the partner is writable and the throttle, if any, does not ask to wait.
    private func readIfAllowed() {
        guard pendingRead, throttleTimer == nil, let context, partner?.partnerWritable ?? false else { return }
        if let throttle, let wait = throttle.wait(now: NIODeadline.now().uptimeNanoseconds) {
            throttleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(wait))) {
                self.throttleTimer = nil
                self.readIfAllowed()
            }
            return
        }
        pendingRead = false
        context.read()
    }

    // MARK: calls from the partner

    private func partnerWrite(_ buffer: ByteBuffer) { context?.write(wrapOutboundOut(buffer), promise: nil) }

    private func partnerFlush() { context?.flush() }

    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() { readIfAllowed() }
}
