import SluiceConfig
import Synchronization

/// nginx's smooth weighted round robin: on each pick every eligible node's current weight grows
/// by its weight, the largest current wins (the first on ties) and loses the total eligible weight.
/// Weights 5, 1, 1 give a a b a c a a, repeating.
final class SmoothWeightedRoundRobin: TierStrategy {
    /// Weights by node index, capped at `Int32.max` so current weights cannot overflow.
    private let weights: [Int]
    /// Current weights by node index (only members' entries are used); picks come from many threads.
    private let current: Mutex<[Int]>

    convenience init(nodes: [UpstreamNode], members: [Int]) {
        self.init(weights: nodes.map(\.weight))
    }

    /// Over indices `0..<weights.count` (traffic-split's weighted upstreams).
    init(weights: [Int]) {
        self.weights = weights.map { min($0, Int(Int32.max)) }
        current = Mutex(Array(repeating: 0, count: weights.count))
    }

    func pick(_ context: PickContext, eligible: [Int]) -> Int? {
        pick(among: eligible)
    }

    /// One smooth weighted round robin step over `candidates` only; nil when there are none.
    func pick(among candidates: [Int]) -> Int? {
        current.withLock { current in
            var best: Int?
            var total = 0
            for i in candidates {
                current[i] += weights[i]
                total += weights[i]
                if best.map({ current[i] > current[$0] }) ?? true { best = i }
            }
            if let best { current[best] -= total }
            return best
        }
    }
}
