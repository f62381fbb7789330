/// An upstream as a route uses it, with the name its counters and balancer state are kept under.
public struct ResolvedUpstream: Sendable, Equatable {
    /// `upstreams/<id>`, or `stream_routes/<id>` / `services/<id>` for an inline upstream.
    public var key: String
    public var upstream: Upstream
}

extension GatewayConfig {
    /// The upstream a route sends to, APISIX merge rules: the route's own upstream, then its `upstream_id`,
    /// then its service's upstream, then the service's `upstream_id`.
    public func resolvedUpstream(for route: StreamRoute) -> ResolvedUpstream? {
        if let up = route.upstream { return ResolvedUpstream(key: "stream_routes/\(route.id)", upstream: up) }
        if let uid = route.upstreamID, let up = upstream(uid) { return ResolvedUpstream(key: "upstreams/\(uid)", upstream: up) }
        guard let sid = route.serviceID, let service = service(sid) else { return nil }
        if let up = service.upstream { return ResolvedUpstream(key: "services/\(sid)", upstream: up) }
        if let uid = service.upstreamID, let up = upstream(uid) { return ResolvedUpstream(key: "upstreams/\(uid)", upstream: up) }
        return nil
    }
}
