import SluiceConfig

/// nginx's least_conn: the node with the fewest active connections per unit of weight;
/// ties are broken by smooth weighted round robin among the tied nodes.
final class LeastConnections: TierStrategy {
    private let weights: [Int]
    private let tieBreaker: SmoothWeightedRoundRobin

    init(nodes: [UpstreamNode], members: [Int]) {
        weights = nodes.map(\.weight)
        tieBreaker = SmoothWeightedRoundRobin(nodes: nodes, members: members)
    }

    func pick(_ context: PickContext, eligible: [Int]) -> Int? {
        var tied: [Int] = []
        var bestActive = 0
        for i in eligible {
            let active = max(0, context.activeConnections(i))
            guard let best = tied.first else {
                tied = [i]
                bestActive = active
                continue
            }
            // active_i / weight_i against active_best / weight_best, without division or overflow.
            let lhs = active.multipliedFullWidth(by: weights[best])
            let rhs = bestActive.multipliedFullWidth(by: weights[i])
            if lhs.high < rhs.high || (lhs.high == rhs.high && lhs.low < rhs.low) {
                tied = [i]
                bestActive = active
            } else if lhs == rhs {
                tied.append(i)
            }
        }
        return tied.count == 1 ? tied[0] : tieBreaker.pick(among: tied)
    }
}
