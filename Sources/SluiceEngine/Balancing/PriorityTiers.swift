import SluiceConfig

/// Groups the ready nodes with weight above 0 by priority, highest first, and asks a lower tier only when every
/// node of the higher tiers is excluded or unhealthy (APISIX). Drained nodes and nodes in maintenance are never
/// chosen. When no ready node is healthy, health is ignored: every node is tried (APISIX does the same).
/// Each tier has its own `Strategy`.
struct PriorityTiers<Strategy: TierStrategy>: Balancer {
    private struct Tier: Sendable {
        let members: [Int]
        let strategy: Strategy
    }

    let nodes: [UpstreamNode]
    private let health: [NodeHealth]
    /// The members of every tier.
    private let candidates: [Int]
    private let tiers: [Tier]

    init(nodes: [UpstreamNode], health: [NodeHealth]) {
        precondition(health.count == nodes.count, "one health per node")
        self.nodes = nodes
        self.health = health
        candidates = nodes.indices.filter { nodes[$0].weight > 0 && nodes[$0].state == .ready }
        let byPriority = Dictionary(grouping: candidates) { nodes[$0].priority }
        tiers = byPriority.keys.sorted(by: >).compactMap { priority in
            guard let members = byPriority[priority]?.sorted() else { return nil }
            return Tier(members: members, strategy: Strategy(nodes: nodes, members: members))
        }
    }

    func pick(_ context: PickContext) -> Int? {
        let anyUsable = candidates.contains { health[$0].isUsable }
        for tier in tiers {
            // The common case (nothing tried, all healthy) passes the members as they are, without a copy.
            let skip = { (i: Int) in context.excluded.contains(i) || (anyUsable && !health[i].isUsable) }
            let eligible = tier.members.contains(where: skip) ? tier.members.filter { !skip($0) } : tier.members
            if !eligible.isEmpty, let index = tier.strategy.pick(context, eligible: eligible) {
                return index
            }
        }
        return nil
    }
}
