/// Chooses a node of one upstream for each new connection. Safe to call from any thread.
public protocol Balancer: Sendable {
    /// The nodes in the upstream's order; `pick` returns indices into this array.
    var nodes: [BalancerNode] { get }
    /// The index of the node to use, or nil when no node is eligible
    /// (all excluded, weight 0, or no nodes at all).
    func pick(_ context: PickContext) -> Int?
}

/// A balancer using `algorithm` within each priority tier of `nodes`.
public func makeBalancer(_ algorithm: BalancingAlgorithm, nodes: [BalancerNode]) -> any Balancer {
    switch algorithm {
    case .roundrobin: PriorityTiers<SmoothWeightedRoundRobin>(nodes: nodes)
    case .chash: PriorityTiers<ConsistentHashRing>(nodes: nodes)
    case .leastConn: PriorityTiers<LeastConnections>(nodes: nodes)
    }
}
