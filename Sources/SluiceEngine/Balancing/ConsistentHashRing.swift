import SluiceConfig

/// Consistent hashing: each node owns 160 × weight points on a ring (scaled down if the tier's
/// total would exceed `maxPoints`); a key goes to the first point at or after its hash, wrapping,
/// and walks on past points of nodes that are not eligible (tried, or unhealthy). Hashes are FNV-1a 64,
/// the same in every process. Immutable after construction.
struct ConsistentHashRing: TierStrategy {
    static let pointsPerWeight = 160
    static let maxPoints = 160 * 1024

    /// Ring points sorted by hash (then node index), as parallel arrays.
    private let hashes: [UInt64]
    private let owners: [Int]

    init(nodes: [UpstreamNode], members: [Int]) {
        var counts = members.map { min(nodes[$0].weight, Int(Int32.max)) * Self.pointsPerWeight }
        let total = counts.reduce(0, +)
        if total > Self.maxPoints {
            counts = counts.map { max(1, Int((Double($0) * Double(Self.maxPoints) / Double(total)).rounded())) }
        }
        var points: [(hash: UInt64, owner: Int)] = []
        points.reserveCapacity(counts.reduce(0, +))
        for (member, count) in zip(members, counts) {
            let address = nodes[member].address
            for point in 0..<count {
                points.append((StableHash.hash("\(address)#\(point)"), member))
            }
        }
        points.sort { ($0.hash, $0.owner) < ($1.hash, $1.owner) }
        hashes = points.map(\.hash)
        owners = points.map(\.owner)
    }

    func pick(_ context: PickContext, eligible: [Int]) -> Int? {
        guard !hashes.isEmpty else { return nil }
        let key = StableHash.hash(context.hashKey ?? "")
        // First point with hash >= key (binary search), wrapping to the start.
        var low = 0, high = hashes.count
        while low < high {
            let mid = (low + high) / 2
            if hashes[mid] < key { low = mid + 1 } else { high = mid }
        }
        for step in 0..<owners.count {
            let owner = owners[(low + step) % owners.count]
            if Self.contains(eligible, owner) { return owner }
        }
        return nil
    }

    /// Binary search in an ascending array.
    private static func contains(_ sorted: [Int], _ value: Int) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == value
    }
}
