import SluiceConfig

/// The routing index compiled from one configuration snapshot.
///
/// Routes are bucketed by `server_port`; each bucket holds that port's routes merged with the port-less ones,
/// sorted once by `RoutePrecedence`. A connection looks up its bucket and takes the first route that matches.
public struct Router: Sendable {
    private let byPort: [Int: [CompiledRoute]]
    private let anyPort: [CompiledRoute]
    /// Every route, in precedence order.
    public let routes: [CompiledRoute]

    public init(_ routes: [CompiledRoute]) {
        let sorted = routes.sorted { RoutePrecedence($0.route) < RoutePrecedence($1.route) }
        self.routes = sorted
        let portless = sorted.filter { $0.route.serverPort == nil }
        var buckets: [Int: [CompiledRoute]] = [:]
        for route in sorted { if let port = route.route.serverPort { buckets[port, default: []].append(route) } }
        // Port routes all precede port-less ones (RoutePrecedence), so appending keeps each bucket sorted.
        byPort = buckets.mapValues { $0 + portless }
        anyPort = portless
    }

    /// The route for a new connection, or nil (the connection is then closed with `no_route`).
    public func match(_ facts: ConnectionFacts) -> CompiledRoute? {
        (byPort[facts.serverPort] ?? anyPort).first { $0.matches(facts) }
    }
}
