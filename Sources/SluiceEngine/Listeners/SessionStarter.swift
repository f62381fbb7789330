import Foundation
import Logging
import NIOCore
import NIOTLS
import SluiceConfig

/// The last handler before the glue on an accepted TCP connection: learns what routing needs (at once for a
/// plain listener; after the TLS handshake on a `tls` listener), routes, and hands the connection to a
/// `ProxySession` — or closes it, sending nothing, when no route matches or the preread fails.
///
/// Until the upstream is connected it holds what the client sent (at most `EngineTuning.maxHeldBytes`; reading
/// pauses beyond that), and `release()` passes it on once the glue follows this handler.
final class SessionStarter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let context: EngineContext
    private let listener: ListenerSpec
    private let listenerCounters: TrafficCounters
    private var held: [NIOAny] = []
    private var heldBytes = 0
    private var heldEvents: [Any] = []
    private var pendingRead = false
    private var handlerContext: ChannelHandlerContext?
    private var prereadTimer: Scheduled<Void>?
    private var started = false
    /// The server name of the client's TLS handshake (set by the listener's SNI step).
    var serverName: String?

    init(context: EngineContext, listener: ListenerSpec, listenerCounters: TrafficCounters) {
        self.context = context
        self.listener = listener
        self.listenerCounters = listenerCounters
    }

    func handlerAdded(context ctx: ChannelHandlerContext) { handlerContext = ctx }

    /// Drops the context, which holds this handler: keeping it would be a retain cycle per connection.
    func handlerRemoved(context: ChannelHandlerContext) {
        handlerContext = nil
        held = []
        heldEvents = []
        prereadTimer?.cancel()
    }

    func channelActive(context ctx: ChannelHandlerContext) {
        listenerCounters.opened()
        let counters = listenerCounters
        let starter = NIOLoopBound(self, eventLoop: ctx.eventLoop)
        ctx.channel.closeFuture.whenComplete { _ in
            if !starter.value.started { counters.closed() }
        }
        if listener.tls {
            prereadTimer = ctx.eventLoop.assumeIsolated().scheduleTask(in: EngineTuning.prereadTimeout) {
                self.refuse(status: 400, reason: "preread_timeout", why: "TLS handshake not finished in time")
            }
        } else {
            start()
        }
        ctx.fireChannelActive()
    }

    /// Routes with what is known now and starts the session.
    private func start() {
        guard !started, let ctx = handlerContext else { return }
        started = true
        prereadTimer?.cancel()
        let channel = ctx.channel
        let facts = ConnectionFacts(remoteAddress: channel.remoteAddress?.ipAddress.flatMap(IPAddress.init),
                                    serverAddress: channel.localAddress?.ipAddress.flatMap(IPAddress.init),
                                    serverPort: channel.localAddress?.port ?? listener.port, sni: serverName,
                                    transport: .tcp)
        guard let route = context.routingTable?.router.match(facts), let upstream = route.upstream else {
            started = false
            refuse(status: 404, reason: CloseReason.noRoute.rawValue, why: "No route matched; connection closed")
            return
        }
        let session = ProxySession(context: context, client: channel, route: route, runtime: upstream, facts: facts,
                                   listenerName: "\(listener)", listenerCounters: listenerCounters, starter: self)
        session.begin()
    }

    // MARK: holding the client's first bytes

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heldBytes += unwrapInboundIn(data).readableBytes
        held.append(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            start()
            return
        }
        heldEvents.append(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !started else {
            context.fireErrorCaught(error)
            return
        }
        refuse(status: 400, reason: listener.tls ? "handshake_failed" : "error", why: "Connection failed before routing",
               error: error)
    }

    /// Reads pause while the held bytes exceed the preread buffer.
    func read(context: ChannelHandlerContext) {
        if heldBytes < EngineTuning.maxHeldBytes {
            context.read()
        } else {
            pendingRead = true
        }
    }

    /// Called once the glue follows this handler: passes on what was held, then leaves the pipeline.
    func release() {
        guard let ctx = handlerContext else { return }
        for data in held { ctx.fireChannelRead(data) }
        if !held.isEmpty { ctx.fireChannelReadComplete() }
        for event in heldEvents { ctx.fireUserInboundEventTriggered(event) }
        held = []
        heldEvents = []
        heldBytes = 0
        let resume = pendingRead
        ctx.pipeline.syncOperations.removeHandler(context: ctx, promise: nil)
        if resume { ctx.channel.read() }
    }

    // MARK: refusing

    /// Closes a connection that never reached a route, with a log line and an access-log record.
    func refuse(status: Int, reason: String, why: String, error: Error? = nil) {
        guard let ctx = handlerContext else { return }
        let channel = ctx.channel
        if status == 404 {
            listenerCounters.noRoute.wrappingIncrement(ordering: .relaxed)
        } else {
            listenerCounters.refused(reason)
        }
        var metadata: Logger.Metadata = [
            "client": "\(channel.remoteAddress.map(ProxySession.describe) ?? "?")", "listener": "\(listener)",
            "close_reason": "\(reason)",
        ]
        if let serverName { metadata["sni"] = "\(serverName)" }
        if let error { metadata["error"] = "\(error)" }
        context.logger.info("\(why)", metadata: metadata)
        let now = Date()
        context.accessLog?.log(AccessLogRecord(
            connectionID: context.registry.makeID(),
            remoteAddr: channel.remoteAddress?.ipAddress ?? "-", remotePort: channel.remoteAddress?.port ?? 0,
            serverAddr: channel.localAddress?.ipAddress ?? "-", serverPort: channel.localAddress?.port ?? 0,
            transport: "TCP", status: status, bytesSent: 0, bytesReceived: UInt64(heldBytes), start: now, end: now,
            upstreamAddr: nil, upstreamAddrsTried: [], upstreamBytesSent: 0, upstreamBytesReceived: 0,
            upstreamConnectTime: nil, routeID: nil, closeReason: reason))
        held = []
        channel.close(promise: nil)
    }
}
