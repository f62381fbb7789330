import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// The `show sess` facts of a live connection — nodes tried, connect time, the upstream socket's local address,
/// the last activity — on both executors: a plain route goes through the kernel fast path (unless
/// `SLUICE_FAST_PATH=off`), a route with limit-bandwidth through NIO.
@Suite(.serialized)
final class ConnectionFactsTests {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var servers: [Channel] = []
    let dir = NSTemporaryDirectory() + "sluice-facts-\(UUID().uuidString)"
    var engine: Engine?

    deinit {
        engine?.stopAccepting()
        for s in servers { try? s.close().wait() }
        try? group.syncShutdownGracefully()
    }

    /// A server that answers each read with the port its client (the gateway's upstream socket) connected from.
    func startPeerPortServer() throws -> Int {
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(PeerPortReply()) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        servers.append(channel)
        return channel.localAddress?.port ?? 0
    }

    /// A port nobody listens on (bound, then closed).
    func deadPort() throws -> Int {
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 0
        try channel.close().wait()
        return port
    }

    func start(route: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try route.write(toFile: dir + "/gateway.yaml", atomically: true, encoding: .utf8)
        let store = try Store(dataFile: dir + "/gateway.yaml")
        var settings = NodeSettings(dataFile: dir + "/gateway.yaml")
        settings.listeners = [ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 0)]
        let engine = Engine(group: group, store: store, settings: settings, logger: Logger(label: "test"))
        try engine.start()
        self.engine = engine
        return engine.boundAddresses.values.first?.port ?? 0
    }

    func waitFor<T>(_ what: String, _ probe: () -> T?) -> T? {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let value = probe() { return value }
            usleep(10_000)
        }
        Issue.record("timed out waiting for \(what)")
        return nil
    }

    /// The dead node first (higher priority), then the live one; the `plugins` line may send the route through NIO.
    func route(dead: Int, live: Int, plugins: String) -> String {
        """
        stream_routes:
          - id: r1
            \(plugins)
            upstream:
              retries: 1
              nodes:
                - {host: 127.0.0.1, port: \(dead), weight: 1, priority: 1}
                - {host: 127.0.0.1, port: \(live), weight: 1, priority: 0}
        """
    }

    static let executors = [
        "name: plain",  // nothing but moving bytes: the fast path takes it
        // limit-bandwidth paces reads, which only NIO does (the fast path runs access and log plugins only)
        "plugins: {limit-bandwidth: {upload_rate: 104857600}}",
    ]

    @Test(arguments: executors) func factsOfALiveConnection(plugins: String) throws {
        let (dead, live) = (try deadPort(), try startPeerPortServer())
        let port = try start(route: route(dead: dead, live: live, plugins: plugins))
        let engine = try #require(engine)
        let client = try LoopbackSocket(port: port)
        let before = try #require(waitFor("the connection to proxy") {
            engine.registry.list().first { $0.state == .proxying }
        })
        #expect(before.nodesTried == ["127.0.0.1:\(dead)", "127.0.0.1:\(live)"], "the refused node, then the one in use")
        #expect(before.node == "127.0.0.1:\(live)")
        #expect((before.connectSeconds ?? -1) >= 0 && (before.connectSeconds ?? 10) < 5)
        #expect(before.lastActivity == nil, "no bytes moved yet")

        client.send("x")
        let upstreamPort = client.receive(5).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(upstreamPort) != nil)
        // Read on request (the fast path's getsockname happens only now); NIO had it from the connect.
        engine.registry.readUpstreamLocalAddress(id: before.id)
        let local = waitFor("the upstream local address") { engine.registry.list().first?.upstreamLocal }
        #expect(local == "127.0.0.1:\(upstreamPort)", "the address the node saw the gateway connect from")
        let after = try #require(engine.registry.list().first)
        let last = try #require(after.lastActivity, "bytes moved: the last activity is known")
        #expect(abs(last.timeIntervalSinceNow) < 5)
        #expect(last >= after.startedAt.addingTimeInterval(-0.01))
    }
}

/// Replies to every read with the client's port and a newline.
final class PeerPortReply: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = context.channel.allocator.buffer(string: "\(context.channel.remoteAddress?.port ?? 0)\n")
        context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
    }
}
