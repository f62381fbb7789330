/// APISIX's `prometheus` for stream routes: the route's sessions are exported per route
/// (`apisix_stream_connection_total{route}`) and per listener and node (`apisix_stream_status`).
public struct PrometheusConfig: Sendable, Hashable {
    static let name = "prometheus"

    /// APISIX's stream schema (`apisix/stream/plugins/prometheus.lua`).
    public static let jsonSchema = #"{"type":"object","properties":{"prefer_name":{"type":"boolean","default":false}}}"#

    /// The route label is the route's `name` (its id when it has none) rather than its id.
    public var preferName: Bool

    public init(preferName: Bool = false) { self.preferName = preferName }

    static func decode(_ r: inout FieldReader) -> PrometheusConfig? {
        let preferName = r.bool("prefer_name") ?? false
        r.rejectUnknownFields()
        return PrometheusConfig(preferName: preferName)
    }
}
