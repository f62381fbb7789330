import SluiceConfig

/// Which objects use an upstream or a service, for APISIX's "still using it" refusal of a delete.
enum References {
    /// `stream route [1]`, `service [s1]` — every object whose `upstream_id` / `service_id` (or traffic-split's
    /// `upstream_id`s) names the object.
    static func referrers(of kind: ResourceKind, _ id: String, in config: GatewayConfig) -> [String] {
        switch kind {
        case .upstreams:
            config.streamRoutes.filter { $0.upstreamID == id || splits(to: id, $0.plugins) }
                .map { "stream route [\($0.id)]" }
                + config.services.filter { $0.upstreamID == id || splits(to: id, $0.plugins) }
                .map { "service [\($0.id)]" }
        case .services:
            config.streamRoutes.filter { $0.serviceID == id }.map { "stream route [\($0.id)]" }
        case .streamRoutes, .ssls, .pluginMetadata:
            []
        }
    }

    private static func splits(to id: String, _ plugins: PluginSet) -> Bool {
        plugins.trafficSplit?.upstreamIDs.contains(id) == true
    }
}
