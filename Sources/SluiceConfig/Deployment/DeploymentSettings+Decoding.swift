import Foundation

extension DeploymentSettings {
    /// Decodes the top-level `deployment:` section.
    /// - Parameter strict: under a `sluice:` root every unknown key is an error; under `apisix:` keys Sluice has
    ///   no use for (`admin`, `role_traditional.…` others) are ignored, as for the rest of an APISIX config.yaml.
    /// - Parameter directory: the folder relative paths (TLS files) start from.
    static func decode(_ value: ConfigValue, directory: String, strict: Bool, problems: Problems) -> DeploymentSettings {
        var out = DeploymentSettings()
        guard var r = FieldReader(value, path: "deployment", problems: problems) else { return out }
        if let role = r.oneOf("role", Role.allCases.map(\.rawValue)) { out.role = Role(rawValue: role) ?? .traditional }
        r.accept("role_traditional", "role_data_plane", "role_control_plane")
        let roleKey = "role_\(out.role.rawValue)"
        for other in Role.allCases.map({ "role_\($0.rawValue)" }) where other != roleKey && value[other] != nil {
            r.report(other, "does not apply to role \(out.role.rawValue); use \(roleKey)")
        }
        if let section = r.raw(roleKey), var rr = FieldReader(section, path: r.child(roleKey), problems: problems) {
            if let p = rr.oneOf("config_provider", ["yaml", "etcd"]) { out.provider = Provider(rawValue: p) ?? .yaml }
            if strict { rr.rejectUnknownFields() }
        } else if out.role != .traditional {
            problems.add(r.child(roleKey), "is required for role \(out.role.rawValue) (config_provider: etcd)",
                         line: value.line)
        }
        if out.role != .traditional && out.provider != .etcd {
            problems.add(FieldPath.join(r.child(roleKey), "config_provider"), "role \(out.role.rawValue) needs "
                         + "config_provider: etcd (a file-based gateway is role: traditional)",
                         line: value[roleKey]?.line ?? value.line)
        }
        let etcdValue = r.raw("etcd")
        if out.provider == .etcd {
            if let etcdValue {
                out.etcd = EtcdSettings.decode(etcdValue, path: r.child("etcd"), directory: directory, strict: strict,
                                               problems: problems)
            } else {
                problems.add(r.child("etcd"), "is required with config_provider: etcd (host: [\"http://127.0.0.1:2379\"])",
                             line: value.line)
            }
        }
        if strict { r.rejectUnknownFields() }
        return out
    }
}

extension EtcdSettings {
    static func decode(_ value: ConfigValue, path: String, directory: String, strict: Bool,
                       problems: Problems) -> EtcdSettings? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        var hosts: [Endpoint] = []
        if let list = r.stringOrList("host") {
            for (i, (text, line)) in list.enumerated() {
                if let e = Self.endpoint(text, report: { problems.add(FieldPath.index(r.child("host"), i), $0, line: line) }) {
                    hosts.append(e)
                }
            }
            if list.isEmpty { r.report("host", "must list at least one etcd member (\"http://127.0.0.1:2379\")") }
        } else {
            problems.add(r.child("host"), "is required: the etcd members' client URLs", line: value.line)
        }
        var out = EtcdSettings(hosts: hosts)
        if let prefix = r.string("prefix", maxLength: 256) {
            if !prefix.hasPrefix("/") || prefix.count < 2 || prefix.hasSuffix("/") {
                r.report("prefix", "must start with / and not end with one (\"/apisix\"), got \"\(prefix)\"")
            } else {
                out.prefix = prefix
            }
        }
        if let t = r.int("timeout", in: timeoutRange) { out.timeout = Double(t) }
        out.user = r.string("user", maxLength: 256)
        out.password = r.string("password", maxLength: 256)
        if (out.user == nil) != (out.password == nil) {
            r.report(out.user == nil ? "password" : "user", "user and password go together")
        }
        if let retry = r.int("startup_retry", in: startupRetryRange) { out.startupRetry = retry }
        let tlsPath = r.child("tls")
        let tls = r.raw("tls").flatMap {
            EtcdTLSSettings.decode($0, path: tlsPath, directory: directory, strict: strict, problems: problems)
        }
        let secure = Set(hosts.map(\.secure))
        if secure.count > 1 {
            r.report("host", "members must be all https:// or all http://, not both")
        } else if secure == [false] && r.raw("tls") != nil {
            r.report("tls", "applies to https:// members only, and host lists http:// ones (use https://, or "
                     + "remove tls)")
        } else if secure == [true] {
            out.tls = tls ?? EtcdTLSSettings()
        }
        if strict { r.rejectUnknownFields() }
        return out
    }

    /// `http://host:port` or `https://host:port`.
    static func endpoint(_ text: String, report: (String) -> Void) -> Endpoint? {
        let secure = text.hasPrefix("https://")
        guard secure || text.hasPrefix("http://") else {
            report("must be an http://host:port or https://host:port URL, got \"\(text)\"")
            return nil
        }
        var rest = String(text.dropFirst(secure ? "https://".count : "http://".count))
        if rest.hasSuffix("/") { rest.removeLast() }
        switch HostPort.parse(rest) {
        case .success(let hp): return Endpoint(host: hp.host, port: hp.port, secure: secure)
        case .failure(let e):
            report("must be an http://host:port or https://host:port URL, got \"\(text)\": \(e)")
            return nil
        }
    }
}

extension EtcdTLSSettings {
    /// `deployment.etcd.tls`: `cert` and `key` (files, together), `verify`, `sni`.
    static func decode(_ value: ConfigValue, path: String, directory: String, strict: Bool,
                       problems: Problems) -> EtcdTLSSettings? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        var out = EtcdTLSSettings()
        let reader = r
        out.certificate = r.string("cert").flatMap { readableFile($0, "cert", reader, directory) }
        out.key = r.string("key").flatMap { readableFile($0, "key", reader, directory) }
        if (r.raw("cert") == nil) != (r.raw("key") == nil) {
            r.report(r.raw("cert") == nil ? "key" : "cert", "cert and key go together (the client certificate and "
                     + "its private key)")
        }
        if let verify = r.bool("verify") { out.verify = verify }
        if let sni = r.string("sni", maxLength: 253) {
            if IPAddress(sni) != nil || sni.isEmpty {
                r.report("sni", "must be a host name (an IP address is checked without SNI), got \"\(sni)\"")
            } else {
                out.serverName = sni
            }
        }
        if strict { r.rejectUnknownFields() }
        return out
    }

    /// `ssl_trusted_certificate` (APISIX's `apisix.ssl`): `system`, CA bundle files, or both, comma-separated.
    mutating func trust(_ text: String, _ key: String, _ r: FieldReader, directory: String) {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if items.isEmpty { r.report(key, "must be `system` or CA bundle files, comma-separated") }
        systemTrust = items.contains("system")
        trustedCertificates = items.filter { $0 != "system" }.compactMap { Self.readableFile($0, key, r, directory) }
    }

    private static func readableFile(_ path: String, _ key: String, _ r: FieldReader,
                                     _ directory: String) -> String? {
        let full = NodeSettings.resolve(path, in: directory)
        guard FileManager.default.isReadableFile(atPath: full) else {
            r.report(key, "cannot read \(full)")
            return nil
        }
        return full
    }
}
