extension Upstream {
    /// APISIX upstream fields Sluice stores but that only matter to HTTP routes.
    static let httpOnlyFields = ["pass_host", "upstream_host", "keepalive_pool", "labels", "desc",
                                 "create_time", "update_time"]

    /// Decodes an upstream, reporting every problem under `path`.
    /// - Parameter inline: true for an upstream inside a route or service (no `id` needed).
    static func decode(_ value: ConfigValue, path: String, inline: Bool, problems: Problems) -> Upstream? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        var up = Upstream(raw: value)
        up.id = r.id("id", required: false)
        if !inline && up.id == nil && value["id"] == nil { r.report("id", "is required") }
        up.name = r.string("name", maxLength: 100)
        if let t = r.oneOf("type", BalancerType.allCases.map(\.rawValue)) {
            up.type = BalancerType(rawValue: t) ?? .roundrobin
        }
        if let nodes = r.raw("nodes") {
            up.nodes = decodeNodes(nodes, path: r.child("nodes"), problems: problems)
        } else if r.raw("service_name") != nil || r.raw("discovery_type") != nil {
            r.report("service_name", "service discovery is not supported; list the nodes")
        } else {
            r.report("nodes", "is required")
        }
        if let hashOn = r.oneOf("hash_on", ["vars", "header", "cookie", "consumer", "vars_combinations"]),
           hashOn != "vars" {
            r.report("hash_on", "stream routes can hash only on vars (remote_addr, server_addr, server_port, "
                     + "mqtt_client_id)")
        }
        up.hashKey = r.oneOf("key", ["remote_addr", "server_addr", "server_port", "mqtt_client_id"])
        if up.type == .chash && up.hashKey == nil && value["key"] == nil {
            r.report("key", "is required when type is chash (remote_addr, server_addr, server_port or mqtt_client_id)")
        }
        up.retries = r.int("retries", in: 0...65535)
        up.retryTimeout = r.seconds("retry_timeout", allowZero: true)
        if let t = r.raw("timeout"), var tr = FieldReader(t, path: r.child("timeout"), problems: problems) {
            if let v = tr.seconds("connect") { up.timeout.connect = v }
            if let v = tr.seconds("send") { up.timeout.send = v }
            if let v = tr.seconds("read") {
                up.timeout.read = v
                up.timeout.readIsSet = true
            }
            tr.rejectUnknownFields()
        }
        up.sendProxyProtocol = r.oneOf("proxy_protocol", ["v1", "v2"])
        up.scheme = r.oneOf("scheme", ["http", "https", "grpc", "grpcs", "tcp", "tls", "udp", "kafka"])
        up.socketKeepalive = r.bool("socket_keepalive") ?? false
        if up.socketKeepalive && up.scheme == "udp" {
            r.report("socket_keepalive", "is for TCP connections; scheme udp has none")
        }
        if let t = r.raw("tls"), var tr = FieldReader(t, path: r.child("tls"), problems: problems) {
            up.tls.verify = tr.bool("verify") ?? false
            up.tls.ca = tr.string("ca", maxLength: 64 * 1024)
            up.tls.sni = tr.string("sni", maxLength: 253)
            up.tls.clientCert = tr.string("client_cert", maxLength: 64 * 1024)
            up.tls.clientKey = tr.string("client_key", maxLength: 64 * 1024)
            if tr.raw("client_cert_id") != nil {
                tr.report("client_cert_id", "is not supported yet; give client_cert and client_key")
            }
            if (up.tls.clientCert == nil) != (up.tls.clientKey == nil) {
                tr.report(up.tls.clientCert == nil ? "client_cert" : "client_key", "is required with the other one")
            }
            tr.rejectUnknownFields()
        }
        if let checks = r.raw("checks"),
           let decoded = UpstreamChecks.decode(checks, path: r.child("checks"), udp: up.scheme == "udp",
                                               problems: problems) {
            up.checks = decoded
        }
        for field in httpOnlyFields { r.accept(field) }
        r.rejectUnknownFields()
        return up
    }

    /// Nodes as a map `{"host:port": weight}` or a list of
    /// `{host, port, weight, priority, max_fails, fail_timeout, state, max_conns}`.
    static func decodeNodes(_ value: ConfigValue, path: String, problems: Problems) -> [UpstreamNode] {
        switch value.kind {
        case .map(let entries):
            var nodes: [UpstreamNode] = []
            for (i, entry) in entries.enumerated() {
                let nodePath = FieldPath.index(path, i)
                let line = entry.value.line ?? value.line
                let weight = FieldReader.int(entry.value, range: 0...Int(Int32.max)) {
                    problems.add(FieldPath.join(nodePath, "weight"), $0, line: line)
                }
                switch HostPort.parse(entry.key) {
                case .success(let hp):
                    if let weight { nodes.append(UpstreamNode(host: hp.host, port: hp.port, weight: weight)) }
                case .failure(let error):
                    problems.add(FieldPath.join(nodePath, field(for: error)), "\(error)", line: line)
                }
            }
            return nodes
        case .list(let items):
            var nodes: [UpstreamNode] = []
            for (i, item) in items.enumerated() {
                guard var r = FieldReader(item, path: FieldPath.index(path, i), problems: problems) else { continue }
                let host = r.string("host", required: true, maxLength: 253)
                let port = r.int("port", in: 1...65535, required: true)
                let weight = r.int("weight", in: 0...Int(Int32.max)) ?? 1
                let priority = r.int("priority", in: FieldReader.priorityRange) ?? 0
                let maxFails = r.int("max_fails", in: 0...1_000_000) ?? 1
                let failTimeout = r.seconds("fail_timeout") ?? 10
                let state = r.oneOf("state", NodeState.allCases.map(\.rawValue)).flatMap(NodeState.init) ?? .ready
                let maxConns = r.int("max_conns", in: 0...Int(Int32.max)) ?? 0
                r.accept("metadata")
                r.rejectUnknownFields()
                if let host, host.isEmpty { r.report("host", "must not be empty") }
                if let host, !host.isEmpty, let port {
                    nodes.append(UpstreamNode(host: host, port: port, weight: weight, priority: priority,
                                              maxFails: maxFails, failTimeout: failTimeout, state: state,
                                              maxConns: maxConns))
                }
            }
            return nodes
        default:
            problems.add(path, "must be a map of \"host:port\": weight or a list of nodes, got \(value.typeName)",
                         line: value.line)
            return []
        }
    }

    private static func field(for error: HostPortError) -> String {
        switch error {
        case .portOutOfRange, .missingPort, .portNotANumber: "port"
        default: "host"
        }
    }
}
