import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// A plugin through every phase, on real loopback sockets: it holds the client's first line without consuming it
/// (preread), sets `test_key` from it, refuses `BAD` in preread and `DENY` in access, delays `SLOW`, picks the node
/// by the key (balance), and sees every final record (log).
final class LineKeyPlugin: StreamPlugin {
    let name = "test-line-key"
    let priority = 1000
    let phases: PluginPhases = [.preread, .access, .balance, .log]
    let records = Mutex<[AccessLogRecord]>([])

    func preread(_ bytes: ByteBufferView, session: inout PluginSession) -> PrereadVerdict {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
        let line = String(decoding: bytes[bytes.startIndex..<newline], as: UTF8.self)
        if line == "BAD" { return .refuse(.pluginRefused, why: "test plugin refused in preread") }
        session.variables["test_key"] = line
        return .done
    }

    func access(_ session: inout PluginSession) -> AccessVerdict {
        switch session.variables["test_key"] {
        case "DENY": .refuse(.ipRestricted, why: "test plugin refused in access")
        case "SLOW": .delay(.milliseconds(300))
        default: .allow
        }
    }

    func balance(_ session: PluginSession) -> BalanceChoice {
        session.variables["test_key"].map(BalanceChoice.hashKey) ?? .keep
    }

    func log(_ record: AccessLogRecord, session: PluginSession) { records.withLock { $0.append(record) } }
}

/// A plugin that takes part in the given phases only (access by default: the priority order check).
struct OrderPlugin: StreamPlugin {
    let name: String
    let priority: Int
    var phases: PluginPhases = [.access]
}

@Suite(.serialized)
final class PluginPhaseTests {
    let upstreams = NamedEchoServers()
    let dir = NSTemporaryDirectory() + "sluice-plugins-\(UUID().uuidString)"
    var engine: Engine?
    let plugin = LineKeyPlugin()

    deinit { upstreams.shutDown(after: engine) }

    func startServer(name: String) throws -> Int { try upstreams.start(name: name) }

