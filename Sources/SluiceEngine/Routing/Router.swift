import SluiceConfig

/// The routing index compiled from one configuration snapshot.
///
/// Routes are bucketed by `server_port`; every port route precedes every port-less one (`RoutePrecedence`), so a
/// connection tries its port's bucket first and then the port-less routes. Each bucket is a `RouteIndex`, which
/// finds the first matching route in precedence order without scanning the bucket.
public struct Router: Sendable {
    private let byPort: [Int: RouteIndex]
    private let anyPort: RouteIndex
    /// Every route, in precedence order.
    public let routes: [CompiledRoute]

    public init(_ routes: [CompiledRoute]) {
        let sorted = routes.map { (RoutePrecedence($0.route), $0) }.sorted { $0.0 < $1.0 }.map { $0.1 }
        self.routes = sorted
        var buckets: [Int: [CompiledRoute]] = [:]
        for route in sorted { if let port = route.route.serverPort { buckets[port, default: []].append(route) } }
        byPort = buckets.mapValues(RouteIndex.init)
        anyPort = RouteIndex(sorted.filter { $0.route.serverPort == nil })
    }

    /// The route for a new connection, or nil (the connection is then closed with `no_route`).
    public func match(_ facts: ConnectionFacts) -> CompiledRoute? {
        if let bucket = byPort[facts.serverPort], let route = bucket.first(facts) { return route }
        return anyPort.first(facts)
    }
}
