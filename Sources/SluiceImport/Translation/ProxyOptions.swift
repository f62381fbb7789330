import SluiceConfig

/// The `proxy_*` settings of a `server` block (inherited from `stream {}` unless set again), as far as they
/// become fields of the upstream a route uses. Equal options let two servers share one upstream object.
struct ProxyOptions: Equatable {
    var connectTimeout: Double?
    /// `proxy_timeout`: Sluice's idle timeout, `timeout.send` and `timeout.read`.
    var idleTimeout: Double?
    /// Extra attempts after a failed connect (`proxy_next_upstream off` ⇒ 0, `_tries N` ⇒ N − 1).
    var retries: Int?
    var retryTimeout: Double?
    var sendProxyProtocol = false
    /// `proxy_ssl on`: TLS to the nodes.
    var upstreamTLS = false
    var tlsVerify = false
    var tlsName: String?
    var tlsCA: String?
    /// `proxy_ssl_certificate` / `_key`: a client certificate for the nodes (upstream mTLS).
    var tlsClientCert: String?
    var tlsClientKey: String?
    /// `proxy_socket_keepalive on`: `SO_KEEPALIVE` on the connections to the nodes (TCP only).
    var socketKeepalive = false

    /// `proxy_next_upstream` and `_tries` combine; kept apart until the end.
    private var nextUpstream: Bool?
    private var tries: Int?

    /// Reads the directive if it is one of these settings; false when it is not.
    mutating func read(_ d: NginxDirective, files: CertificateFiles, notes: ImportNotes) -> Bool {
        switch d.name {
        case "proxy_connect_timeout": connectTimeout = time(d, notes, allowZero: false) ?? connectTimeout
        case "proxy_timeout": idleTimeout = time(d, notes, allowZero: false) ?? idleTimeout
        case "proxy_next_upstream_timeout":
            if let t = time(d, notes, allowZero: true) { retryTimeout = t }
        case "proxy_next_upstream":
            if let on = flag(d, notes) { nextUpstream = on }
        case "proxy_next_upstream_tries":
            if let n = d.args.first.flatMap({ Int($0) }), d.args.count == 1, n >= 0, n <= 65536 { tries = n } else {
                notes.add(d, .notTranslated, "expects a number of tries")
            }
        case "proxy_protocol":
            if let on = flag(d, notes) { sendProxyProtocol = on }
        case "proxy_ssl":
            if let on = flag(d, notes) { upstreamTLS = on }
        case "proxy_ssl_verify":
            if let on = flag(d, notes) { tlsVerify = on }
        case "proxy_ssl_name":
            if d.args.count == 1, !d.args[0].contains("$") { tlsName = d.args[0] } else {
                notes.add(d, .notTranslated, "Sluice takes a fixed name (tls.sni), not variables")
            }
        case "proxy_ssl_trusted_certificate":
            if let pem = files.read(d, notes: notes) { tlsCA = pem }
        case "proxy_ssl_certificate":
            if let pem = files.read(d, notes: notes) { tlsClientCert = pem }
        case "proxy_ssl_certificate_key":
            if let pem = files.read(d, notes: notes) { tlsClientKey = pem }
        case "proxy_socket_keepalive":
            if let on = flag(d, notes) { socketKeepalive = on }
        case "proxy_ssl_server_name":
            if flag(d, notes) == true {
                notes.add(d, .approximate, "Sluice passes on the client's server name when it terminated TLS, else "
                          + "tls.sni or the node's host name")
            }
        default:
            return false
        }
        if nextUpstream == false {
            retries = 0
        } else if let tries, tries > 0 {
            retries = tries - 1
        } else {
            retries = nil
        }
        return true
    }

    /// One time argument in seconds; `allowZero` where 0 means "no limit" to nginx and Sluice alike.
    private func time(_ d: NginxDirective, _ notes: ImportNotes, allowZero: Bool) -> Double? {
        guard d.args.count == 1, let s = NginxValue.seconds(d.args[0]) else {
            notes.add(d, .notTranslated, "expects one time such as 10s, 5m, 1h or 30000ms")
            return nil
        }
        if s == 0 && !allowZero {
            notes.add(d, .notTranslated, "Sluice needs a time of more than 0")
            return nil
        }
        return s
    }

    private func flag(_ d: NginxDirective, _ notes: ImportNotes) -> Bool? {
        guard d.args.count == 1, let on = NginxValue.flag(d.args[0]) else {
            notes.add(d, .notTranslated, "expects on or off")
            return nil
        }
        return on
    }

    /// The upstream fields these options set, in the order Sluice documents them, for a route taking `tcp`
    /// and/or `udp` connections (keepalive is a TCP matter: nginx's does nothing to UDP sockets either).
    func upstreamFields(tcp: Bool, udp: Bool) -> [(String, ConfigValue)] {
        var b = MapBuilder()
        b.set("retries", retries.map { .int($0) })
        b.set("retry_timeout", retryTimeout.map { .seconds($0) })
        // nginx's UDP sessions idle out after proxy_timeout (10 min by default); Sluice's after 60 s unless set.
        let idle = idleTimeout ?? (udp ? 600 : nil)
        if connectTimeout != nil || idle != nil {
            var t = MapBuilder()
            t.set("connect", connectTimeout.map { .seconds($0) })
            t.set("send", idle.map { .seconds($0) })
            t.set("read", idle.map { .seconds($0) })
            b.set("timeout", t.value)
        }
        if upstreamTLS {
            b.set("scheme", .string("tls"))
            var t = MapBuilder()
            if tlsVerify { t.set("verify", .bool(true)) }
            t.set("ca", tlsCA.map { .string($0) })
            t.set("sni", tlsName.map { .string($0) })
            if let cert = tlsClientCert, let key = tlsClientKey {
                t.set("client_cert", .string(cert))
                t.set("client_key", .string(key))
            }
            if !t.entries.isEmpty { b.set("tls", t.value) }
        }
        if sendProxyProtocol { b.set("proxy_protocol", .string("v1")) }
        if socketKeepalive && tcp { b.set("socket_keepalive", .bool(true)) }
        return b.entries
    }
}
