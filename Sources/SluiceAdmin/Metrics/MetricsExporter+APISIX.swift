import SluiceConfig
import SluiceEngine

extension MetricsExporter {
    /// APISIX's stream series, with its names, labels and help texts (`apisix/plugins/prometheus/exporter.lua`):
    /// per route only for routes carrying the `prometheus` plugin; per listener, node info and upstream status
    /// always.
    func apisixSeries(_ s: EngineSnapshot, into sink: MetricSink) {
        for route in s.routes {
            guard let plugin = route.prometheus else { continue }
            let label = plugin.preferName ? (route.name ?? route.id) : route.id
            sink.counter(prefix + "stream_connection_total",
                         "Total number of connections handled per stream route in APISIX",
                         [("route", label)], route.traffic.total)
            for (key, n) in plugin.status {
                sink.counter(prefix + "stream_status", "Stream sessions per termination status in APISIX",
                             [("code", key.code), ("listen_addr", key.listenAddr), ("node", key.node)], n)
            }
        }
        for listener in s.listeners {
            let addr = HostPort(host: listener.spec.host, port: listener.spec.port).description
            let t = listener.traffic
            sink.gauge(prefix + "stream_active_connections",
                       "Number of stream sessions currently being proxied per listening address",
                       [("listen_addr", addr)], Double(t.active))
            let bandwidth: [(String, String, UInt64)] = [
                ("ingress", "downstream", t.bytesIn), ("egress", "downstream", t.bytesOut),
                ("egress", "upstream", t.upstreamBytesSent), ("ingress", "upstream", t.upstreamBytesReceived),
            ]
            for (type, side, bytes) in bandwidth {
                sink.counter(prefix + "stream_bandwidth", "Total bandwidth in bytes proxied by the stream subsystem in APISIX",
                             [("listen_addr", addr), ("type", type), ("side", side)], bytes)
            }
        }
        sink.gauge(prefix + "node_info", "Info of APISIX node", [("hostname", hostname), ("version", build.version)], 1)
        for upstream in s.upstreams {
            for node in upstream.nodes {
                guard case .success(let hp) = HostPort.parse(node.address) else { continue }
                sink.gauge(prefix + "upstream_status", "Upstream status from health check",
                           [("name", "/apisix/\(upstream.key)"), ("ip", hp.host), ("port", String(hp.port))],
                           node.health.status == .healthy ? 1 : 0)
            }
        }
    }
}
