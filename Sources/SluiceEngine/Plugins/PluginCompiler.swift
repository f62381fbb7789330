import SluiceConfig

/// Compiles configured plugins into `StreamPlugin`s for one snapshot. `limit-conn` counters belong to the route
/// and its configuration: a new snapshot in which a route's `limit-conn` is unchanged reuses its limiter, so live
/// connections keep counting; a changed one starts a new limiter, and connections admitted under the old one free
/// their slots there (never into the new one, so counts neither leak nor underflow across a change). A route's
/// `prometheus` counts carry over to the next snapshot that still has the plugin on the route.
struct PluginCompiler: Sendable {
    private struct LimiterKey: Hashable {
        let routeID: String
        let config: LimitConnConfig
    }

    private let previous: [LimiterKey: ConnectionLimiter]
    private var limiters: [LimiterKey: ConnectionLimiter] = [:]
    /// prometheus counts belong to the route whatever its configuration: counters never go back.
    private let previousStatusCounts: [String: StreamStatusCounts]
    private var statusCounts: [String: StreamStatusCounts] = [:]

    init(previous: PluginCompiler?) {
        self.previous = previous?.limiters ?? [:]
        self.previousStatusCounts = previous?.statusCounts ?? [:]
    }

    /// - Parameter upstream: the runtime of a traffic-split entry (its index and target); nil for the route's own.
    mutating func chain(routeID: String, _ configs: [StreamPluginConfig],
                        upstream: (Int, TrafficSplitConfig.Target) -> UpstreamRuntime? = { _, _ in nil })
        -> PluginChain {
        guard !configs.isEmpty else { return .empty }
        return PluginChain(configs.map { config -> any StreamPlugin in
            switch config {
            case .ipRestriction(let c):
                return IPRestrictionPlugin(config: c)
            case .limitConn(let c):
                let key = LimiterKey(routeID: routeID, config: c)
                let limiter = limiters[key] ?? previous[key]
                    ?? ConnectionLimiter(conn: c.conn, burst: c.burst, defaultDelay: c.defaultConnDelay,
                                         adaptsDelay: !c.onlyUseDefaultDelay)
                limiters[key] = limiter
                return LimitConnPlugin(config: c, limiter: limiter)
            case .prometheus(let c):
                let counts = statusCounts[routeID] ?? previousStatusCounts[routeID] ?? StreamStatusCounts()
                statusCounts[routeID] = counts
                return PrometheusPlugin(config: c, counts: counts)
            case .mqttProxy(let c):
                return MQTTProxyPlugin(config: c)
            case .trafficSplit(let c):
                return TrafficSplitPlugin(config: c, choices: c.weightedUpstreams.enumerated().map {
                    upstream($0.offset, $0.element.target)
                })
            }
        })
    }
}
