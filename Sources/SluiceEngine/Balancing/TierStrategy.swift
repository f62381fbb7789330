import SluiceConfig

/// One algorithm's choice among the nodes of a single priority tier.
/// `PriorityTiers` handles tiers, weight 0 and exclusion around it.
protocol TierStrategy: Sendable {
    /// A strategy over `members`: indices into `nodes`, all with weight above 0, in ascending order.
    init(nodes: [UpstreamNode], members: [Int])
    /// One of `eligible` (a non-empty, ascending subset of the members that are not excluded).
    func pick(_ context: PickContext, eligible: [Int]) -> Int?
}
