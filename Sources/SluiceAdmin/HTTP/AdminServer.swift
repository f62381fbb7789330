import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SluiceConfig
import Synchronization

/// The Admin API's HTTP/1.1 listener (NIOHTTP1) on `admin.listen`, sharing the engine's event loops.
///
/// At most `maxConnections` connections are open at once; one beyond that is closed as soon as it is accepted.
public final class AdminServer: Sendable {
    /// APISIX's client_max_body_size for the Admin API: 1.5 MiB.
    public static let bodyLimit = 1_572_864
    /// The most Admin API connections open at once.
    public static let maxConnections = 256

    private let api: AdminAPI
    private let listen: HostPort
    private let group: EventLoopGroup
    private let logger: Logger
    private let channel = Mutex<Channel?>(nil)
    private let openConnections = Atomic<Int>(0)

    public init(api: AdminAPI, listen: HostPort, group: EventLoopGroup, logger: Logger) {
        self.api = api
        self.listen = listen
        self.group = group
        self.logger = logger
    }

    /// Binds the listener.
    /// - Throws: the bind error (address in use, …).
    public func start() throws {
        let api = self.api
        let bound = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                let open = openConnections.add(1, ordering: .relaxed).newValue
                channel.closeFuture.whenComplete { _ in self.openConnections.subtract(1, ordering: .relaxed) }
                guard open <= Self.maxConnections else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(api: api, bodyLimit: Self.bodyLimit))
                }
            }
            .bind(host: listen.host, port: listen.port).wait()
        channel.withLock { $0 = bound }
        logger.info("Admin API listening", metadata: ["admin.listen": "\(listen)"])
    }

    /// The bound port (useful when `listen` asked for port 0).
    public var port: Int? { channel.withLock { $0?.localAddress?.port } }

    /// Closes the listener; requests in flight finish on their connections.
    public func stop() {
        let ch = channel.withLock { c in
            defer { c = nil }
            return c
        }
        try? ch?.close().wait()
    }
}
