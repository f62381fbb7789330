import Foundation
import Logging
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// What the exporter reads: every ending counted by reason on the listener, route, upstream and node (fast path
/// and NIO alike), the upstream side's bytes, and the `prometheus` plugin's per-route status counts.
@Suite(.serialized)
final class PrometheusCountingTests {
    let upstreams = NamedEchoServers()
    let dir = NSTemporaryDirectory() + "sluice-prometheus-\(UUID().uuidString)"
    var engine: Engine?

    deinit { upstreams.shutDown(after: engine) }

    func startEngine(plugins: String) throws -> (Engine, Int, Int) {
        let node = try upstreams.start(name: "a")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "stream_routes:\n  - id: r1\n    plugins: \(plugins)\n    upstream: {nodes: {\"127.0.0.1:\(node)\": 1}}\n"
            .write(toFile: dir + "/gateway.yaml", atomically: true, encoding: .utf8)
        var settings = NodeSettings(dataFile: dir + "/gateway.yaml")
        settings.listeners = [ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 0)]
        let engine = Engine(group: upstreams.group, store: try Store(dataFile: dir + "/gateway.yaml"),
                            settings: settings, logger: Logger(label: "test"))
        try engine.start()
        self.engine = engine
        return (engine, engine.boundAddresses.values.first?.port ?? 0, node)
    }

    /// Three sessions sending `hello` (the echo answers `a:hello`), then the engine's snapshot once they ended.
    func threeSessions(_ engine: Engine, port: Int) throws -> EngineSnapshot {
        for _ in 0..<3 {
            let c = try LoopbackSocket(port: port)
            c.send("hello")
            #expect(c.receive(7) == "a:hello")
        }
        let deadline = Date().addingTimeInterval(5)
        while engine.snapshot().listeners.first?.traffic.endings[.clientClosed] != 3 && Date() < deadline {
            usleep(10_000)
        }
        return engine.snapshot()
    }

    @Test func endingsAndUpstreamBytesWithoutPlugins() throws {
        let (engine, port, _) = try startEngine(plugins: "{}")
        let snap = try threeSessions(engine, port: port)
        let listener = try #require(snap.listeners.first).traffic
        #expect(listener.endings == [.clientClosed: 3])
        #expect(listener.upstreamBytesSent == 15 && listener.upstreamBytesReceived == 21)
        #expect(snap.routes.first?.traffic.endings == [.clientClosed: 3])
        #expect(snap.upstreams.first?.nodes.first?.traffic.endings == [.clientClosed: 3])
        #expect(snap.routes.first?.prometheus == nil, "no plugin, no per-route APISIX counts")
    }

    @Test func thePluginCountsStatusPerListenerAndNode() throws {
        let (engine, port, node) = try startEngine(plugins: "{prometheus: {prefer_name: true}}")
        let snap = try threeSessions(engine, port: port)
        let counts = try #require(snap.routes.first?.prometheus)
        #expect(counts.preferName)
        #expect(counts.status == [StreamStatusKey(code: "200", listenAddr: "127.0.0.1:0", node: "127.0.0.1:\(node)"): 3])
        #expect(snap.routes.first?.traffic.total == 3)
    }

    @Test func apisixCodesAreNginxStreamCodes() {
        #expect(StreamStatusCounts.code(for: .clientClosed) == "200")
        #expect(StreamStatusCounts.code(for: .idleTimeout) == "502", "a timeout after the connect is nginx's 502")
        #expect(StreamStatusCounts.code(for: .connectFailed) == "502")
        #expect(StreamStatusCounts.code(for: .ipRestricted) == "403")
        #expect(StreamStatusCounts.code(for: .limitConn) == "503")
        #expect(StreamStatusCounts.code(for: .prereadTimeout) == "400")
        #expect(StreamStatusCounts.code(for: .noRoute) == "400", "Sluice's own 404 is not an nginx stream code")
        #expect(StreamStatusCounts.code(for: .error) == "500")
    }

    @Test func countsSurviveASnapshotThatKeepsThePlugin() {
        var first = PluginCompiler(previous: nil)
        let before = first.chain(routeID: "r1", [.prometheus(PrometheusConfig())]).prometheus
        before?.counts.add(StreamStatusKey(code: "200", listenAddr: "a", node: "n"))
        var second = PluginCompiler(previous: first)
        let after = second.chain(routeID: "r1", [.prometheus(PrometheusConfig(preferName: true))]).prometheus
        #expect(after?.values.status.values.reduce(0, +) == 1, "a counter never goes back")
        #expect(after?.values.preferName == true)
        var other = PluginCompiler(previous: second)
        #expect(other.chain(routeID: "r2", [.prometheus(PrometheusConfig())]).prometheus?.values.status == [:])
    }

    @Test func closeReasonCountersCountEachReason() {
        let counters = CloseReasonCounters()
        for reason in CloseReason.allCases { counters.count(reason) }
        counters.count(.killed)
        #expect(counters.values.count == CloseReason.allCases.count)
        #expect(counters.values[.killed] == 2 && counters.values[.noRoute] == 1)
    }
}
