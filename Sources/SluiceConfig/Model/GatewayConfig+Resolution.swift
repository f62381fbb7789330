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

    /// The upstream entry `index` of traffic-split rule `rule` of route `routeID` names: `upstreams/<id>`, or
    /// `stream_routes/<route>/traffic-split/<rule>/<index>` for an inline one; nil for the route's own (and an
    /// unknown id).
    public func resolvedUpstream(for target: TrafficSplitConfig.Target, rule: Int, index: Int,
                                 routeID: String) -> ResolvedUpstream? {
        switch target {
        case .route: nil
        case .upstreamID(let id): upstream(id).map { ResolvedUpstream(key: "upstreams/\(id)", upstream: $0) }
        case .inline(let up):
            ResolvedUpstream(key: "stream_routes/\(routeID)/traffic-split/\(rule)/\(index)", upstream: up)
        }
    }
}
