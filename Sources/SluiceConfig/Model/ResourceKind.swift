/// The kinds of stored objects, named as in `gateway.yaml` and the Admin API's paths.
public enum ResourceKind: String, Sendable, CaseIterable {
    case streamRoutes = "stream_routes"
    case services
    case upstreams
    case ssls
    /// Settings a plugin shares across routes; the id is the plugin's name (only PUT, GET and DELETE, as APISIX).
    case pluginMetadata = "plugin_metadata"

    /// Singular, for messages: "stream route", "upstream".
    public var singular: String {
        switch self {
        case .streamRoutes: "stream route"
        case .services: "service"
        case .upstreams: "upstream"
        case .ssls: "ssl"
        case .pluginMetadata: "plugin metadata"
        }
    }
}
