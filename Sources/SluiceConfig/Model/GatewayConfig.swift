/// The dynamic objects of `gateway.yaml`: stream routes, services, upstreams, certificates and plugin metadata.
///
/// The layout is APISIX standalone's, so an `apisix.yaml` stream section loads unchanged. Top-level keys of
/// APISIX's that Sluice does not serve (HTTP `routes`, `consumers`, …) are kept as written and written back.
public struct GatewayConfig: Sendable, Equatable {
    public var streamRoutes: [StreamRoute] = []
    public var services: [Service] = []
    public var upstreams: [Upstream] = []
    public var ssls: [SSLCertificate] = []
    public var pluginMetadata: [PluginMetadata] = []
    /// APISIX sections Sluice keeps without interpreting.
    public var otherSections: [ConfigEntry] = []

    public init() {}

    static let keptAPISIXSections = ["routes", "consumers", "consumer_groups", "global_rules", "plugin_configs",
                                     "plugins", "stream_plugins", "protos", "secrets"]

    /// The objects of one kind as their stored documents, in order.
    public func documents(_ kind: ResourceKind) -> [(id: String, raw: ConfigValue)] {
        switch kind {
        case .streamRoutes: streamRoutes.map { ($0.id, $0.raw) }
        case .services: services.map { ($0.id, $0.raw) }
        case .upstreams: upstreams.map { ($0.id ?? "", $0.raw) }
        case .ssls: ssls.map { ($0.id, $0.raw) }
        case .pluginMetadata: pluginMetadata.map { ($0.id, $0.raw) }
        }
    }

    public func service(_ id: String) -> Service? { services.first { $0.id == id } }
    public func upstream(_ id: String) -> Upstream? { upstreams.first { $0.id == id } }

    /// The syslog plugin's metadata in force (APISIX's defaults when none is stored).
    public var syslogMetadata: SyslogMetadata {
        pluginMetadata.lazy.compactMap(\.syslog).first ?? SyslogMetadata()
    }

    /// The whole document, as written back to `gateway.yaml`.
    public func document() -> ConfigValue {
        var entries: [(String, ConfigValue)] = []
        for kind in ResourceKind.allCases {
            let docs = documents(kind)
            if !docs.isEmpty { entries.append((kind.rawValue, .list(docs.map(\.raw)))) }
        }
        for other in otherSections { entries.append((other.key, other.value)) }
        return .map(entries)
    }
}
