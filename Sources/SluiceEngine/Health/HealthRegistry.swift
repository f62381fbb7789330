import Logging
import NIOCore
import SluiceConfig
import Synchronization

/// Every upstream's node health, by upstream key (`upstreams/<id>`, or the route or service of an inline one).
///
/// Follows the configuration: an upstream's checks start as soon as it exists in the configuration, whether or not
/// a route uses it yet, and stop when it is deleted.
final class HealthRegistry: Sendable {
    private let upstreams = Mutex<[String: UpstreamHealth]>([:])
    private let group: EventLoopGroup
    private let logger: Logger
    private let names: NodeNameResolver

    init(group: EventLoopGroup, logger: Logger, names: NodeNameResolver) {
        self.group = group
        self.logger = logger
        self.names = names
    }

    /// Follows the configuration's upstreams (`upstreams(of:)`): added, changed and deleted.
    func apply(_ wanted: [(String, Upstream)]) {
        let (kept, removed) = upstreams.withLock { table -> ([(UpstreamHealth, Upstream)], [UpstreamHealth]) in
            var next: [String: UpstreamHealth] = [:]
            var kept: [(UpstreamHealth, Upstream)] = []
            for (key, upstream) in wanted where next[key] == nil {
                let health = table[key] ?? UpstreamHealth(key: key, group: group, logger: logger, names: names)
                next[key] = health
                kept.append((health, upstream))
            }
            let removed = table.filter { next[$0.key] == nil }.map(\.value)
            table = next
            return (kept, removed)
        }
        for up in removed { up.stop() }
        for (health, upstream) in kept { health.update(upstream) }
    }

    /// The health objects of `upstream`'s nodes, in its order.
    func nodes(of key: String, _ upstream: Upstream) -> [NodeHealth] {
        let health = upstreams.withLock { table in
            if let h = table[key] { return h }
            let h = UpstreamHealth(key: key, group: group, logger: logger, names: names)
            table[key] = h
            return h
        }
        if upstream.nodes.contains(where: { health.node($0.address) == nil }) { health.update(upstream) }
        return upstream.nodes.compactMap { health.node($0.address) }
    }

    /// Every upstream of the configuration, by key, as snapshots show it.
    func snapshot(_ values: [String: TrafficValues]) -> [EngineSnapshot.Upstream] {
        let all = upstreams.withLock { Array($0.values) }
        return all.compactMap { $0.snapshot(values) }.sorted { $0.key < $1.key }
    }

    /// Every checker stopped (the engine is shutting down).
    func stopAll() {
        let all = upstreams.withLock { t in
            defer { t = [:] }
            return Array(t.values)
        }
        for up in all { up.stop() }
    }

    /// Every upstream of `config` with its key: stored ones, then the inline ones of routes and services, then the
    /// inline ones of the traffic-splits routes run (their own or their service's) — each must keep its checks and
    /// its nodes' state across publishes like any other.
    static func upstreams(of config: GatewayConfig) -> [(String, Upstream)] {
        var all = config.upstreams.compactMap { up in up.id.map { ("upstreams/\($0)", up) } }
        let splittingServices = Set(config.services.filter { $0.plugins.trafficSplit != nil }.map(\.id))
        var splitting: [StreamRoute] = []
        // Read in place: most routes have no upstream of their own, and a route's copy is ~20 reference-counted
        // fields.
        config.streamRoutes.withUnsafeBufferPointer { routes in
            for i in routes.indices {
                if !routes[i].$upstream.isNone, let up = routes[i].upstream {
                    all.append(("stream_routes/\(routes[i].id)", up))
                }
                if routes[i].plugins.trafficSplit != nil
                    || routes[i].serviceID.map(splittingServices.contains) == true { splitting.append(routes[i]) }
            }
        }
        all += config.services.compactMap { s in s.upstream.map { ("services/\(s.id)", $0) } }
        for route in splitting { all += trafficSplitUpstreams(of: route, in: config) }
        return all
    }

    /// The inline upstreams of the traffic-split `route` runs, keyed as `RoutingTable` keys them.
    private static func trafficSplitUpstreams(of route: StreamRoute, in config: GatewayConfig) -> [(String, Upstream)] {
        let service = route.serviceID.flatMap { config.service($0) }
        var found: [(String, Upstream)] = []
        for case .trafficSplit(let split) in route.plugins.merged(over: service?.plugins) {
            for (r, rule) in split.rules.enumerated() {
                for (i, entry) in rule.weightedUpstreams.enumerated() {
                    guard case .inline = entry.target,
                          let resolved = config.resolvedUpstream(for: entry.target, rule: r, index: i,
                                                                 routeID: route.id) else { continue }
                    found.append((resolved.key, resolved.upstream))
                }
            }
        }
        return found
    }
}
