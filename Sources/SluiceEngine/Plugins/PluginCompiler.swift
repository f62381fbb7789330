import SluiceConfig

/// Compiles configured plugins into `StreamPlugin`s for one snapshot. `limit-conn` counters belong to the route
/// and its configuration: a new snapshot in which a route's `limit-conn` is unchanged reuses its limiter, so live
/// connections keep counting; a changed one starts a new limiter, and connections admitted under the old one free
/// their slots there (never into the new one, so counts neither leak nor underflow across a change).
struct PluginCompiler: Sendable {
    private struct LimiterKey: Hashable {
        let routeID: String
        let config: LimitConnConfig
    }

    private let previous: [LimiterKey: ConnectionLimiter]
    private var limiters: [LimiterKey: ConnectionLimiter] = [:]

    init(previous: PluginCompiler?) {
        self.previous = previous?.limiters ?? [:]
    }

    mutating func chain(routeID: String, _ configs: [StreamPluginConfig]) -> PluginChain {
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
            }
        })
    }
}
