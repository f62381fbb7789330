/// Groups nodes by priority, highest first, and asks a lower tier only when every node of the
/// higher tiers is excluded or has weight 0 (APISIX). Each tier has its own `Strategy`.
struct PriorityTiers<Strategy: TierStrategy>: Balancer {
    private struct Tier: Sendable {
        let members: [Int]
        let strategy: Strategy
    }

    let nodes: [BalancerNode]
    private let tiers: [Tier]

    init(nodes: [BalancerNode]) {
        self.nodes = nodes
        let usable = nodes.indices.filter { nodes[$0].weight > 0 }
        let byPriority = Dictionary(grouping: usable) { nodes[$0].priority }
        tiers = byPriority.keys.sorted(by: >).compactMap { priority in
            guard let members = byPriority[priority]?.sorted() else { return nil }
            return Tier(members: members, strategy: Strategy(nodes: nodes, members: members))
        }
    }

    func pick(_ context: PickContext) -> Int? {
        for tier in tiers {
            let eligible = tier.members.filter { !context.excluded.contains($0) }
            if !eligible.isEmpty, let index = tier.strategy.pick(context, eligible: eligible) {
                return index
            }
        }
        return nil
    }
}
