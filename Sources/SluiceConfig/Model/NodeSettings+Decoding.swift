import Foundation

extension NodeSettings {
    /// Decodes `config.yaml`.
    ///
    /// Under `sluice:` every unknown key is an error. Under `apisix:` (an APISIX config.yaml) keys Sluice has no
    /// use for are ignored, and so are APISIX's other top-level sections (`nginx_config`, …). The top-level
    /// `deployment:` section is read under both roots (`DeploymentSettings`).
    /// - Parameters:
    ///   - file: name for messages; `directory`: the folder relative paths start from.
    /// - Throws: `ConfigErrors` with every problem.
    public static func decode(_ value: ConfigValue, file: String, directory: String) throws(ConfigErrors) -> NodeSettings {
        let problems = Problems(file: file)
        var settings = NodeSettings(dataFile: resolve("gateway.yaml", in: directory))
        guard var top = FieldReader(value, path: "", problems: problems) else { throw ConfigErrors(problems.errors) }
        let rootKey = value["sluice"] != nil ? "sluice" : value["apisix"] != nil ? "apisix" : nil
        guard let rootKey, let rootValue = top.raw(rootKey) else {
            problems.add("", "must have a `sluice:` (or `apisix:`) root", line: value.line)
            throw ConfigErrors(problems.errors)
        }
        let strict = rootKey == "sluice"
        top.accept("plugin_attr")  // read below, after the root
        if let d = top.raw("deployment") {
            settings.deployment = DeploymentSettings.decode(d, directory: directory, strict: strict, problems: problems)
        }
        if strict { top.rejectUnknownFields() }
        settings.root = rootKey
        guard var r = FieldReader(rootValue, path: rootKey, problems: problems) else {
            throw ConfigErrors(problems.errors)
        }
        if let sp = r.raw("stream_proxy"), var s = FieldReader(sp, path: r.child("stream_proxy"), problems: problems) {
            settings.listeners = listeners(&s, .tcp, directory: directory, logs: &settings.listenerAccessLogs)
                + listeners(&s, .udp, directory: directory, logs: &settings.listenerAccessLogs)
            for (text, line) in s.stringOrList("real_ip_from") ?? [] {
                if let c = CIDR(text) { settings.realIPFrom.append(c) } else {
                    problems.add(s.child("real_ip_from"), "must be an IP address or CIDR, got \"\(text)\"", line: line)
                }
            }
            if let limit = s.int("udp_session_limit", in: 1...10_000_000) { settings.udpSessionLimit = limit }
            s.accept("only")
            if strict { s.rejectUnknownFields() }
        }
        if let a = r.raw("admin"), var ar = FieldReader(a, path: r.child("admin"), problems: problems) {
            if let l = ar.string("listen") { settings.admin.listen = hostPort(l, ar, "listen") ?? settings.admin.listen }
            settings.admin.key = ar.string("key", maxLength: 256)
            settings.admin.viewerKey = ar.string("viewer_key", maxLength: 256)
            if let allow = ar.stringOrList("allow") {
                settings.admin.allow = allow.compactMap { text, line in
                    let c = CIDR(text)
                    if c == nil { problems.add(ar.child("allow"), "must be an IP address or CIDR, got \"\(text)\"", line: line) }
                    return c
                }
            }
            if strict { ar.rejectUnknownFields() }
        }
        if let p = r.raw("prometheus"), var pr = FieldReader(p, path: r.child("prometheus"), problems: problems) {
            settings.prometheus = prometheus(sluice: &pr)
        }
        // APISIX's place for it, beside the root; its other plugins' attributes are APISIX's only.
        if let pa = top.raw("plugin_attr"), var par = FieldReader(pa, path: "plugin_attr", problems: problems) {
            if let p = par.raw("prometheus"),
               var pr = FieldReader(p, path: par.child("prometheus"), problems: problems) {
                if settings.prometheus != nil {
                    problems.add(pr.path, "the export server is set by \(r.child("prometheus")) already; keep one of them",
                                 line: p.line)
                }
                settings.prometheus = prometheus(apisix: &pr)
            }
            if strict { par.rejectUnknownFields() }
        }
        if let l = r.raw("access_log"), var lr = FieldReader(l, path: r.child("access_log"), problems: problems) {
            settings.accessLog = accessLogSection(&lr, directory: directory, strict: strict, pathRequired: false)
        }
        if let h = r.raw("history"), var hr = FieldReader(h, path: r.child("history"), problems: problems) {
            if let keep = hr.int("keep", in: historyKeepRange) { settings.historyKeep = keep }
            if strict { hr.rejectUnknownFields() }
        }
        if let ssl = r.raw("ssl"), var sr = FieldReader(ssl, path: r.child("ssl"), problems: problems) {
            if let trusted = sr.string("ssl_trusted_certificate") {
                if settings.deployment.etcd?.tls != nil {
                    settings.deployment.etcd?.tls?.trust(trusted, "ssl_trusted_certificate", sr, directory: directory)
                } else if strict {
                    sr.report("ssl_trusted_certificate", "is used for https:// etcd members (deployment.etcd.host) "
                              + "only, and none is configured")
                }
            }
            if strict { sr.rejectUnknownFields() }
        }
        settings.dns = dns(&r)
        if let df = r.string("data_file") { settings.dataFile = resolve(df, in: directory) }
        if let d = r.seconds("drain_timeout", allowZero: true) { settings.drainTimeout = d }
        if let lf = r.string("log_file") { settings.logFile = resolve(lf, in: directory) }
        if strict { r.rejectUnknownFields() }
        if settings.deployment.role == .controlPlane && !settings.listeners.isEmpty {
            problems.add(r.child("stream_proxy"), "a control_plane serves no traffic: remove the stream_proxy "
                         + "listeners (or use role: traditional)", line: rootValue["stream_proxy"]?.line)
        }
        guard problems.isEmpty else { throw ConfigErrors(problems.errors) }
        return settings
    }

