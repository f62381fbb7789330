import Foundation
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import SluiceConfig

/// The last handler before the glue on an accepted TCP connection: learns what routing needs — at once on a plain
/// listener; after the PROXY header (`proxy_protocol`), the TLS handshake (`tls`) or the ClientHello
/// (`tls_passthrough`) otherwise — routes, and hands the connection to a `ProxySession`; or closes it, sending
/// nothing, when no route matches or a preread fails.
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
    /// What must still arrive before routing.
    private var waitingFor: Set<Preread>
    /// The server name of the client's TLS handshake or ClientHello.
    var serverName: String?
    private var proxyHeader: ProxyProtocolHeader?
    private var proxyHeaderTrusted = false
    private var tlsVersion: String?
    /// `tls_passthrough`: the bytes read so far, for the ClientHello parser (they are also held to be forwarded).
    private var helloBytes: [UInt8] = []

    enum Preread { case proxyHeader, tlsHandshake, clientHello }

    init(context: EngineContext, listener: ListenerSpec, listenerCounters: TrafficCounters) {
        self.context = context
        self.listener = listener
        self.listenerCounters = listenerCounters
        var waiting: Set<Preread> = []
        if listener.proxyProtocol { waiting.insert(.proxyHeader) }
        if listener.tls { waiting.insert(.tlsHandshake) }
        if listener.tlsPassthrough { waiting.insert(.clientHello) }
        waitingFor = waiting
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
        if waitingFor.isEmpty {
            start()
        } else {
            prereadTimer = ctx.eventLoop.assumeIsolated().scheduleTask(in: EngineTuning.prereadTimeout) {
                self.refuse(status: 400, reason: "preread_timeout",
                            why: "Preread (PROXY header, TLS handshake or ClientHello) not finished in time")
            }
        }
        ctx.fireChannelActive()
    }

    /// One preread finished; routes once none is left.
    private func finished(_ step: Preread) {
        waitingFor.remove(step)
        if waitingFor.isEmpty { start() }
    }

    /// From the `ProxyProtocolReceiver`. The header's addresses count only from a `real_ip_from` sender.
    func received(proxyHeader header: ProxyProtocolHeader) {
        proxyHeader = header
        let peer = handlerContext?.channel.remoteAddress?.ipAddress.flatMap(IPAddress.init)
        proxyHeaderTrusted = peer.map { ip in context.trustedProxies.contains { $0.contains(ip) } } ?? false
        if !proxyHeaderTrusted {
            context.logger.debug("PROXY header from an address not in real_ip_from; its addresses are ignored",
                                 metadata: ["peer": "\(peer?.description ?? "?")"])
        }
        finished(.proxyHeader)
    }

    /// What routing, the registry and the log know about this connection.
    private func facts(_ channel: Channel) -> ConnectionFacts {
        var client = (host: channel.remoteAddress?.ipAddress ?? "-", port: channel.remoteAddress?.port ?? 0)
        var server = (host: channel.localAddress?.ipAddress ?? "-", port: channel.localAddress?.port ?? listener.port)
        if proxyHeaderTrusted, let header = proxyHeader, let source = header.source {
            client = (source.host, source.port)
            if let destination = header.destination { server = (destination.host, destination.port) }
        }
        var facts = ConnectionFacts(remoteAddress: IPAddress(client.host), serverAddress: IPAddress(server.host),
                                    serverPort: server.port, sni: serverName, transport: .tcp)
        facts.clientHost = client.host
        facts.clientPort = client.port
        facts.serverHost = server.host
        facts.proxyProtocolAddr = proxyHeader == nil ? nil : channel.remoteAddress?.ipAddress
        facts.tlsVersion = tlsVersion
        return facts
    }

    /// Routes with what is known now and starts the session.
    private func start() {
        guard !started, let ctx = handlerContext else { return }
        started = true
        prereadTimer?.cancel()
        let channel = ctx.channel
        let facts = facts(channel)
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
        if waitingFor == [.clientHello] {
            helloBytes += unwrapInboundIn(data).readableBytesView
            peekClientHello()
        }
    }

    /// `tls_passthrough`: the ClientHello's server name, read from the held bytes, which go on untouched.
    private func peekClientHello() {
        switch ClientHelloParser.parse(helloBytes[...]) {
        case .needMoreData:
            if heldBytes >= EngineTuning.maxHeldBytes {
                refuse(status: 400, reason: "bad_client_hello", why: "ClientHello larger than the preread buffer")
            }
        case .clientHello(let name, _):
            serverName = name
            helloBytes = []
            finished(.clientHello)
        case .notTLS(let why), .malformed(let why):
            refuse(status: 400, reason: "bad_client_hello", why: "Not a usable TLS ClientHello: \(why)")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            tlsVersion = (try? context.pipeline.syncOperations.nioSSL_tlsVersion()).flatMap { $0 }.map(Self.name)
            finished(.tlsHandshake)
            return
        }
        if waitingFor.contains(.clientHello), let e = event as? ChannelEvent, case .inputClosed = e {
            refuse(status: 400, reason: "bad_client_hello", why: "Connection ended inside the ClientHello")
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

    static func name(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }

    // MARK: refusing

    /// Closes a connection that never reached a route, with a log line and an access-log record.
    func refuse(status: Int, reason: String, why: String, error: Error? = nil) {
        guard let ctx = handlerContext, ctx.channel.isActive else { return }
        prereadTimer?.cancel()
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
            upstreamConnectTime: nil, routeID: nil, closeReason: reason, sslServerName: serverName,
            proxyProtocolAddr: proxyHeader == nil ? nil : channel.remoteAddress?.ipAddress))
        held = []
        channel.close(promise: nil)
    }
}
