import Foundation
import NIOCore
import SluiceConfig

/// The first handler of an accepted TCP connection: routes it, then hands it to a `ProxySession`
/// (or closes it at once, sending nothing, when no route matches).
///
/// Until the upstream is connected it holds what the client sent: NIO reads a hung-up socket to its end even
/// with autoRead off, so bytes and a half-close may arrive before the glue exists. `release()` passes them on.
final class SessionStarter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let context: EngineContext
    private let listener: ListenerSpec
    private let listenerCounters: TrafficCounters
    private var held: [NIOAny] = []
    private var heldEvents: [Any] = []
    private var handlerContext: ChannelHandlerContext?

    init(context: EngineContext, listener: ListenerSpec, listenerCounters: TrafficCounters) {
        self.context = context
        self.listener = listener
        self.listenerCounters = listenerCounters
    }

    func channelActive(context ctx: ChannelHandlerContext) {
        let channel = ctx.channel
        listenerCounters.opened()
        let facts = ConnectionFacts(remoteAddress: channel.remoteAddress?.ipAddress.flatMap(IPAddress.init),
                                    serverAddress: channel.localAddress?.ipAddress.flatMap(IPAddress.init),
                                    serverPort: channel.localAddress?.port ?? listener.port, transport: .tcp)
        handlerContext = ctx
        guard let route = context.routingTable?.router.match(facts), let upstream = route.upstream else {
            refuse(channel, facts: facts)
            return
        }
        let session = ProxySession(context: context, client: channel, route: route, runtime: upstream, facts: facts,
                                   listenerName: "\(listener)", listenerCounters: listenerCounters, starter: self)
        session.begin()
        ctx.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { held.append(data) }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) { heldEvents.append(event) }

    /// Called once the glue follows this handler: passes on what was held, then leaves the pipeline.
    func release() {
        guard let ctx = handlerContext else { return }
        for data in held { ctx.fireChannelRead(data) }
        if !held.isEmpty { ctx.fireChannelReadComplete() }
        for event in heldEvents { ctx.fireUserInboundEventTriggered(event) }
        held = []
        heldEvents = []
        ctx.pipeline.syncOperations.removeHandler(context: ctx, promise: nil)
    }

    /// Drops the context, which holds this handler: keeping it would be a retain cycle per connection.
    func handlerRemoved(context: ChannelHandlerContext) {
        handlerContext = nil
        held = []
        heldEvents = []
    }

    private func refuse(_ channel: Channel, facts: ConnectionFacts) {
        listenerCounters.noRoute.wrappingIncrement(ordering: .relaxed)
        context.logger.info("No route matched; connection closed", metadata: [
            "client": "\(channel.remoteAddress.map(ProxySession.describe) ?? "?")", "listener": "\(listener)",
        ])
        let now = Date()
        context.accessLog?.log(AccessLogRecord(
            connectionID: context.registry.makeID(),
            remoteAddr: channel.remoteAddress?.ipAddress ?? "-", remotePort: channel.remoteAddress?.port ?? 0,
            serverAddr: channel.localAddress?.ipAddress ?? "-", serverPort: channel.localAddress?.port ?? 0,
            transport: "TCP", status: 404, bytesSent: 0, bytesReceived: 0, start: now, end: now,
            upstreamAddr: nil, upstreamAddrsTried: [], upstreamBytesSent: 0, upstreamBytesReceived: 0,
            upstreamConnectTime: nil, routeID: nil, closeReason: CloseReason.noRoute.rawValue))
        let counters = listenerCounters
        handlerContext = nil
        channel.close(promise: nil)
        channel.closeFuture.whenComplete { _ in counters.closed() }
    }
}
