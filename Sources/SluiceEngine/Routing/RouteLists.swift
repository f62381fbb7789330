/// Lists of route positions, each ascending (so in precedence order), stored flat.
///
/// A position is a route's place in the router's list of all routes (0 is tried first). Lookups never allocate.
/// A list is kept in the form that answers "its first member at or after this position" with the fewest memory
/// reads:
/// - one member (most lists: a CIDR or a name that one route names) is not stored at all: its id is that
///   member, tagged;
/// - any other list is stored as runs of consecutive positions, binary searched. Precedence order puts routes
///   of one shape together, so the long lists — the routes without a filter, often a third of all of them — are
///   one run or a few, found in a step or two rather than a search of thousands of members.
struct RouteLists: Sendable {
    /// Run `r` is the positions `runStarts[r]..<runEnds[r]`; runs are ascending and never touch.
    private var runStarts: [Int32] = []
    private var runEnds: [Int32] = []
    /// Stored list `i` is runs `lists[i]..<lists[i + 1]`.
    private var lists: [Int32] = [0]

    /// Returned by `first(in:atLeast:)` when the list has no such member.
    static let none = Int32.max
    /// Set in the id of a one-member list, whose other bits are that member (positions stay far below it: one
    /// per route).
    private static let single: Int32 = 0x4000_0000

    /// Adds `list` (ascending) and returns its id.
    mutating func add(_ list: [Int32]) -> Int32 {
        if list.count == 1, list[0] < Self.single { return Self.single | list[0] }
        let firstRun = runStarts.count
        for member in list {
            if runEnds.count > firstRun, runEnds[runEnds.count - 1] == member {
                runEnds[runEnds.count - 1] = member + 1
            } else {
                runStarts.append(member)
                runEnds.append(member + 1)
            }
        }
        lists.append(Int32(runStarts.count))
        return Int32(lists.count - 2)
    }

    /// The smallest member of `list` that is ≥ `position`, or `RouteLists.none`.
    @inline(__always)
    func first(in list: Int32, atLeast position: Int32) -> Int32 {
        if list & Self.single != 0 {
            let member = list & ~Self.single
            return member >= position ? member : Self.none
        }
        return firstStored(list, atLeast: position)
    }

    private func firstStored(_ list: Int32, atLeast position: Int32) -> Int32 {
        // The first run that ends after `position`.
        var low = Int(lists[Int(list)])
        let end = Int(lists[Int(list) + 1])
        var high = end
        while low < high {
            let mid = (low + high) >> 1
            if runEnds[mid] <= position { low = mid + 1 } else { high = mid }
        }
        return low < end ? max(runStarts[low], position) : Self.none
    }
}
