extension NodeSettings {
    /// Sluice's `prometheus: {listen, export_uri, metric_prefix}` under the root.
    static func prometheus(sluice r: inout FieldReader) -> PrometheusSettings {
        var settings = PrometheusSettings()
        settings.listenField = r.child("listen")
        if let text = r.string("listen") {
            switch HostPort.parse(text) {
            case .success(let hp): settings.listen = hp
            case .failure(let e): r.report("listen", "\(e)")
            }
        }
        readShared(&r, into: &settings)
        r.rejectUnknownFields()
        return settings
    }

    /// APISIX's `plugin_attr.prometheus`: `export_addr: {ip, port}`, `export_uri`, `metric_prefix`,
    /// `enable_export_server` (true only: Sluice always serves metrics on its own address) and `refresh_interval`
    /// (validated; Sluice reads its counters at each scrape, so every scrape is fresh). The HTTP-only `metrics`
    /// (extra labels) and `default_buckets` are refused rather than ignored.
    static func prometheus(apisix r: inout FieldReader) -> PrometheusSettings {
        var settings = PrometheusSettings()
        settings.listenField = r.child("export_addr")
        if let a = r.raw("export_addr"), var ar = FieldReader(a, path: r.child("export_addr"), problems: r.problems) {
            let ip = ar.string("ip") ?? settings.listen.host
            if IPAddress(ip) == nil { ar.report("ip", "must be an IP address, got \"\(ip)\"") }
            let port = ar.int("port", in: 1...65535) ?? settings.listen.port
            settings.listen = HostPort(host: ip, port: port)
            ar.rejectUnknownFields()
        }
        readShared(&r, into: &settings)
        if r.bool("enable_export_server") == false {
            r.report("enable_export_server", "must be true: Sluice serves metrics only on its own export address "
                     + "(a stream listener speaks no HTTP)")
        }
        _ = r.seconds("refresh_interval")
        for key in ["metrics", "default_buckets"] where r.raw(key) != nil {
            r.report(key, "is not supported by Sluice (HTTP extra labels and latency buckets; the stream "
                     + "series have fixed labels)")
        }
        r.rejectUnknownFields()
        return settings
    }

    private static func readShared(_ r: inout FieldReader, into settings: inout PrometheusSettings) {
        if let uri = r.string("export_uri", maxLength: 256) {
            if uri.hasPrefix("/"), !uri.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }) {
                settings.exportURI = uri
            } else {
                r.report("export_uri", "must be a path starting with \"/\" (no query, no spaces), got \"\(uri)\"")
            }
        }
        if let prefix = r.string("metric_prefix", maxLength: 64) {
            if isMetricPrefix(prefix) {
                settings.metricPrefix = prefix
            } else {
                r.report("metric_prefix", "must be letters, digits, \"_\" or \":\" not starting with a digit, "
                         + "got \"\(prefix)\"")
            }
        }
    }

    private static func isMetricPrefix(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == ":"
        }
    }
}