    /// `dns_resolver` (addresses, port 53 unless given), `dns_resolver_valid`, `resolver_timeout`.
    private static func dns(_ r: inout FieldReader) -> DNSSettings {
        var dns = DNSSettings()
        for (text, line) in r.stringOrList("dns_resolver") ?? [] {
            let withPort = IPAddress(text) != nil && text.contains(":") ? "[\(text)]:53"
                : IPAddress(text) != nil ? "\(text):53" : text
            if case .success(let hp) = HostPort.parse(withPort), IPAddress(hp.host) != nil {
                dns.servers.append(hp)
            } else {
                r.problems.add(r.child("dns_resolver"), "must be an IP address with an optional port, got \"\(text)\"",
                               line: line)
            }
        }
        if let valid = r.seconds("dns_resolver_valid", allowZero: false) { dns.valid = valid }
        if let timeout = r.seconds("resolver_timeout", allowZero: false) { dns.timeout = timeout }
        return dns
    }

    private static func hostPort(_ text: String, _ r: FieldReader, _ key: String) -> HostPort? {
        switch HostPort.parse(text) {
        case .success(let hp): return hp
        case .failure(let e):
            r.report(key, "\(e)")
            return nil
        }
    }

    /// `stream_proxy.tcp` / `.udp` entries: a port, `"ip:port"`, a range `"9100-9110"` (also `"ip:9100-9110"`),
    /// or `{addr, tls, tls_passthrough, proxy_protocol, proxy_responses, access_log}` (a listener's own access log
    /// goes into `logs`, for each address of the entry).
    private static func listeners(_ r: inout FieldReader, _ transport: ListenerSpec.Transport, directory: String,
                                  logs: inout [ListenerSpec: ListenerAccessLog]) -> [ListenerSpec] {
        guard let v = r.raw(transport.rawValue) else { return [] }
        let path = r.child(transport.rawValue)
        guard case .list(let items) = v.kind else {
            r.report(transport.rawValue, "must be a list of addresses, got \(v.typeName)")
            return []
        }
        var out: [ListenerSpec] = []
        for (i, item) in items.enumerated() {
            let itemPath = FieldPath.index(path, i)
            var addr = item
            var options: FieldReader?
            if item.entries != nil, var o = FieldReader(item, path: itemPath, problems: r.problems) {
                guard let a = o.required("addr") else { continue }
                addr = a
                options = o
            }
            let report = { (msg: String) in r.problems.add(options == nil ? itemPath : FieldPath.join(itemPath, "addr"),
                                                            msg, line: addr.line ?? item.line) }
            guard var specs = parseAddress(addr, transport: transport, report: report) else { continue }
            if var o = options {
                let tls = o.bool("tls") ?? false
                let passthrough = o.bool("tls_passthrough") ?? false
                let proxyProtocol = o.bool("proxy_protocol") ?? false
                let responses = o.int("proxy_responses", in: 1...1_000_000)
                if responses != nil && transport == .tcp { o.report("proxy_responses", "is for UDP listeners only") }
                if tls && passthrough { o.report("tls_passthrough", "cannot be combined with tls: true") }
                if transport == .udp && (tls || passthrough || proxyProtocol) {
                    o.report(tls ? "tls" : passthrough ? "tls_passthrough" : "proxy_protocol", "is for TCP listeners only")
                }
                specs = specs.map {
                    var spec = $0
                    spec.tls = tls
                    spec.tlsPassthrough = passthrough
                    spec.proxyProtocol = proxyProtocol
                    spec.udpResponses = responses
                    return spec
                }
                if let log = listenerAccessLog(&o, directory: directory) {
                    for spec in specs { logs[spec] = log }
                }
                o.rejectUnknownFields()
            }
            out += specs
        }
        return out
    }

    private static func parseAddress(_ v: ConfigValue, transport: ListenerSpec.Transport,
                                     report: (String) -> Void) -> [ListenerSpec]? {
        var host = "0.0.0.0"
        var portText: String
        switch v.kind {
        case .int(let p): portText = String(p)
        case .string(let s):
            portText = s
            if let colon = s.lastIndex(of: ":") {
                host = String(s[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                portText = String(s[s.index(after: colon)...])
                guard IPAddress(host) != nil else {
                    report("must be a port, \"ip:port\" or a port range, got \(v.shortDescription): \"\(host)\" is not an IP address")
                    return nil
                }
            }
        default:
            report("must be a port, \"ip:port\" or a port range, got \(v.typeName)")
            return nil
        }
        guard let range = PortRange.parse(portText) else {
            report("must be a port 1…65535, \"ip:port\" or a range \"9100-9110\", got \(v.shortDescription)")
            return nil
        }
        return (range.lower...range.upper).map { ListenerSpec(transport: transport, host: host, port: $0) }
    }

    static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardized.path
    }
}