    /// The engine with one route over nodes a and b (chash on `test_key`), the route carrying `plugin`.
    func startEngine() throws -> Int {
        let a = try startServer(name: "a")
        let b = try startServer(name: "b")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let yaml = """
        stream_routes:
          - id: r1
            upstream:
              type: chash
              key: remote_addr
              nodes: {"127.0.0.1:\(a)": 1, "127.0.0.1:\(b)": 1}
        """
        try yaml.write(toFile: dir + "/gateway.yaml", atomically: true, encoding: .utf8)
        let store = try Store(dataFile: dir + "/gateway.yaml")
        var settings = NodeSettings(dataFile: dir + "/gateway.yaml")
        settings.listeners = [ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 0)]
        let engine = Engine(group: upstreams.group, store: store, settings: settings, logger: Logger(label: "test"))
        try engine.start()
        self.engine = engine
        let plugin = self.plugin
        engine.replaceRoutingTable { table in
            guard let table else { return nil }
            let routes = table.router.routes.map {
                CompiledRoute(route: $0.route, upstream: $0.upstream, transport: $0.transport,
                              plugins: PluginChain([plugin]), counters: $0.counters)
            }
            return RoutingTable(revision: table.revision, routes: routes, upstreams: table.upstreams)
        }
        return engine.boundAddresses.values.first?.port ?? 0
    }

    func waitForRecords(_ n: Int) -> [AccessLogRecord] {
        let deadline = Date().addingTimeInterval(5)
        while plugin.records.withLock({ $0.count }) < n && Date() < deadline { usleep(10_000) }
        return plugin.records.withLock { $0 }
    }

    @Test func prereadHoldsBytesAndBalanceUsesTheVariable() throws {
        let port = try startEngine()
        var seen: [String: Set<String>] = [:]
        for i in 0..<12 {
            let key = "client-\(i % 4)"
            let c = try LoopbackSocket(port: port)
            // The line arrives in two pieces: the preread waits for the newline, then forwards all of it.
            c.send(String(key.prefix(3)))
            usleep(20_000)
            c.send(String(key.dropFirst(3)) + "\n")
            let reply = c.receive(2 + key.count + 1)
            #expect(reply.hasSuffix(":\(key)\n"), "the held bytes reach the node untouched: \(reply)")
            seen[key, default: []].insert(String(reply.prefix(1)))
        }
        #expect(seen.values.allSatisfy { $0.count == 1 }, "one key, one node: \(seen)")
        let records = waitForRecords(12)
        #expect(records.allSatisfy { $0.routeID == "r1" && $0.status == 200 })
    }

    @Test func prereadRefusalSendsNothingUpstream() throws {
        let port = try startEngine()
        let c = try LoopbackSocket(port: port)
        c.send("BAD\nmore")
        #expect(c.seesEOF())
        let record = waitForRecords(1).first
        #expect(record?.closeReason == "plugin_refused")
        #expect(record?.status == 403)
        #expect(record?.upstreamAddr == nil && record?.upstreamBytesSent == 0)
        #expect(record?.bytesReceived == 8, "what the client sent is counted, none of it forwarded")
    }

    @Test func accessRefusalAndDelay() throws {
        let port = try startEngine()
        let denied = try LoopbackSocket(port: port)
        denied.send("DENY\n")
        #expect(denied.seesEOF())
        let slow = try LoopbackSocket(port: port)
        let started = Date()
        slow.send("SLOW\n")
        #expect(slow.receive(7).hasSuffix(":SLOW\n"))
        #expect(Date().timeIntervalSince(started) >= 0.29, "the access phase delayed the connect")
        let records = waitForRecords(1)
        #expect(records.first?.closeReason == "ip_restricted" && records.first?.status == 403)
        let snap = engine?.snapshot()
        #expect(snap?.listeners.first?.traffic.refusals["ip_restricted"] == 1)
    }

    @Test func prereadTimeoutIsBoundedAndClientFinEndsIt() throws {
        let port = try startEngine()
        let c = try LoopbackSocket(port: port)
        c.send("no newline yet")
        shutdown(c.fd, Int32(SHUT_WR))
        #expect(c.seesEOF(), "a client that half-closes during the preread is released at once")
        #expect(waitForRecords(1).first?.closeReason == "preread_aborted")
    }

    @Test func priorityOrder() {
        let chain = PluginChain([
            OrderPlugin(name: "syslog", priority: 401),
            OrderPlugin(name: "ip-restriction", priority: 3000),
            OrderPlugin(name: "limit-conn", priority: 1003),
            OrderPlugin(name: "limit-conn-2", priority: 1003),
        ])
        #expect(chain.accessors.map { $0.name } == ["ip-restriction", "limit-conn", "limit-conn-2", "syslog"])
        #expect(chain.prereaders.isEmpty)
        #expect(chain.phases == TCPSessionMachine.RoutedPhases(preread: false, access: true))
        #expect(PluginChain.empty.isEmpty)
    }

    /// The kernel fast path runs access and log plugins (ip-restriction, limit-conn, prometheus, syslog); a
    /// preread, a balance choice or pacing sends the route's connections through NIO.
    @Test func fastPathTakesAccessAndLogPluginsOnly() {
        func chain(_ phases: PluginPhases...) -> PluginChain {
            PluginChain(phases.enumerated().map { OrderPlugin(name: "p\($0.offset)", priority: 1, phases: $0.element) })
        }
        #expect(PluginChain.empty.runsOnFastPath)
        #expect(chain([.access], [.log], [.access, .log]).runsOnFastPath)
        #expect(!chain([.access], [.preread]).runsOnFastPath)
        #expect(!chain([.balance]).runsOnFastPath)
        #expect(!chain([.log], [.transfer]).runsOnFastPath)
    }
}
