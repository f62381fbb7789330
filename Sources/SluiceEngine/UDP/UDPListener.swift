import NIOCore
import NIOPosix
import SluiceConfig

/// Binds one `stream_proxy.udp` address.
enum UDPListener {
    static func bind(_ spec: ListenerSpec, group: EventLoopGroup, context: EngineContext, sessionLimit: Int)
        -> EventLoopFuture<Channel> {
        let counters = context.counters.counters("listener:\(spec)")
        return DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPListenerHandler(context: context, spec: spec, counters: counters, sessionLimit: sessionLimit))
                }
            }
            .bind(host: spec.host, port: spec.port)
    }
}

/// Demultiplexes a UDP listener's datagrams into sessions by client address (nginx: one session per client).
final class UDPListenerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let context: EngineContext
    private let spec: ListenerSpec
    private let counters: TrafficCounters
    private let sessionLimit: Int
    private var sessions: [SocketAddress: UDPSession] = [:]

    init(context: EngineContext, spec: ListenerSpec, counters: TrafficCounters, sessionLimit: Int) {
        self.context = context
        self.spec = spec
        self.counters = counters
        self.sessionLimit = sessionLimit
    }

    func channelRead(context ctx: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let client = envelope.remoteAddress
        if let session = sessions[client] {
            session.fromClient(envelope.data)
            return
        }
        guard sessions.count < sessionLimit else {
            counters.sessionsDropped.wrappingIncrement(ordering: .relaxed)
            return
        }
        let facts = ConnectionFacts(remoteAddress: client.ipAddress.flatMap(IPAddress.init),
                                    serverAddress: ctx.channel.localAddress?.ipAddress.flatMap(IPAddress.init),
                                    serverPort: ctx.channel.localAddress?.port ?? spec.port, transport: .udp)
        guard let route = context.routingTable?.router.match(facts), let upstream = route.upstream else {
            counters.noRoute.wrappingIncrement(ordering: .relaxed)
            // Debug only: a client that keeps sending would otherwise flood the log; the count is on the dashboard.
            self.context.logger.debug("No route matched; datagram dropped",
                                      metadata: ["client": "\(ProxySession.describe(client))", "listener": "\(spec)"])
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: ctx.eventLoop)
        let session = UDPSession(context: context, listener: ctx.channel, client: client, route: route, runtime: upstream,
                                 listenerName: "\(spec)", listenerCounters: counters, expectedReplies: spec.udpResponses,
                                 onEnd: { loopBound.value.sessions[$0] = nil })
        sessions[client] = session
        session.begin(hashKey: facts.hashKey(upstream.upstream.hashKey))
        session.fromClient(envelope.data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        for session in Array(sessions.values) { session.close(.shutdown) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // An ICMP error for one client must not end the listener.
        self.context.logger.debug("UDP listener error", metadata: ["listener": "\(spec)", "error": "\(error)"])
    }
}
