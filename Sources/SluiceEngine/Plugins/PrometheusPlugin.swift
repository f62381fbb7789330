import SluiceConfig

/// APISIX's `prometheus` for stream routes (priority 500, log phase): counts each session of the route at its
/// end into `apisix_stream_status{code,listen_addr,node}` (the node connected, else the last one tried, as APISIX's
/// balancer address). `apisix_stream_connection_total{route}` needs nothing
/// here: the route's own session counter already counts every session it saw, refused ones included, and the
/// exporter reads it at scrape time.
struct PrometheusPlugin: StreamPlugin {
    let name = "prometheus"
    let priority = 500
    let phases: PluginPhases = [.log]
    let config: PrometheusConfig
    let counts: StreamStatusCounts

    func log(_ record: AccessLogRecord, session: PluginSession) {
        let reason = CloseReason(rawValue: record.closeReason) ?? .error
        counts.add(StreamStatusKey(code: StreamStatusCounts.code(for: reason), listenAddr: session.listenAddr,
                                   node: record.upstreamAddr ?? record.upstreamAddrsTried.last ?? ""))
    }

    /// What the exporter reads.
    var values: PrometheusRouteValues { PrometheusRouteValues(preferName: config.preferName, status: counts.values) }
}
