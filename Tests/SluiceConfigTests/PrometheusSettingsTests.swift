import Testing
@testable import SluiceConfig

/// The Prometheus export server in `config.yaml`: Sluice's `prometheus:` and APISIX's `plugin_attr.prometheus`,
/// defaults, and every error naming its field.
struct PrometheusSettingsTests {
    func decode(_ yaml: String) throws -> NodeSettings {
        try NodeSettings.decode(try ConfigValue.parseYAML(yaml, file: "config.yaml"), file: "config.yaml",
                                directory: "/etc/sluice")
    }

    /// The problems without the `file:line:` prefix.
    func errors(_ yaml: String) -> [String] {
        do {
            _ = try decode(yaml)
            return []
        } catch let error as ConfigErrors {
            return error.errors.map { String($0.description.split(separator: " ", maxSplits: 1).last ?? "") }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func absentMeansNoExportServer() throws {
        #expect(try decode("sluice:\n  stream_proxy: {tcp: [9100]}\n").prometheus == nil)
    }

    @Test func sluiceSectionWithDefaults() throws {
        let s = try decode("sluice:\n  prometheus: {}\n")
        #expect(s.prometheus?.listenField == "sluice.prometheus.listen")
        #expect(s.prometheus?.listen.description == "127.0.0.1:9091")
        #expect(s.prometheus?.exportURI == "/apisix/prometheus/metrics")
        let t = try decode("sluice:\n  prometheus: {listen: \"[::1]:9300\", export_uri: /m, metric_prefix: gw_}\n")
        #expect(t.prometheus?.listen == HostPort(host: "::1", port: 9300))
        #expect(t.prometheus?.exportURI == "/m")
        #expect(t.prometheus?.metricPrefix == "gw_")
    }

    @Test func apisixPluginAttrLoadsUnchanged() throws {
        let s = try decode("""
        apisix:
          stream_proxy: {tcp: [9100]}
        plugin_attr:
          log-rotate: {interval: 3600}
          prometheus:
            export_uri: /apisix/prometheus/metrics
            metric_prefix: apisix_
            enable_export_server: true
            export_addr:
              ip: 127.0.0.2
              port: 9092
            refresh_interval: 15
        """)
        #expect(s.prometheus?.listen == HostPort(host: "127.0.0.2", port: 9092))
        // export_addr's fields default one by one, as APISIX's do.
        let t = try decode("sluice: {}\nplugin_attr:\n  prometheus: {export_addr: {port: 9400}}\n")
        #expect(t.prometheus?.listen == HostPort(host: "127.0.0.1", port: 9400))
    }

    @Test func errorsNameTheField() {
        #expect(errors("sluice:\n  prometheus: {listen: 9091}\n")
                == ["sluice.prometheus.listen: must be a string, got an integer"])
        #expect(errors("sluice:\n  prometheus: {port: 9091}\n") == ["sluice.prometheus.port: unknown field"])
        #expect(errors("sluice:\n  prometheus: {metric_prefix: 9x}\n") == [
            "sluice.prometheus.metric_prefix: must be letters, digits, \"_\" or \":\" not starting with a digit, got \"9x\"",
        ])
        #expect(errors("sluice:\n  prometheus: {export_uri: metrics}\n") == [
            "sluice.prometheus.export_uri: must be a path starting with \"/\" (no query, no spaces), got \"metrics\"",
        ])
        #expect(errors("sluice: {}\nplugin_attr:\n  prometheus: {export_addr: {ip: localhost, port: 70000}}\n") == [
            "plugin_attr.prometheus.export_addr.ip: must be an IP address, got \"localhost\"",
            "plugin_attr.prometheus.export_addr.port: must be 1…65535, got 70000",
        ])
        #expect(errors("sluice: {}\nplugin_attr:\n  prometheus: {enable_export_server: false}\n") == [
            "plugin_attr.prometheus.enable_export_server: must be true: Sluice serves metrics only on its own "
                + "export address (a stream listener speaks no HTTP)",
        ])
        #expect(errors("sluice: {}\nplugin_attr:\n  prometheus: {metrics: {http_status: {expire: 0}}}\n") == [
            "plugin_attr.prometheus.metrics: is not supported by Sluice (HTTP extra labels and latency buckets; "
                + "the stream series have fixed labels)",
        ])
        #expect(errors("sluice:\n  prometheus: {}\nplugin_attr:\n  prometheus: {}\n") == [
            "plugin_attr.prometheus: the export server is set by sluice.prometheus already; keep one of them",
        ])
        // Under `sluice:` the other plugins' attributes are unknown; under `apisix:` they are APISIX's business.
        #expect(errors("sluice: {}\nplugin_attr:\n  log-rotate: {}\n") == ["plugin_attr.log-rotate: unknown field"])
    }
}
