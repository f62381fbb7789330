/// One stream plugin's validated configuration, as the engine compiles it.
public enum StreamPluginConfig: Sendable, Hashable {
    case ipRestriction(IPRestrictionConfig)
    case limitConn(LimitConnConfig)
    case prometheus(PrometheusConfig)
    case limitBandwidth(LimitBandwidthConfig)
    case syslog(SyslogConfig)
    case mqttProxy(MQTTProxyConfig)
    case trafficSplit(TrafficSplitConfig)

    /// The configuration name.
    public var name: String {
        switch self {
        case .ipRestriction: IPRestrictionConfig.name
        case .limitConn: LimitConnConfig.name
        case .prometheus: PrometheusConfig.name
        case .limitBandwidth: LimitBandwidthConfig.name
        case .syslog: SyslogConfig.name
        case .mqttProxy: MQTTProxyConfig.name
        case .trafficSplit: TrafficSplitConfig.name
        }
    }

    /// Decodes the configuration of the implemented plugin `name`; nil (with problems reported) when invalid,
    /// or when `name` is not implemented.
    static func decode(name: String, _ reader: inout FieldReader) -> StreamPluginConfig? {
        switch name {
        case IPRestrictionConfig.name: IPRestrictionConfig.decode(&reader).map(StreamPluginConfig.ipRestriction)
        case LimitConnConfig.name: LimitConnConfig.decode(&reader).map(StreamPluginConfig.limitConn)
        case PrometheusConfig.name: PrometheusConfig.decode(&reader).map(StreamPluginConfig.prometheus)
        case LimitBandwidthConfig.name: LimitBandwidthConfig.decode(&reader).map(StreamPluginConfig.limitBandwidth)
        case SyslogConfig.name: SyslogConfig.decode(&reader).map(StreamPluginConfig.syslog)
        case MQTTProxyConfig.name: MQTTProxyConfig.decode(&reader).map(StreamPluginConfig.mqttProxy)
        case TrafficSplitConfig.name: TrafficSplitConfig.decode(&reader).map(StreamPluginConfig.trafficSplit)
        default: nil
        }
    }
}
