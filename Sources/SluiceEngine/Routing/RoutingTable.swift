import Logging
import NIOCore
import SluiceConfig

/// Everything new connections need from one configuration snapshot: the router and the upstreams.
/// Immutable; the engine swaps the whole table when the store publishes a new snapshot.
package final class RoutingTable: Sendable {
    package let revision: Int
    package let router: Router
    /// The runtimes by key, for the next snapshot to reuse: every route's, and (carried over from the table this one
    /// kept routes of) those of stored upstreams and services that no route uses any more.
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
    /// (a one-route change compiles one route, laid over the previous router's index: `Router`), and its
    /// upstream runtimes as they are, but for the inline upstreams of the routes not kept.
    init(snapshot: ConfigSnapshot, previous: RoutingTable?, counters: CounterTable, health: HealthRegistry,
         logger: Logger) {
        revision = snapshot.revision
        let config = snapshot.config
        let references = References(services: config.services, upstreams: config.upstreams)
        let reusable = previous.flatMap { $0.references == references ? $0 : nil }
        // The store names the one route changed since the previous revision; any other history compares documents.
        let onlyChanged = reusable?.revision == snapshot.revision - 1 ? snapshot.onlyStreamRouteChanged : nil
        var kept = KeptRoutes(reusable?.compiled ?? [], onlyChanged: onlyChanged)
        /// The runtimes of the routes compiled here, by key.
        var resolved: [String: UpstreamRuntime] = [:]
        var routes: [CompiledRoute] = []
        routes.reserveCapacity(config.streamRoutes.count)
        /// The routes compiled here (the others are kept).
        var new: [CompiledRoute] = []
        var compiler = PluginCompiler(previous: previous?.pluginCompiler, logger: logger,
                                      syslogMetadata: config.syslogMetadata)
        /// One runtime per key in this table, the previous table's while its settings are unchanged.
        func runtime(_ upstream: ResolvedUpstream) -> UpstreamRuntime {
            let made = resolved[upstream.key]
                ?? previous?.upstreams[upstream.key].flatMap { $0.upstream == upstream.upstream ? $0 : nil }
                ?? UpstreamRuntime(resolved: upstream, counterTable: counters,
                                   health: health.nodes(of: upstream.key, upstream.upstream), logger: logger)
            resolved[upstream.key] = made
            return made
        }
        // Read in place: a `StreamRoute` copy is ~20 reference-counted fields, and most routes are only looked at.
        config.streamRoutes.withUnsafeBufferPointer { configured in
            for position in configured.indices {
                if let same = kept.route(at: position, of: configured) {
                    routes.append(same)
                    continue
                }
                let route = configured[position]
                let own = config.resolvedUpstream(for: route).map(runtime)
                var inline = route.upstream == nil ? [] : own.map { [$0.key] } ?? []
                let service = route.serviceID.flatMap { config.service($0) }
                let transport: ListenerSpec.Transport? = service?.scheme.map { $0 == .udp ? .udp : .tcp }
                let plugins = compiler.chain(routeID: route.id, serviceID: route.serviceID,
                                             route.plugins.merged(over: service?.plugins)) { r, i, target in
                    if target == .route { return own }
                    let made = config.resolvedUpstream(for: target, rule: r, index: i, routeID: route.id)
                        .map(runtime)
                    if case .inline = target, let made { inline.append(made.key) }
                    return made
                }
                new.append(CompiledRoute(route: route, upstream: own, transport: transport, plugins: plugins,
                                         counters: counters.counters("route:\(route.id)"), inlineUpstreams: inline))
                routes.append(new[new.count - 1])
            }
        }
        if let reusable {
            let dropped = Array(kept.dropped)
            router = Router(routes, previous: reusable.router, removing: dropped, adding: new)
            upstreams = Self.upstreams(carried: reusable.upstreams, dropped: dropped, resolved: resolved)
        } else {
            router = Router(routes, previous: previous?.router)
            upstreams = resolved
        }
        self.pluginCompiler = compiler
        self.compiled = routes
        self.references = references
    }

    /// The runtimes of a table that kept routes of one whose runtimes were `carried`: those, less the inline
    /// upstreams of the routes not kept, with those of the routes compiled again (`resolved`). Carried too are
    /// stored upstreams and services that only a route not kept used: unchanged, as the kept routes require,
    /// they are what a fresh table would make of them.
    private static func upstreams(carried: [String: UpstreamRuntime], dropped: [CompiledRoute],
                                  resolved: [String: UpstreamRuntime]) -> [String: UpstreamRuntime] {
        var all = carried
        for route in dropped {
            for key in route.inlineUpstreams where resolved[key] == nil { all[key] = nil }
        }
        all.merge(resolved) { $1 }
        return all
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
