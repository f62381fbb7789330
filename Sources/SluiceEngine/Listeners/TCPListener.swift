import NIOCore
import NIOPosix
import SluiceConfig

/// Binds one `stream_proxy.tcp` address.
enum TCPListener {
    /// - Returns: the bound server channel.
    /// - Throws: the bind error (address in use, permission…).
    static func bind(_ spec: ListenerSpec, group: EventLoopGroup, context: EngineContext) -> EventLoopFuture<Channel> {
        let counters = context.counters.counters("listener:\(spec)")
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: EngineTuning.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: EngineTuning.receiveAllocator)
            .childChannelOption(.writeBufferWaterMark, value: EngineTuning.writeWaterMark)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let starter = SessionStarter(context: context, listener: spec, listenerCounters: counters)
                    if spec.proxyProtocol {
                        try channel.pipeline.syncOperations.addHandler(ProxyProtocolReceiver(starter: starter))
                    }
                    if spec.tls {
                        try channel.pipeline.syncOperations.addHandler(
                            TLSTermination.sniStep(channel: channel, context: context, starter: starter))
                    }
                    try channel.pipeline.syncOperations.addHandler(starter)
                }
            }
            .bind(host: spec.host, port: spec.port)
    }
}
