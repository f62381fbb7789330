import Foundation
import Logging
import NIOEmbedded
import NIOPosix
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// A routing table compiled from the previous one (kept routes) against one compiled from nothing: the same
/// routes in the same order, resolved to the same upstreams, through a real `Store` taking random changes.
struct RoutingTableReuseTests {
    let logger = Logger(label: "test")
    let counters = CounterTable()

    func compile(_ snapshot: ConfigSnapshot, previous: RoutingTable?, health: HealthRegistry) -> RoutingTable {
        RoutingTable(snapshot: snapshot, previous: previous, counters: counters, health: health, logger: logger)
    }

    /// One random change: mostly a route's put (a block, a port, an upstream by id, inline or through the
    /// service, sometimes a plugin), else a route's delete, or an upstream's or the service's put.
    static func change(using random: inout SplitMix64) throws -> ConfigChange {
        let id = "r\(Int.random(in: 0..<40, using: &random))"
        let json: String
        switch Int.random(in: 0..<20, using: &random) {
        case 0..<3: return .delete(.streamRoutes, id: id)
        case 3:
            json = #"{"id":"u2","nodes":{"127.0.0.\#(Int.random(in: 2...4, using: &random)):80":1}}"#
            return .put(.upstreams, id: "u2", value: try ConfigValue.parseJSON(Array(json.utf8)))
        case 4:
            json = #"{"id":"s","upstream_id":"\#(Gen.pick(["u1", "u2"], using: &random))"}"#
            return .put(.services, id: "s", value: try ConfigValue.parseJSON(Array(json.utf8)))
        default:
            let target = Gen.pick([#""upstream_id":"u1""#, #""upstream_id":"u2""#, #""service_id":"s""#,
                                   #""upstream":{"nodes":{"127.0.0.1:7000":1}}"#], using: &random)
            let block = #""remote_addr":"10.\#(Int.random(in: 0..<4, using: &random)).0.0/16""#
            let port = #""server_port":\#(Gen.pick([9100, 9101], using: &random))"#
            let plugin = #""plugins":{"ip-restriction":{"whitelist":["10.0.0.0/8"]}}"#
            let withPlugin = Int.random(in: 0..<6, using: &random) == 0
            let fields = [#""id":"\#(id)""#, target, block, port] + (withPlugin ? [plugin] : [])
            json = "{" + fields.joined(separator: ",") + "}"
            return .put(.streamRoutes, id: id, value: try ConfigValue.parseJSON(Array(json.utf8)))
        }
    }

    @Test func keptRoutesCompileLikeAFreshTable() throws {
        let dir = NSTemporaryDirectory() + "sluice-reuse-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        upstreams:
          - {id: u1, nodes: {"127.0.0.1:6379": 1}}
          - {id: u2, nodes: {"127.0.0.2:80": 1}}
        services:
          - {id: s, upstream_id: u1}
        """.write(toFile: dir + "/gateway.yaml", atomically: true, encoding: .utf8)
        let store = try Store(dataFile: dir + "/gateway.yaml", historyKeep: 2)
        let health = HealthRegistry(group: EmbeddedEventLoop(), logger: logger,
                                    names: NodeNameResolver(loop: MultiThreadedEventLoopGroup.singleton.next(),
                                                            logger: logger))
        var random = SplitMix64(seed: 0x7ab1e)
        var table = compile(store.snapshot, previous: nil, health: health)
        var kept = 0
        for step in 0..<300 {
            let before = table
            let snapshot = (try? store.apply(try Self.change(using: &random), source: .adminAPI)) ?? store.snapshot
            table = compile(snapshot, previous: before, health: health)
            let fresh = compile(snapshot, previous: nil, health: health)
            #expect(table.router.routes.map(\.route) == fresh.router.routes.map(\.route), "step \(step)")
            #expect(table.router.routes.map { $0.upstream?.key } == fresh.router.routes.map { $0.upstream?.key })
            #expect(table.router.routes.map { $0.upstream?.upstream }
                    == fresh.router.routes.map { $0.upstream?.upstream })
            #expect(table.router.routes.map(\.transport) == fresh.router.routes.map(\.transport))
            #expect(table.router.routes.map(\.plugins.isEmpty) == fresh.router.routes.map(\.plugins.isEmpty))
            // Every runtime a fresh table has; beyond them only stored upstreams' and services' (carried while
            // unchanged), never a route's inline one; and each route's runtime is the table's for its key.
            let extra = Set(table.upstreams.keys).subtracting(fresh.upstreams.keys)
            #expect(Set(fresh.upstreams.keys).isSubset(of: table.upstreams.keys), "step \(step)")
            #expect(extra.allSatisfy { $0.hasPrefix("upstreams/") || $0.hasPrefix("services/") }, "step \(step)")
            #expect(table.router.routes.allSatisfy { r in r.upstream.map { table.upstreams[$0.key] === $0 } ?? true })
            let previous = Dictionary(before.router.routes.map { ($0.route.id, $0) }, uniquingKeysWith: { a, _ in a })
            kept += table.router.routes.filter { previous[$0.route.id] === $0 }.count
        }
        #expect(kept > 1000)
    }
}
