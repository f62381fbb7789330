/// Plugin state that outlives one configuration snapshot (limit-conn's counters, limit-bandwidth's shared
/// buckets), keyed by route and configuration: a new snapshot in which a route's configuration is unchanged gets
/// the same state back, a changed one gets fresh state (the old state stays with the sessions that hold it).
struct RouteStateCache<Config: Hashable & Sendable, State: Sendable>: Sendable {
    private struct Key: Hashable, Sendable {
        let routeID: String
        let config: Config
    }

    private let previous: [Key: State]
    private var current: [Key: State] = [:]

    /// Starts a snapshot's cache from the last snapshot's (whose unused entries are dropped).
    init(previous: RouteStateCache?) {
        self.previous = previous?.current ?? [:]
    }

    /// The state of `config` on `routeID`: this snapshot's, else the last snapshot's, else `make()`'s.
    mutating func state(routeID: String, config: Config, make: () -> State) -> State {
        let key = Key(routeID: routeID, config: config)
        let state = current[key] ?? previous[key] ?? make()
        current[key] = state
        return state
    }
}
