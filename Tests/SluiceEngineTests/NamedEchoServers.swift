import NIOCore
import NIOPosix
@testable import SluiceEngine

/// Upstream servers on loopback that answer every read with `name:` + the bytes, and the event loops an engine
/// under test shares with them; `shutDown` closes the engine's listeners, the servers and the loops.
final class NamedEchoServers {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    private var servers: [Channel] = []

    /// - Returns: the port of a new server named `name`.
    func start(name: String) throws -> Int {
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(NamedEcho(name: name)) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        servers.append(channel)
        return channel.localAddress?.port ?? 0
    }

    func shutDown(after engine: Engine?) {
        engine?.stopAccepting()
        for s in servers { try? s.close().wait() }
        try? group.syncShutdownGracefully()
    }
}
