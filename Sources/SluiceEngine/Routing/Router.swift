import SluiceConfig

/// The routing index compiled from one configuration snapshot.
///
/// Routes are bucketed by `server_port`; every port route precedes every port-less one (`RoutePrecedence`), so a
/// connection tries its port's bucket first and then the port-less routes. Each bucket is a `RouteIndex`, which
/// finds the first matching route in precedence order without scanning the bucket.
package struct Router: Sendable {
    private let byPort: [Int: RouteIndex]
    private let anyPort: RouteIndex
    /// Every route, in precedence order.
    package let routes: [CompiledRoute]

    package init(_ routes: [CompiledRoute]) {
        // Sorting positions rather than the (large) routes themselves: the same comparisons, so the same order.
        let keys = routes.map { RoutePrecedence($0.route) }
        let sorted = routes.indices.sorted { keys[$0] < keys[$1] }.map { routes[$0] }
        self.routes = sorted
        var buckets: [Int: [Int32]] = [:]
        var portless: [Int32] = []
        for (position, route) in sorted.enumerated() {
            if let port = route.route.serverPort {
                buckets[port, default: []].append(Int32(position))
            } else {
                portless.append(Int32(position))
            }
        }
        byPort = buckets.mapValues { RouteIndex(sorted, members: $0) }
        anyPort = RouteIndex(sorted, members: portless)
    }

    /// The route for a new connection, or nil (the connection is then closed with `no_route`).
    package func match(_ facts: ConnectionFacts) -> CompiledRoute? {
        if let bucket = byPort[facts.serverPort], let route = bucket.first(facts) { return route }
        return anyPort.first(facts)
    }
}
