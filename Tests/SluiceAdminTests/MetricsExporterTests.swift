import Foundation
import SluiceConfig
import Testing
@testable import SluiceAdmin
@testable import SluiceEngine

/// The exposition text built from a snapshot, and the export server's paths and methods.
struct MetricsExporterTests {
    static let exporter = MetricsExporter(metricPrefix: "apisix_",
                                          build: .init(version: "0.1.0", commit: "abc", swift: "6.3"), hostname: "h")

    static func traffic(total: UInt64 = 0, active: Int = 0, bytesIn: UInt64 = 0, bytesOut: UInt64 = 0) -> TrafficValues {
        TrafficValues(total: total, active: active, bytesIn: bytesIn, bytesOut: bytesOut, connectFailures: 0, noRoute: 0)
    }

    static func snapshot() -> EngineSnapshot {
        var listener = traffic(total: 9, active: 1, bytesIn: 100, bytesOut: 200)
        listener.upstreamBytesSent = 90
        listener.upstreamBytesReceived = 200
        listener.noRoute = 2
        listener.endings = [.clientClosed: 6, .ipRestricted: 1, .noRoute: 2]
        let status: [StreamStatusKey: UInt64] = [StreamStatusKey(code: "200", listenAddr: "127.0.0.1:9100", node: "127.0.0.1:7000"): 6,
                      StreamStatusKey(code: "403", listenAddr: "127.0.0.1:9100", node: ""): 1]
        return EngineSnapshot(
            takenAt: Date(), configRevision: 12,
            listeners: [.init(spec: ListenerSpec(transport: .tcp, host: "127.0.0.1", port: 9100), traffic: listener)],
            routes: [.init(id: "1", name: "web \"a\"", upstreamKey: "upstreams/u", traffic: traffic(total: 7),
                           prometheus: PrometheusRouteValues(preferName: true, status: status)),
                     .init(id: "2", name: nil, upstreamKey: "upstreams/u", traffic: traffic(total: 2))],
            upstreams: [.init(key: "upstreams/u", traffic: traffic(), nodes: [
                .init(address: "127.0.0.1:7000", weight: 1, traffic: traffic(total: 6),
                      health: NodeHealthInfo(status: .healthy, since: Date())),
                .init(address: "[::1]:7001", weight: 1, traffic: traffic(),
                      health: NodeHealthInfo(status: .unhealthy, since: Date())),
            ], checkType: "tcp")],
            connections: [])
    }

    func lines(_ text: String) -> Set<String> { Set(text.split(separator: "\n").map(String.init)) }

    @Test func apisixSeriesOnlyForRoutesWithThePlugin() {
        let got = lines(Self.exporter.text(Self.snapshot()))
        #expect(got.contains(#"apisix_stream_connection_total{route="web \"a\""} 7"#), "prefer_name, escaped")
        #expect(!got.contains { $0.hasPrefix("apisix_stream_connection_total{route=\"2\"") })
        #expect(got.contains(#"apisix_stream_status{code="200",listen_addr="127.0.0.1:9100",node="127.0.0.1:7000"} 6"#))
        #expect(got.contains(#"apisix_stream_status{code="403",listen_addr="127.0.0.1:9100",node=""} 1"#))
        #expect(got.contains(#"apisix_stream_active_connections{listen_addr="127.0.0.1:9100"} 1.0"#))
        #expect(got.contains(#"apisix_stream_bandwidth{listen_addr="127.0.0.1:9100",type="ingress",side="downstream"} 100"#))
        #expect(got.contains(#"apisix_stream_bandwidth{listen_addr="127.0.0.1:9100",type="egress",side="upstream"} 90"#))
        #expect(got.contains(#"apisix_upstream_status{name="/apisix/upstreams/u",ip="::1",port="7001"} 0.0"#))
        #expect(got.contains("# TYPE apisix_stream_status counter"))
    }

    @Test func sluiceSeriesForEverything() {
        let got = lines(Self.exporter.text(Self.snapshot()))
        #expect(got.contains(#"sluice_build_info{version="0.1.0",commit="abc",swift="6.3"} 1.0"#))
        #expect(got.contains("sluice_config_revision 12.0"))
        #expect(got.contains(#"sluice_route_connections_total{route="2"} 2"#))
        #expect(got.contains(#"sluice_listener_refusals_total{listener="tcp 127.0.0.1:9100",reason="ip_restricted"} 1"#))
        #expect(got.contains(#"sluice_listener_refusals_total{listener="tcp 127.0.0.1:9100",reason="no_route"} 2"#))
        #expect(got.contains(#"sluice_listener_closed_total{listener="tcp 127.0.0.1:9100",reason="client_closed"} 6"#))
        #expect(got.contains(#"sluice_node_health{upstream="upstreams/u",node="[::1]:7001",state="unhealthy"} 1.0"#))
        #expect(got.contains(#"sluice_node_health{upstream="upstreams/u",node="[::1]:7001",state="healthy"} 0.0"#))
    }

    @Test func etcdLagSeries() {
        let now = Date()
        var etcd = MirrorStatus(source: "etcd https://127.0.0.1:2379 /apisix", since: now)
        etcd.reachable = true
        etcd.revision = 40
        etcd.sourceRevision = 47
        etcd.newestChange = 45
        etcd.lastApplied = now.addingTimeInterval(-6)
        let sink = MetricSink()
        Self.exporter.etcdSeries(etcd, into: sink, now: now)
        let got = lines(sink.text)
        #expect(got.contains(#"apisix_etcd_modify_indexes{key="x_etcd_index"} 47.0"#), "\(got)")
        #expect(got.contains(#"apisix_etcd_modify_indexes{key="max_modify_index"} 40.0"#))
        #expect(got.contains("sluice_etcd_lag_revisions 5.0"))
        #expect(got.contains("sluice_etcd_lag_seconds 6.0"))
        etcd.revision = 47  // caught up: writes outside the prefix (47 > 45) are no lag
        let caughtUp = MetricSink()
        Self.exporter.etcdSeries(etcd, into: caughtUp, now: now)
        #expect(lines(caughtUp.text).isSuperset(of: ["sluice_etcd_lag_revisions 0.0", "sluice_etcd_lag_seconds 0.0"]))
    }

    @Test func aMetricPrefixRenamesAPISIXSeriesOnly() {
        let exporter = MetricsExporter(metricPrefix: "gw_", build: .init(version: "v", commit: "c", swift: "s"))
        let got = lines(exporter.text(Self.snapshot()))
        #expect(got.contains { $0.hasPrefix("gw_stream_connection_total{") })
        #expect(!got.contains { $0.hasPrefix("apisix_") })
        #expect(got.contains { $0.hasPrefix("sluice_config_revision ") })
    }

    @Test func endpointPathsAndMethods() {
        var settings = PrometheusSettings()
        settings.exportURI = "/stats"
        let endpoint = MetricsEndpoint(settings: settings, exporter: Self.exporter, snapshot: { Self.snapshot() })
        for path in ["/stats", "/metrics"] {
            let response = endpoint.handle(AdminRequest(method: "GET", target: path))
            #expect(response.status == 200)
            #expect(response.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.body.contains("sluice_config_revision 12.0"))
        }
        #expect(endpoint.refusal(for: AdminRequest(method: "GET", target: "/apisix/prometheus/metrics"))?.status == 404)
        let post = endpoint.refusal(for: AdminRequest(method: "POST", target: "/metrics"))
        #expect(post?.status == 405 && post?.header("Allow") == "GET, HEAD")
        #expect(endpoint.refusal(for: AdminRequest(method: "GET", target: "/metrics?x=1")) == nil, "a query is fine")
    }
}
