import SluiceConfig

/// Chooses a node of one upstream for each new connection. Safe to call from any thread.
package protocol Balancer: Sendable {
    /// The nodes in the upstream's order; `pick` returns indices into this array.
    var nodes: [UpstreamNode] { get }
    /// The index of the node to use, or nil when no node is eligible
    /// (all excluded, weight 0, drained or in maintenance, or no nodes at all).
    func pick(_ context: PickContext) -> Int?
}

/// A balancer using `type` within each priority tier of `nodes`; `health[i]` says whether node `i` is usable.
package func makeBalancer(_ type: BalancerType, nodes: [UpstreamNode], health: [NodeHealth]) -> any Balancer {
    switch type {
    case .roundrobin: PriorityTiers<SmoothWeightedRoundRobin>(nodes: nodes, health: health)
    case .chash: PriorityTiers<ConsistentHashRing>(nodes: nodes, health: health)
    case .leastConn: PriorityTiers<LeastConnections>(nodes: nodes, health: health)
    case .ewma: PriorityTiers<LowestConnectTime>(nodes: nodes, health: health)
    }
}
