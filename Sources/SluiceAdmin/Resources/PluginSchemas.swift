import SluiceConfig

/// The JSON schema of every stream plugin this build runs, by name, for
/// `GET /apisix/admin/schema/plugins/<name>?subsystem=stream`. Each text is the plugin configuration type's
/// `jsonSchema` (APISIX's schema table as JSON); a unit test checks the names are exactly `PluginSet.available`.
enum PluginSchemas {
    static let stream: [String: String] = [
        "ip-restriction": IPRestrictionConfig.jsonSchema,
        "limit-conn": LimitConnConfig.jsonSchema,
        "prometheus": PrometheusConfig.jsonSchema,
        "limit-bandwidth": LimitBandwidthConfig.jsonSchema,
        "syslog": SyslogConfig.jsonSchema,
        "mqtt-proxy": MQTTProxyConfig.jsonSchema,
        "traffic-split": TrafficSplitConfig.jsonSchema,
    ]

    /// The schema of `name` as a value; nil when no stream plugin has that name (or its text stopped being JSON,
    /// which the unit test guards).
    static func value(of name: String) -> ConfigValue? {
        stream[name].flatMap { try? ConfigValue.parseJSON(Array($0.utf8)) }
    }
}
