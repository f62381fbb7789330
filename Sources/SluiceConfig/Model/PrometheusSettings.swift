/// The Prometheus export server of `config.yaml`: Sluice's `prometheus:` section or APISIX's
/// `plugin_attr.prometheus` (either one; absent means no export server).
public struct PrometheusSettings: Sendable, Equatable {
    /// APISIX's `export_addr` default.
    public static let defaultListen = HostPort(host: "127.0.0.1", port: 9091)
    /// APISIX's `export_uri` default; `/metrics` is served as well.
    public static let defaultExportURI = "/apisix/prometheus/metrics"
    /// APISIX's `metric_prefix` default, the prefix of the APISIX-named series (Sluice's own keep `sluice_`).
    public static let defaultMetricPrefix = "apisix_"

    public var listen = PrometheusSettings.defaultListen
    public var exportURI = PrometheusSettings.defaultExportURI
    public var metricPrefix = PrometheusSettings.defaultMetricPrefix
    /// Where config.yaml set the address, for errors (`sluice.prometheus.listen`, `plugin_attr.prometheus.export_addr`).
    public var listenField = "prometheus.listen"

    public init() {}
}
