/// The plugins of a route or service: name ⇒ configuration, in the order written.
public struct PluginSet: Sendable, Equatable {
    public var entries: [ConfigEntry] = []
    /// The valid configurations, `_meta.disable: true` ones included, in the order written.
    public var configs: [Configured] = []
    public init(entries: [ConfigEntry] = [], configs: [Configured] = []) {
        self.entries = entries
        self.configs = configs
    }

    /// One plugin as written: its configuration and whether `_meta.disable` turns it off.
    public struct Configured: Sendable, Equatable {
        public var config: StreamPluginConfig
        public var disabled: Bool
    }

    /// The stream plugins this build of Sluice runs. A plugin listed here is enforced; any other name is refused,
    /// because silently ignoring e.g. `mqtt-proxy` would make traffic go where the operator did not mean it to.
    public static let available = ["ip-restriction", "limit-conn", "prometheus", "limit-bandwidth", "syslog",
                                   "mqtt-proxy", "traffic-split"]

    /// The plugins a route runs: its own, and its service's that it does not override by name (APISIX's merge; a
    /// route's disabled plugin still overrides, so it turns the service's off for that route).
    public func merged(over service: PluginSet?) -> [StreamPluginConfig] {
        let own = Set(configs.map(\.config.name))
        let inherited = (service?.configs ?? []).filter { !own.contains($0.config.name) }
        return (inherited + configs).filter { !$0.disabled }.map(\.config)
    }

    /// The traffic-split configuration written here, enabled or not (its `upstream_id`s are references either
    /// way: enabling it again must not find an upstream gone).
    public var trafficSplit: TrafficSplitConfig? {
        for c in configs { if case .trafficSplit(let t) = c.config { return t } }
        return nil
    }

    /// The broker an `mqtt-proxy` names inside the plugin (`upstream: {ip, port}`, APISIX before 3.0), as the
    /// inline upstream of the route or service carrying it — reported as ambiguous when that object has an
    /// upstream of its own.
    func mqttBrokerUpstream(path: String, ownUpstream: Bool, problems: Problems) -> Upstream? {
        guard let mqtt = configs.first(where: { $0.config.name == MQTTProxyConfig.name }), !mqtt.disabled,
              case .mqttProxy(let config) = mqtt.config, let broker = config.broker,
              let written = entries.first(where: { $0.key == MQTTProxyConfig.name })?.value["upstream"] else {
            return nil
        }
        guard !ownUpstream else {
            problems.add(FieldPath.join(FieldPath.join(path, MQTTProxyConfig.name), "upstream"),
                         "the broker is given twice: here and as the upstream (or upstream_id) beside the plugins; "
                         + "keep one", line: written.line)
            return nil
        }
        var upstream = Upstream(raw: written)
        upstream.nodes = [broker]
        return upstream
    }

    static func decode(_ value: ConfigValue, path: String, problems: Problems) -> PluginSet {
        guard let entries = value.entries else {
            problems.add(path, "must be an object of plugin name ⇒ configuration, got \(value.typeName)",
                         line: value.line)
            return PluginSet()
        }
        var configs: [Configured] = []
        for entry in entries {
            let p = FieldPath.join(path, entry.key)
            if available.contains(entry.key) {
                guard var r = FieldReader(entry.value, path: p, problems: problems) else { continue }
                let disabled = decodeMeta(&r)
                if let config = StreamPluginConfig.decode(name: entry.key, &r) {
                    configs.append(Configured(config: config, disabled: disabled))
                }
            } else {
                problems.add(p, "unknown stream plugin", line: entry.value.line)
            }
        }
        return PluginSet(entries: entries, configs: configs)
    }

    /// APISIX's `_meta`: `disable` is honoured; its other fields are refused, not ignored.
    private static func decodeMeta(_ r: inout FieldReader) -> Bool {
        guard let meta = r.raw("_meta"), var m = FieldReader(meta, path: r.child("_meta"), problems: r.problems)
        else { return false }
        let disabled = m.bool("disable") ?? false
        m.rejectUnknownFields()
        return disabled
    }
}
