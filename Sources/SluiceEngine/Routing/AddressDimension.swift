import SluiceConfig

/// One address filter (`remote_addr` or `server_addr`) of the routes of one `RouteIndex`: which routes accept a
/// given address.
///
/// Each distinct CIDR holds the list of routes naming it; IPv4 and IPv6 blocks live in separate `PrefixRanges`
/// (an IPv6 block never contains an IPv4 address, mapped ones included — see `CIDR.contains`). Routes without
/// the filter accept every address and form their own list.
struct AddressDimension: Sendable {
    /// Where an address falls.
    enum Hit {
        /// No address: only routes without the filter accept the connection.
        case none
        case v4(range: Int)
        case v6(range: Int)
    }

    private let v4: PrefixRanges<UInt32>
    private let v6: PrefixRanges<UInt128>
    /// Routes without the filter.
    private let unfiltered: Int32
    /// False when no route has the filter: the dimension then tells nothing.
    let narrows: Bool

    /// - Parameter filters: each route's CIDRs, by ascending position.
    init(_ filters: [(position: Int32, cidrs: [CIDR])], lists: inout RouteLists) {
        var byBlock: [CIDR: [Int32]] = Dictionary(minimumCapacity: filters.count)
        var unfiltered: [Int32] = []
        for (position, cidrs) in filters {
            if cidrs.isEmpty { unfiltered.append(position) }
            for cidr in cidrs where byBlock[cidr]?.last != position { byBlock[cidr, default: []].append(position) }
        }
        var v4: [PrefixRanges<UInt32>.Block] = []
        var v6: [PrefixRanges<UInt128>.Block] = []
        for (cidr, routes) in byBlock {
            let list = lists.add(routes)
            switch cidr.address {
            case .v4(let start):
                v4.append(.init(start: start, prefixLength: cidr.prefixLength, value: list))
            case .v6(let high, let low):
                let start = UInt128(high) << 64 | UInt128(low)
                v6.append(.init(start: start, prefixLength: cidr.prefixLength, value: list))
            }
        }
        self.v4 = PrefixRanges(v4)
        self.v6 = PrefixRanges(v6)
        self.unfiltered = lists.add(unfiltered)
        narrows = !byBlock.isEmpty
    }

    func locate(_ address: IPAddress?) -> Hit {
        switch address?.normalized {
        case nil: .none
        case .v4(let value): .v4(range: v4.range(of: value))
        case .v6(let high, let low): .v6(range: v6.range(of: UInt128(high) << 64 | UInt128(low)))
        }
    }

    /// The first position ≥ `position` whose route accepts the address of `hit`, or `RouteLists.none`.
    func first(_ hit: Hit, atLeast position: Int32, in lists: RouteLists) -> Int32 {
        var best = lists.first(in: unfiltered, atLeast: position)
        switch hit {
        case .none: break
        case .v4(let range):
            for i in v4.valueIndices(range) where best != position {
                best = min(best, lists.first(in: v4.value(at: i), atLeast: position))
            }
        case .v6(let range):
            for i in v6.valueIndices(range) where best != position {
                best = min(best, lists.first(in: v6.value(at: i), atLeast: position))
            }
        }
        return best
    }
}
