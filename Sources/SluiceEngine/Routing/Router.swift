import SluiceConfig

/// A stream route ready for matching, with its upstream resolved.
public struct CompiledRoute: Sendable {
    public let route: StreamRoute
    public let upstream: UpstreamRuntime?
    /// Set when the route belongs to a service: a `udp` service's routes match only UDP listeners, a `tcp` one's
    /// only TCP listeners.
    public let transport: ListenerSpec.Transport?

    /// True when every filter of the route accepts the connection.
    func matches(_ facts: ConnectionFacts) -> Bool {
        if let transport, transport != facts.transport { return false }
        if let port = route.serverPort, port != facts.serverPort { return false }
        if !route.serverAddr.isEmpty {
            guard let ip = facts.serverAddress, route.serverAddr.contains(where: { $0.contains(ip) }) else { return false }
        }
        if !route.remoteAddr.isEmpty {
            guard let ip = facts.remoteAddress, route.remoteAddr.contains(where: { $0.contains(ip) }) else { return false }
        }
        if let sni = route.sni {
            guard let name = facts.sni, Self.sni(sni, matches: name) else { return false }
        }
        return true
    }

    /// Exact, `*.example.com` (any depth below example.com), or `*`.
    static func sni(_ pattern: String, matches name: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasPrefix("*.") { return name.hasSuffix(pattern.dropFirst()) }
        return pattern == name
    }
}

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
