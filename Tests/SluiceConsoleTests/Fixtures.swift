import Foundation
@testable import SluiceConfig
@testable import SluiceConsole
@testable import SluiceEngine

/// A fixed engine and configuration state for rendering screens.
enum Fixtures {
    static let gatewayYAML = """
    stream_routes:
      - {id: "1", name: echo, server_port: 9100, upstream_id: echo}
      - {id: "2", name: 数据库路由, remote_addr: "10.0.0.0/8", upstream: {nodes: {"127.0.0.1:6379": 1}}}
    services:
      - {id: s1, type: stream, scheme: tcp, upstream_id: echo}
    upstreams:
      - {id: echo, nodes: {"127.0.0.1:7000": 2, "127.0.0.1:7001": 0}}
    """

    static func traffic(active: Int = 0, total: UInt64 = 0, bytesIn: UInt64 = 0, bytesOut: UInt64 = 0,
                        fails: UInt64 = 0) -> TrafficValues {
        TrafficValues(total: total, active: active, bytesIn: bytesIn, bytesOut: bytesOut, connectFailures: fails, noRoute: 0)
    }

    static func config() throws -> ConfigSnapshot {
        let c = try GatewayConfig.decode(try ConfigValue.parseYAML(gatewayYAML, file: "gateway.yaml"), file: "gateway.yaml")
        return ConfigSnapshot(revision: 7, config: c, objectRevisions: [:])
    }

    static func engine(at time: Date = Date(timeIntervalSince1970: 1_000_000), scale: UInt64 = 1) -> EngineSnapshot {
        EngineSnapshot(
            takenAt: time, configRevision: 7,
            listeners: [.init(spec: ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 9100),
                              traffic: traffic(active: 2, total: 40, bytesIn: 1024 * 1024 * scale, bytesOut: 2048 * scale))],
            routes: [.init(id: "1", name: "echo", upstreamKey: "upstreams/echo", traffic: traffic(active: 2, total: 40)),
                     .init(id: "2", name: "数据库路由", upstreamKey: "stream_routes/2", traffic: traffic())],
            upstreams: [.init(key: "upstreams/echo", traffic: traffic(), nodes: [
                .init(address: "127.0.0.1:7000", weight: 2, traffic: traffic(active: 2, total: 40),
                      health: NodeHealthInfo(status: .healthy, since: time)),
                .init(address: "127.0.0.1:7001", weight: 0, traffic: traffic(),
                      health: NodeHealthInfo(status: .healthy, since: time)),
                .init(address: "127.0.0.1:7002", weight: 1, traffic: traffic(fails: 3),
                      health: NodeHealthInfo(status: .unhealthy, since: time.addingTimeInterval(-42), why: "refused",
                                             lastCheckLatency: 0.0021, lastCheck: "refused")),
            ], checkType: "tcp")],
            connections: [
                ConnectionInfo(id: 11, client: "127.0.0.1:50001", listener: "tcp 127.0.0.1:9100", routeID: "1",
                               upstreamKey: "upstreams/echo", node: "127.0.0.1:7000", state: .proxying,
                               startedAt: time.addingTimeInterval(-75), bytesIn: 500 * scale, bytesOut: 900 * scale),
                ConnectionInfo(id: 12, client: "127.0.0.2:50002", listener: "tcp 127.0.0.1:9100", routeID: "1",
                               upstreamKey: "upstreams/echo", node: "127.0.0.1:7000", state: .proxying,
                               startedAt: time.addingTimeInterval(-5), bytesIn: 10, bytesOut: 20),
            ])
    }

    static func data() throws -> ConsoleData {
        var rates = RateTracker()
        rates.update(engine(at: Date(timeIntervalSince1970: 1_000_000), scale: 1))
        let later = engine(at: Date(timeIntervalSince1970: 1_000_001), scale: 2)
        rates.update(later)
        return ConsoleData(engine: later, config: try config(), rates: rates, log: [LogEntry(sequence: 1, level: .info, line: "07:00:00 info Configuration applied")])
    }

    /// A Store on a temporary copy of the fixture configuration.
    static func store() throws -> Store {
        let dir = NSTemporaryDirectory() + "sluice-console-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try gatewayYAML.write(toFile: dir + "/gateway.yaml", atomically: true, encoding: .utf8)
        return try Store(dataFile: dir + "/gateway.yaml")
    }
}

extension ScreenAction {
    /// The action with its Store calls run to their end and replaced by what they lead to, as the console performs
    /// them (for tests that drive a screen without a `ConsoleApp`).
    var settled: ScreenAction {
        switch self {
        case .store(let call):
            call.waitForResult(seconds: .infinity)
            return call.collect()?.settled ?? .none
        case .sequence(let actions):
            return .sequence(actions.map(\.settled))
        default:
            return self
        }
    }
}
