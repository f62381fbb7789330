import SluiceConfig

/// The routes of one snapshot sorted by precedence and indexed for matching: the expensive part of a `Router`,
/// which later routers share while few routes changed.
///
/// Routes are bucketed by `server_port`; every port route precedes every port-less one (`RoutePrecedence`), so a
/// connection tries its port's bucket first and then the port-less routes. Each bucket is a `RouteIndex`, which
/// finds the first matching route in precedence order without scanning the bucket.
final class RouterIndex: Sendable {
    /// Every route, in precedence order; a route's position here is its position in every bucket.
    let routes: [CompiledRoute]
    /// `routes`' precedence keys, ascending.
    let keys: [RoutePrecedence]
    /// Where each route object is in `routes`.
    let positions: [ObjectIdentifier: Int32]
    /// The ports with routes, ascending, and each one's bucket: a binary search of a few ports costs less than
    /// hashing the port for a dictionary (SipHash was 6% of a match).
    private let ports: [Int]
    private let buckets: [RouteIndex]
    private let anyPort: RouteIndex

    init(_ routes: [CompiledRoute]) {
        // Sorting positions rather than the routes themselves: the same comparisons, so the same order.
        let unsorted = routes.map { RoutePrecedence($0.route) }
        let order = routes.indices.sorted { unsorted[$0] < unsorted[$1] }
        let sorted = order.map { routes[$0] }
        self.routes = sorted
        keys = order.map { unsorted[$0] }
        positions = Dictionary(sorted.enumerated().map { (ObjectIdentifier($0.element), Int32($0.offset)) },
                               uniquingKeysWith: { first, _ in first })
        var buckets: [Int: [Int32]] = [:]
        var portless: [Int32] = []
        for (position, route) in sorted.enumerated() {
            if let port = route.route.serverPort {
                buckets[port, default: []].append(Int32(position))
            } else {
                portless.append(Int32(position))
            }
        }
        ports = buckets.keys.sorted()
        self.buckets = ports.map { RouteIndex(sorted, members: buckets[$0] ?? []) }
        anyPort = RouteIndex(sorted, members: portless)
    }

    /// The position of the first route in precedence order that accepts `facts` and is not `retired`, or
    /// `RouteLists.none`.
    func first(_ facts: ConnectionFacts, skipping retired: RetiredRoutes) -> Int32 {
        if let bucket = bucket(facts.serverPort) {
            let position = buckets[bucket].first(facts, skipping: retired)
            if position != RouteLists.none { return position }
        }
        return anyPort.first(facts, skipping: retired)
    }

    /// Where `port`'s bucket is in `buckets`, if it has one.
    @inline(__always)
    private func bucket(_ port: Int) -> Int? {
        let i = ports.lowerBound(of: port)
        return i < ports.count && ports[i] == port ? i : nil
    }

    /// The position before which a route of precedence `key` would sort.
    func insertionPoint(_ key: RoutePrecedence) -> Int32 {
        Int32(keys.lowerBound(of: key))
    }
}

/// Positions of a `RouterIndex`'s routes that are no longer in force: a bitmap, empty for a fresh index.
struct RetiredRoutes: Sendable {
    static let none = RetiredRoutes()
    private var words: [UInt64] = []
    /// How many positions are retired.
    private(set) var count = 0

    private init() {}

    /// Every position for which `present` is false.
    init(absentIn present: [Bool]) {
        words = [UInt64](repeating: 0, count: (present.count + 63) / 64)
        for (position, here) in present.enumerated() where !here {
            words[position >> 6] |= 1 << UInt64(position & 63)
            count += 1
        }
        if count == 0 { words = [] }
    }

    /// Retires `position` of `index` (if it was not already).
    mutating func insert(_ position: Int32, of index: RouterIndex) {
        if words.isEmpty { words = [UInt64](repeating: 0, count: (index.routes.count + 63) / 64) }
        let (word, bit) = (Int(position) >> 6, UInt64(1) << UInt64(position & 63))
        if words[word] & bit == 0 {
            words[word] |= bit
            count += 1
        }
    }

    @inline(__always)
    func contains(_ position: Int32) -> Bool {
        !words.isEmpty && words[Int(position) >> 6] & (1 << UInt64(position & 63)) != 0
    }
}
