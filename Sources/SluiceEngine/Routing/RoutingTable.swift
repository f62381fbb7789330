import Logging
import NIOCore
import SluiceConfig

/// Everything new connections need from one configuration snapshot: the router and the upstreams.
/// Immutable; the engine swaps the whole table when the store publishes a new snapshot.
package final class RoutingTable: Sendable {
    package let revision: Int
    package let router: Router
    package let upstreams: [String: UpstreamRuntime]
    /// The plugin state (limit-conn counters) the next snapshot may reuse.
    let pluginCompiler: PluginCompiler
    /// The compiled routes in the configuration's order, and what they were resolved against (nil for a table
    /// built from routes compiled elsewhere), for the next snapshot to reuse.
    private let compiled: [CompiledRoute]
    private let references: References?

    /// What routes are resolved against: a route, and these unchanged, compiles to what it did.
    private struct References: Equatable {
        let services: [Service]
        let upstreams: [Upstream]
    }

    /// Compiles `snapshot`, reusing the upstream runtimes of `previous` whose settings did not change, and — when
    /// the services and upstreams are as they were — its compiled routes that did not change and have no plugins
    /// (a one-route change compiles one route, laid over the previous router's index: `Router`).
    init(snapshot: ConfigSnapshot, previous: RoutingTable?, counters: CounterTable, health: HealthRegistry,
         logger: Logger) {
        revision = snapshot.revision
        let config = snapshot.config
        let references = References(services: config.services, upstreams: config.upstreams)
        var kept = KeptRoutes(previous.flatMap { $0.references == references ? $0.compiled : nil } ?? [])
        var upstreams: [String: UpstreamRuntime] = [:]
        var routes: [CompiledRoute] = []
        routes.reserveCapacity(config.streamRoutes.count)
        var compiler = PluginCompiler(previous: previous?.pluginCompiler, logger: logger,
                                      syslogMetadata: config.syslogMetadata)
        /// One runtime per key in this table, the previous table's while its settings are unchanged.
        func runtime(_ resolved: ResolvedUpstream) -> UpstreamRuntime {
            let made = upstreams[resolved.key]
                ?? previous?.upstreams[resolved.key].flatMap { $0.upstream == resolved.upstream ? $0 : nil }
                ?? UpstreamRuntime(resolved: resolved, counterTable: counters,
                                   health: health.nodes(of: resolved.key, resolved.upstream), logger: logger)
            upstreams[resolved.key] = made
            return made
        }
        for (position, route) in config.streamRoutes.enumerated() {
            if let same = kept.route(route, at: position) {
                if let own = same.upstream { upstreams[own.key] = own }
                routes.append(same)
                continue
            }
            let own = config.resolvedUpstream(for: route).map(runtime)
            let service = route.serviceID.flatMap { config.service($0) }
            let transport: ListenerSpec.Transport? = service?.scheme.map { $0 == .udp ? .udp : .tcp }
            let plugins = compiler.chain(routeID: route.id, serviceID: route.serviceID,
                                         route.plugins.merged(over: service?.plugins)) { r, i, target in
                target == .route ? own
                    : config.resolvedUpstream(for: target, rule: r, index: i, routeID: route.id).map(runtime)
            }
            routes.append(CompiledRoute(route: route, upstream: own, transport: transport, plugins: plugins,
                                        counters: counters.counters("route:\(route.id)")))
        }
        self.router = Router(routes, previous: previous?.router)
        self.upstreams = upstreams
        self.pluginCompiler = compiler
        self.compiled = routes
        self.references = references
    }

    /// A copy of `table` routing with `router`.
    private init(_ table: RoutingTable, router: Router) {
        revision = table.revision
        self.router = router
        upstreams = table.upstreams
        pluginCompiler = table.pluginCompiler
        compiled = table.compiled
        references = table.references
    }

    /// This table with its routes laid over `router`'s index (built for this table or an earlier one:
    /// `RoutingTableSlot`).
    func rebased(on router: Router) -> RoutingTable {
        RoutingTable(self, router: Router(compiled, previous: router))
    }

    /// Compiles `snapshot` as the engine does, with node health kept on `group` (for the benchmarks, which see
    /// only `package` API).
    package convenience init(snapshot: ConfigSnapshot, previous: RoutingTable?, counters: CounterTable,
                             group: EventLoopGroup, logger: Logger) {
        self.init(snapshot: snapshot, previous: previous, counters: counters,
                  health: HealthRegistry(group: group, logger: logger,
                                         names: NodeNameResolver(loop: group.next(), logger: logger)),
                  logger: logger)
    }

    /// A table built from routes compiled elsewhere (tests give routes plugins the configuration cannot name yet).
    init(revision: Int, routes: [CompiledRoute], upstreams: [String: UpstreamRuntime]) {
        self.revision = revision
        self.router = Router(routes)
        self.upstreams = upstreams
        self.pluginCompiler = PluginCompiler(previous: nil)
        self.compiled = routes
        self.references = nil
    }
}
