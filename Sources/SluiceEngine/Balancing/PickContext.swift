/// What one pick may use.
///
/// Not `Sendable`: it lives for one synchronous `pick` call, so `activeConnections` may read
/// state confined to the caller's event loop.
public struct PickContext {
    /// The consistent-hash key (e.g. the client IP); nil hashes like the empty string.
    public var hashKey: String?
    /// Node indices already tried or known to be down; never chosen.
    public var excluded: Set<Int>
    /// Live connections on node `i`, for `least_conn`.
    public var activeConnections: (Int) -> Int

    /// A context; by default no key, nothing excluded, and no connections anywhere.
    public init(hashKey: String? = nil, excluded: Set<Int> = [], activeConnections: @escaping (Int) -> Int = { _ in 0 }) {
        self.hashKey = hashKey
        self.excluded = excluded
        self.activeConnections = activeConnections
    }
}
