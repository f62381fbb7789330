import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SluiceConfig
import Synchronization

/// An HTTP/1.1 listener (NIOHTTP1) sharing the engine's event loops: the Admin API's on `admin.listen`, the
/// Prometheus endpoint's on `prometheus.listen` — the same codec, limits and deadlines, another `HTTPResponder`.
///
/// At most `maxConnections` connections are open at once; one beyond that is closed as soon as it is accepted.
public final class AdminServer: Sendable {
    /// APISIX's client_max_body_size for the Admin API: 1.5 MiB.
    public static let bodyLimit = 1_572_864
    /// The most Admin API connections open at once.
    public static let maxConnections = 256

    private let api: any HTTPResponder
    private let listen: HostPort
    /// What the log and the errors call this listener, and the config field its address comes from.
    private let what: String
    private let field: String
    private let group: EventLoopGroup
    private let logger: Logger
    private let channel = Mutex<Channel?>(nil)
    private let openConnections = Atomic<Int>(0)

    /// The Admin API's listener.
    public convenience init(api: AdminAPI, listen: HostPort, group: EventLoopGroup, logger: Logger) {
        self.init(responder: api, listen: listen, what: "Admin API", field: "admin.listen", group: group,
                  logger: logger)
    }

    /// - Parameters:
    ///   - what: the listener's name in the log (`Prometheus endpoint`); `field`: where its address is set.
    public init(responder: any HTTPResponder, listen: HostPort, what: String, field: String, group: EventLoopGroup,
                logger: Logger) {
        self.api = responder
        self.listen = listen
        self.what = what
        self.field = field
        self.group = group
        self.logger = logger
    }

    /// Binds the listener.
    /// - Throws: `HTTPServerError.bindFailed` naming the address, its config field and why (address in use, …).
    public func start() throws {
        let api = self.api
        let bootstrap = ServerBootstrap(group: group)
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
        let bound: Channel
        do { bound = try bootstrap.bind(host: listen.host, port: listen.port).wait() } catch {
            throw HTTPServerError.bindFailed(what: what, field: field, listen: listen, why: Self.reason(error))
        }
        channel.withLock { $0 = bound }
        logger.info("\(what) listening", metadata: [field: "\(listen)"])
    }

    /// `address already in use` rather than NIO's `bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`.
    private static func reason(_ error: Error) -> String {
        guard let io = error as? IOError else { return "\(error)" }
        return String(cString: strerror(io.errnoCode)).lowercased()
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

/// Why an HTTP listener could not start.
public enum HTTPServerError: Error, CustomStringConvertible {
    case bindFailed(what: String, field: String, listen: HostPort, why: String)

    public var description: String {
        switch self {
        case let .bindFailed(what, field, listen, why): "cannot listen on \(listen) (\(field), the \(what)): \(why)"
        }
    }
}
