#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import SluiceConfig

/// Binds one `stream_proxy.tcp` address: one server channel per event loop with `SO_REUSEPORT`, each accepting
/// onto its own loop, so a connection, its upstream and its session never hop threads. Accepts back off for a
/// second when the process runs out of file descriptors (NIO's `AcceptBackoffHandler`) instead of spinning.
enum TCPListener {
    /// - Returns: the bound server channels, one per event loop.
    /// - Throws: the bind error (address in use — also when another process holds the port with `SO_REUSEPORT`
    ///   of its own —, permission…).
    static func bind(_ spec: ListenerSpec, group: EventLoopGroup, context: EngineContext) throws -> [Channel] {
        let listener = ListenerRuntime(spec: spec, counters: context.counters)
        var port = spec.port
        if port != 0 { try ExclusivePortProbe.check(host: spec.host, port: port) }
        var channels: [Channel] = []
        do {
            for loop in group.makeIterator() {
                let channel = try bootstrap(listener, loop: loop, context: context).bind(host: spec.host, port: port).wait()
                channels.append(channel)
                // Port 0: the first bind chose the port; the other loops share that one.
                if port == 0 { port = channel.localAddress?.port ?? 0 }
            }
        } catch {
            for channel in channels { channel.close(promise: nil) }
            throw error
        }
        return channels
    }

    private static func bootstrap(_ listener: ListenerRuntime, loop: EventLoop, context: EngineContext) -> ServerBootstrap {
        ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.backlog, value: EngineTuning.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SO_REUSEPORT), value: 1)
            .serverChannelOption(.maxMessagesPerRead, value: EngineTuning.acceptsPerRead)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler())
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: EngineTuning.receiveAllocator)
            .childChannelOption(.writeBufferWaterMark, value: EngineTuning.writeWaterMark)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try initialize(channel, listener: listener, context: context) }
            }
    }

    /// A bootstrap that adopts a connection the fast path accepted (`withConnectedSocket`) with the same options
    /// and pipeline as an accepted child channel.
    static func clientBootstrap(group: EventLoop, listener: ListenerRuntime, context: EngineContext) -> ClientBootstrap {
        ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: EngineTuning.receiveAllocator)
            .channelOption(.writeBufferWaterMark, value: EngineTuning.writeWaterMark)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try initialize(channel, listener: listener, context: context) }
            }
    }

    /// The pipeline of an accepted connection: PROXY header receiver, TLS termination (as the listener asks),
    /// then the front handler of its `TCPSession`.
    private static func initialize(_ channel: Channel, listener: ListenerRuntime, context: EngineContext) throws {
        let session = TCPSession(context: context, listener: listener, client: channel)
        let front = ClientFrontHandler(session: session)
        session.front = front
        let pipeline = channel.pipeline.syncOperations
        if listener.spec.proxyProtocol { try pipeline.addHandler(ProxyProtocolReceiver(session: session)) }
        if listener.spec.tls {
            try pipeline.addHandler(TLSTermination.sniStep(channel: channel, context: context, session: session,
                                                           before: front))
        }
        try pipeline.addHandler(front)
    }
}
