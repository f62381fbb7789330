import Prometheus

/// One scrape's series, written into a fresh `PrometheusCollectorRegistry` (swift-prometheus formats the text).
///
/// Values are set from the engine's snapshot at scrape time rather than incremented per session, so the data
/// plane pays nothing for metrics; a route or node that is gone simply has no series in the next scrape. Two
/// writes to one series add up (a TCP and a UDP listener on one `ip:port` share APISIX's `listen_addr`).
struct MetricSink {
    let registry = PrometheusCollectorRegistry()

    func counter(_ name: String, _ help: String, _ labels: [(String, String)] = [], _ value: UInt64) {
        registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
            .increment(by: Int64(clamping: value))
    }

    func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = [], _ value: Double) {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels).increment(by: value)
    }

    var text: String { registry.emitToString() }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
