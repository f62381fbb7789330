import SluiceEngine

extension MetricsExporter {
    /// Sluice's own series: every listener, route, upstream and node, always (read from counters the engine keeps
    /// anyway), node health, refusals, the configuration revision and the build.
    func sluiceSeries(_ s: EngineSnapshot, into sink: MetricSink) {
        sink.gauge("sluice_build_info", "Sluice's version, commit and compiler (always 1)",
                   [("version", build.version), ("commit", build.commit), ("swift", build.swift)], 1)
        sink.gauge("sluice_config_revision", "Revision of the configuration new connections use",
                   [], Double(s.configRevision))
        for listener in s.listeners {
            let labels = [("listener", "\(listener.spec)")]
            traffic("listener", labels, listener.traffic, into: sink)
            for (reason, n) in refusals(listener.traffic) {
                sink.counter("sluice_listener_refusals_total",
                             "Sessions refused before reaching an upstream, per listener and reason",
                             labels + [("reason", reason)], n)
            }
        }
        for route in s.routes {
            traffic("route", [("route", route.id)], route.traffic, into: sink)
        }
        for upstream in s.upstreams {
            traffic("upstream", [("upstream", upstream.key)], upstream.traffic, into: sink)
            for node in upstream.nodes {
                let labels = [("upstream", upstream.key), ("node", node.address)]
                traffic("node", labels, node.traffic, into: sink)
                for status in NodeHealthInfo.Status.allCases {
                    sink.gauge("sluice_node_health",
                               "1 for the node's current health state (healthy, unhealthy, draining, maint), else 0",
                               labels + [("state", status.rawValue)], node.health.status == status ? 1 : 0)
                }
            }
        }
        for syslog in s.syslogSinks {
            let labels = [("name", syslog.name), ("target", syslog.target)]
            sink.counter("sluice_syslog_sent_total", "Entries the syslog plugin sent, per server", labels, syslog.sent)
            sink.counter("sluice_syslog_dropped_total", "Entries dropped (queue full, retries exhausted), per server",
                         labels, syslog.dropped)
            sink.counter("sluice_syslog_failed_sends_total", "Connects and sends to the server that failed", labels,
                         syslog.failedSends)
            sink.gauge("sluice_syslog_queued_bytes", "Bytes waiting to be sent, per server", labels,
                       Double(syslog.queuedBytes))
            sink.gauge("sluice_syslog_connected", "1 while the connection to the server is up", labels,
                       syslog.connected ? 1 : 0)
        }
    }

    /// The series every kind of object has: sessions, open ones, bytes each way, connect failures, endings.
    private func traffic(_ kind: String, _ labels: [(String, String)], _ t: TrafficValues, into sink: MetricSink) {
        sink.counter("sluice_\(kind)_connections_total", "Sessions (TCP connections, UDP sessions) per \(kind)",
                     labels, t.total)
        sink.gauge("sluice_\(kind)_active_connections", "Sessions open now per \(kind)", labels, Double(t.active))
        let help = "Bytes proxied per \(kind): from clients towards upstreams, and back"
        sink.counter("sluice_\(kind)_bytes_total", help, labels + [("direction", "from_client")], t.bytesIn)
        sink.counter("sluice_\(kind)_bytes_total", help, labels + [("direction", "to_client")], t.bytesOut)
        sink.counter("sluice_\(kind)_connect_failures_total", "Failed upstream connects per \(kind)", labels,
                     t.connectFailures)
        for (reason, n) in t.endings {
            sink.counter("sluice_\(kind)_closed_total", "Sessions ended per \(kind) and close reason",
                         labels + [("reason", reason.rawValue)], n)
        }
    }

    /// Refusals by reason: the plugin and preread ones, `no_route` (UDP datagrams without a route too) and UDP
    /// datagrams dropped at the listener's session limit (`session_limit`).
    private func refusals(_ t: TrafficValues) -> [(String, UInt64)] {
        var out = t.refusals.map { ($0.key, $0.value) }
        if t.noRoute > 0 { out.append(("no_route", t.noRoute)) }
        if t.sessionsDropped > 0 { out.append(("session_limit", t.sessionsDropped)) }
        return out
    }
}
