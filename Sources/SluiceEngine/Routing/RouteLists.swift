/// Lists of route positions, each ascending (so in precedence order), stored in one flat array.
///
/// A position is a route's place in its `RouteIndex` (0 is tried first). Lookups never allocate.
struct RouteLists: Sendable {
    private var members: [Int32] = []
    /// List `i` is `members[starts[i]..<starts[i + 1]]`.
    private var starts: [Int32] = [0]

    /// Returned by `first(in:atLeast:)` when the list has no such member.
    static let none = Int32.max

    /// Adds `list` (ascending) and returns its id.
    mutating func add(_ list: [Int32]) -> Int32 {
        members.append(contentsOf: list)
        starts.append(Int32(members.count))
        return Int32(starts.count - 2)
    }

    /// The smallest member of `list` that is ≥ `position`, or `RouteLists.none`.
    func first(in list: Int32, atLeast position: Int32) -> Int32 {
        var low = Int(starts[Int(list)])
        var high = Int(starts[Int(list) + 1])
        while low < high {
            let mid = (low + high) >> 1
            if members[mid] < position { low = mid + 1 } else { high = mid }
        }
        return low < Int(starts[Int(list) + 1]) ? members[low] : Self.none
    }
}
