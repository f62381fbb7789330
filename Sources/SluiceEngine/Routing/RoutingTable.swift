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

    /// Compiles `snapshot`, reusing the upstream runtimes of `previous` whose settings did not change.
    init(snapshot: ConfigSnapshot, previous: RoutingTable?, counters: CounterTable, health: HealthRegistry,
         logger: Logger) {
        revision = snapshot.revision
        let config = snapshot.config
        var upstreams: [String: UpstreamRuntime] = [:]
        var routes: [CompiledRoute] = []
        var compiler = PluginCompiler(previous: previous?.pluginCompiler, logger: logger)
        /// One runtime per key in this table, the previous table's while its settings are unchanged.
        func runtime(_ resolved: ResolvedUpstream) -> UpstreamRuntime {
            let made = upstreams[resolved.key]
                ?? previous?.upstreams[resolved.key].flatMap { $0.upstream == resolved.upstream ? $0 : nil }
                ?? UpstreamRuntime(resolved: resolved, counterTable: counters,
                                   health: health.nodes(of: resolved.key, resolved.upstream), logger: logger)
            upstreams[resolved.key] = made
            return made
        }
        for route in config.streamRoutes {
            let own = config.resolvedUpstream(for: route).map(runtime)
            let service = route.serviceID.flatMap { config.service($0) }
            let transport: ListenerSpec.Transport? = service?.scheme.map { $0 == .udp ? .udp : .tcp }
            let plugins = compiler.chain(routeID: route.id, serviceID: route.serviceID,
                                         route.plugins.merged(over: service?.plugins)) { i, target in
                target == .route ? own : config.resolvedUpstream(for: target, index: i, routeID: route.id).map(runtime)
            }
            routes.append(CompiledRoute(route: route, upstream: own, transport: transport, plugins: plugins,
                                        counters: counters.counters("route:\(route.id)")))
        }
        self.router = Router(routes)
        self.upstreams = upstreams
        self.pluginCompiler = compiler
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
    }
}
