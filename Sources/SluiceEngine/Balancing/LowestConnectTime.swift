import SluiceConfig

/// APISIX's ewma: the node whose moving average of connect times (decayed towards 0 as it ages, so a node left
/// alone gets tried again) is lowest; nodes within 5 % of the best tie, and ties go to least connections
/// (then weighted round robin). A node not measured yet scores 0, so it is tried soon.
final class LowestConnectTime: TierStrategy {
    /// Scores this close to the best (relatively) count as a tie.
    static let tolerance = 0.05
    private let tieBreaker: LeastConnections

    init(nodes: [UpstreamNode], members: [Int]) {
        tieBreaker = LeastConnections(nodes: nodes, members: members)
    }

    func pick(_ context: PickContext, eligible: [Int]) -> Int? {
        var best = Double.infinity
        for i in eligible { best = min(best, context.connectTime(i)) }
        let limit = best * (1 + Self.tolerance)
        let tied = eligible.filter { context.connectTime($0) <= limit }
        return tied.count == 1 ? tied[0] : tieBreaker.pick(context, eligible: tied)
    }
}
