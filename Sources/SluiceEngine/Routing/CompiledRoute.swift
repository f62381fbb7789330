import SluiceConfig

/// A stream route ready for matching, with its upstream resolved. A class: a match hands back one reference
/// instead of copying a struct of ~20 reference-counted fields (the router profile: retain + memmove were half
/// of a match among 10,000 routes).
package final class CompiledRoute: Sendable {
    package let route: StreamRoute
    /// `route.id`, read without a copy of the route (`KeptRoutes` reads it for every route of every change).
    let id: String
    package let upstream: UpstreamRuntime?
    /// Set when the route belongs to a service: a `udp` service's routes match only UDP listeners, a `tcp` one's
    /// only TCP listeners.
    package let transport: ListenerSpec.Transport?
    /// The route's plugins, compiled for this snapshot (empty for almost every route).
    let plugins: PluginChain
    /// The route's counters, looked up once per snapshot rather than per connection.
    let counters: TrafficCounters
    /// The keys of the upstream runtimes only this route uses: its inline upstream's, its traffic-split
    /// entries' (`RoutingTable` drops them with the route).
    let inlineUpstreams: [String]

    init(route: StreamRoute, upstream: UpstreamRuntime?, transport: ListenerSpec.Transport?,
         plugins: PluginChain = .empty, counters: TrafficCounters = TrafficCounters(),
         inlineUpstreams: [String] = []) {
        self.route = route
        id = route.id
        self.upstream = upstream
        self.transport = transport
        self.plugins = plugins
        self.counters = counters
        self.inlineUpstreams = inlineUpstreams
    }

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
            guard let name = facts.sni, StreamRoute.sni(sni, matches: name) else { return false }
        }
        return true
    }
}
