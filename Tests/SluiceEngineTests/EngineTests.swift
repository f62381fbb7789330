import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// The engine on real loopback sockets: counters, the registry's kill, live configuration changes.
@Suite(.serialized)
final class EngineTests {
    let upstreams = NamedEchoServers()
    let dir = NSTemporaryDirectory() + "sluice-engine-\(UUID().uuidString)"
    var engine: Engine?

    deinit { upstreams.shutDown(after: engine) }

    func startServer(name: String) throws -> Int { try upstreams.start(name: name) }

    func startEngine(upstreamPort: Int) throws -> (Engine, Store, Int) {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try route(upstreamPort).write(toFile: dir + "/gateway.yaml", atomically: true, encoding: .utf8)
        let store = try Store(dataFile: dir + "/gateway.yaml")
        var settings = NodeSettings(dataFile: dir + "/gateway.yaml")
        settings.listeners = [ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 0)]
        let engine = Engine(group: upstreams.group, store: store, settings: settings, logger: Logger(label: "test"))
        try engine.start()
        self.engine = engine
        let port = engine.boundAddresses.values.first?.port ?? 0
        return (engine, store, port)
    }

    func route(_ port: Int) -> String {
        "stream_routes:\n  - id: r1\n    upstream: {nodes: {\"127.0.0.1:\(port)\": 1}}\n"
    }

    func waitUntil(_ what: String, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(5)
        while !condition() && Date() < deadline { usleep(10_000) }
        #expect(condition(), "timed out waiting until \(what)")
    }

    @Test func proxiesAndCounts() throws {
        let (engine, _, port) = try startEngine(upstreamPort: try startServer(name: "a"))
        let client = try LoopbackSocket(port: port)
        client.send("hello")
        #expect(client.receive(7) == "a:hello")
        let snap = engine.snapshot()
        #expect(snap.connections.count == 1)
        #expect(snap.connections.first?.routeID == "r1")
        #expect(snap.connections.first?.bytesIn == 5)
        #expect(snap.connections.first?.bytesOut == 7)
        #expect(snap.routes.first?.traffic.active == 1)
        #expect(snap.listeners.first?.traffic.bytesIn == 5)
        #expect(snap.upstreams.first?.nodes.first?.traffic.bytesOut == 7)
    }

    @Test func killClosesOneConnection() throws {
        let (engine, _, port) = try startEngine(upstreamPort: try startServer(name: "a"))
        let victim = try LoopbackSocket(port: port)
        let bystander = try LoopbackSocket(port: port)
        victim.send("x")
        bystander.send("y")
        #expect(victim.receive(3) == "a:x" && bystander.receive(3) == "a:y")
        guard let id = engine.registry.list().first(where: { $0.client == "127.0.0.1:\(victim.localPort)" })?.id else {
            Issue.record("no live connection")
            return
        }
        #expect(engine.registry.close(id: id))
        #expect(victim.seesEOF())
        bystander.send("still")
        #expect(bystander.receive(7) == "a:still")
        waitUntil("the killed connection leaves the registry") { engine.registry.count == 1 }
        #expect(engine.registry.close(id: 999_999) == false)
    }

    @Test func routeChangeAffectsNewConnectionsOnly() throws {
        let portA = try startServer(name: "a")
        let portB = try startServer(name: "b")
        let (_, store, port) = try startEngine(upstreamPort: portA)
        let old = try LoopbackSocket(port: port)
        old.send("1")
        #expect(old.receive(3) == "a:1")
        try store.apply(.replaceAll(try ConfigValue.parseYAML(route(portB), file: "t"), file: nil), source: .file)
        let new = try LoopbackSocket(port: port)
        new.send("2")
        #expect(new.receive(3) == "b:2")
        old.send("3")
        #expect(old.receive(3) == "a:3")
    }
}

/// Replies `name:` + whatever it read.
final class NamedEcho: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let name: String
    init(name: String) { self.name = name }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        var reply = context.channel.allocator.buffer(string: "\(name):")
        reply.writeBuffer(&buffer)
        context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
    }
}
