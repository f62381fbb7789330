/// What one pick may use.
///
/// Not `Sendable`: it lives for one synchronous `pick` call, so `activeConnections` may read
/// state confined to the caller's event loop.
package struct PickContext {
    /// The consistent-hash key (e.g. the client IP); nil hashes like the empty string.
    package var hashKey: String?
    /// Node indices already tried or known to be down; never chosen.
    package var excluded: Set<Int>
    /// Live connections on node `i`, for `least_conn`.
    package var activeConnections: (Int) -> Int
    /// Node `i`'s moving average of connect times in seconds, decayed to now (0 before any), for `ewma`.
    package var connectTime: (Int) -> Double

    /// A context; by default no key, nothing excluded, no connections anywhere and no connect times.
    package init(hashKey: String? = nil, excluded: Set<Int> = [], activeConnections: @escaping (Int) -> Int = { _ in 0 },
                connectTime: @escaping (Int) -> Double = { _ in 0 }) {
        self.hashKey = hashKey
        self.excluded = excluded
        self.activeConnections = activeConnections
        self.connectTime = connectTime
    }
}
