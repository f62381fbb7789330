import NIOCore
import NIOPosix
import SluiceConfig

/// Binds one `stream_proxy.udp` address.
enum UDPListener {
    static func bind(_ spec: ListenerSpec, group: EventLoopGroup, context: EngineContext, sessionLimit: Int)
        -> EventLoopFuture<Channel> {
        let listener = ListenerRuntime(spec: spec, counters: context.counters)
        return DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // recvmmsg: up to `datagramsPerRead` datagrams per system call, each with room for the largest one.
            .channelOption(.datagramVectorReadMessageCount, value: EngineTuning.datagramsPerRead)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(
                capacity: EngineTuning.datagramsPerRead * EngineTuning.maxDatagram))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPListenerHandler(context: context, listener: listener, sessionLimit: sessionLimit))
                }
            }
            .bind(host: spec.host, port: spec.port)
    }
}

/// Demultiplexes a UDP listener's datagrams into sessions by client address (nginx: one session per client).
final class UDPListenerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let context: EngineContext
    private let listener: ListenerRuntime
    private var counters: TrafficCounters { listener.counters }
    private var spec: ListenerSpec { listener.spec }
    private let sessionLimit: Int
    private var sessions: [SocketAddress: UDPSession] = [:]
    /// Sessions with datagrams of the current read still to send.
    private var flushing: [UDPSession] = []

    init(context: EngineContext, listener: ListenerRuntime, sessionLimit: Int) {
        self.context = context
        self.listener = listener
        self.sessionLimit = sessionLimit
    }

    func channelRead(context ctx: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let client = envelope.remoteAddress
        if let session = sessions[client] {
            if session.fromClient(envelope.data) { flushing.append(session) }
            return
        }
        guard sessions.count < sessionLimit else {
            counters.sessionsDropped.wrappingAdd(1, ordering: .relaxed)
            return
        }
        let local = ctx.channel.localAddress
        var facts = ConnectionFacts(remoteAddress: client.ipAddress.flatMap(IPAddress.init),
                                    serverAddress: local?.ipAddress.flatMap(IPAddress.init),
                                    serverPort: local?.port ?? spec.port, transport: .udp)
        facts.clientHost = client.ipAddress ?? "-"
        facts.clientPort = client.port ?? 0
        facts.serverHost = local?.ipAddress ?? "-"
        // A route without an upstream of its own has a traffic-split naming one for every session.
        guard let route = context.routingTable?.router.match(facts),
              route.upstream != nil || !route.plugins.balancers.isEmpty else {
            counters.noRoute.wrappingAdd(1, ordering: .relaxed)
            // Debug only: a client that keeps sending would otherwise flood the log; the count is on the dashboard.
            self.context.logger.debug("No route matched; datagram dropped",
                                      metadata: ["client": "\(client.hostPortText)", "listener": "\(spec)"])
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: ctx.eventLoop)
        let session = UDPSession(context: context, listenerChannel: ctx.channel, listener: listener, client: client,
                                 facts: facts, route: route, expectedReplies: spec.udpResponses,
                                 onEnd: { loopBound.value.sessions[$0] = nil })
        sessions[client] = session
        if session.fromClient(envelope.data) { flushing.append(session) }
        session.begin()
    }

    /// The end of one read (up to `datagramsPerRead` datagrams by `recvmmsg`): each session sends what it got.
    func channelReadComplete(context: ChannelHandlerContext) {
        let sessions = flushing
        flushing = []
        for session in sessions { session.flushToUpstream() }
        context.fireChannelReadComplete()
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
