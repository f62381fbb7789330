extension UpstreamChecks {
    /// Counts in APISIX's schema are 1…254 (0…254 where 0 turns the count off).
    private static let countRange = 1...254
    private static let passiveCountRange = 0...254
    /// HTTP-only fields of APISIX's schema: refused, since a stream upstream is checked over TCP or UDP.
    private static let httpFields = ["host", "http_path", "https_verify_certificate", "req_headers",
                                     "http_statuses", "http_failures"]

    /// Decodes `checks`; `udp` tells whether the upstream's scheme is `udp` (then probes are UDP by default).
    static func decode(_ value: ConfigValue, path: String, udp: Bool, problems: Problems) -> UpstreamChecks? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        var checks = UpstreamChecks()
        if let active = r.raw("active") {
            checks.active = decodeActive(active, path: r.child("active"), udp: udp, problems: problems)
        }
        if let passive = r.raw("passive") {
            checks.passive = decodePassive(passive, path: r.child("passive"), problems: problems)
            if value["active"] == nil || value["active"]?.isNull == true {
                r.report("passive", "needs checks.active too (as in APISIX: an unhealthy node only recovers through "
                         + "probes); for passive checks alone use the nodes' max_fails and fail_timeout")
            }
        }
        r.rejectUnknownFields()
        return checks
    }

    private static func rejectHTTPFields(_ r: inout FieldReader) {
        for field in httpFields where r.raw(field) != nil {
            r.report(field, "HTTP checks do not apply to stream upstreams")
        }
    }

    private static func decodeActive(_ value: ConfigValue, path: String, udp: Bool,
                                     problems: Problems) -> ActiveCheck? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        var a = ActiveCheck()
        a.kind = udp ? .udp : .tcp
        if let t = r.oneOf("type", ["tcp", "udp", "http", "https"]) {
            if t == "http" || t == "https" {
                r.report("type", "stream upstreams are checked with tcp or udp, not \(t)")
            } else if let kind = ActiveCheck.Kind(rawValue: t) {
                a.kind = kind
            }
        }
        if let v = r.seconds("timeout") { a.timeout = v }
        if let v = r.int("concurrency", in: 1...1024) { a.concurrency = v }
        a.port = r.int("port", in: 1...65535)
        a.send = r.string("send", maxLength: 4096).map { Array($0.utf8) }
        a.expect = r.string("expect", maxLength: 4096).map { Array($0.utf8) }
        a.tls = r.bool("tls") ?? false
        if a.expect?.isEmpty == true { r.report("expect", "must not be empty") }
        if a.kind == .udp {
            if a.send?.isEmpty ?? true { r.report("send", "is required for a udp check (the datagram to send)") }
            if a.tls { r.report("tls", "does not apply to a udp check") }
        }
        rejectHTTPFields(&r)
        if let h = r.raw("healthy"), var hr = FieldReader(h, path: r.child("healthy"), problems: problems) {
            if let v = hr.int("interval", in: 1...86400) { a.healthyInterval = Double(v) }
            if let v = hr.int("successes", in: countRange) { a.healthySuccesses = v }
            rejectHTTPFields(&hr)
            hr.rejectUnknownFields()
        }
        if let u = r.raw("unhealthy"), var ur = FieldReader(u, path: r.child("unhealthy"), problems: problems) {
            if let v = ur.int("interval", in: 1...86400) { a.unhealthyInterval = Double(v) }
            if let v = ur.int("tcp_failures", in: countRange) { a.unhealthyTCPFailures = v }
            if let v = ur.int("timeouts", in: countRange) { a.unhealthyTimeouts = v }
            rejectHTTPFields(&ur)
            ur.rejectUnknownFields()
        }
        r.rejectUnknownFields()
        return a
    }

    private static func decodePassive(_ value: ConfigValue, path: String, problems: Problems) -> PassiveCheck? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        var p = PassiveCheck()
        if let t = r.oneOf("type", ["tcp", "http", "https"]), t != "tcp" {
            r.report("type", "stream upstreams are checked passively on tcp connects, not \(t)")
        }
        if let h = r.raw("healthy"), var hr = FieldReader(h, path: r.child("healthy"), problems: problems) {
            if let v = hr.int("successes", in: passiveCountRange) { p.healthySuccesses = v }
            rejectHTTPFields(&hr)
            hr.rejectUnknownFields()
        }
        if let u = r.raw("unhealthy"), var ur = FieldReader(u, path: r.child("unhealthy"), problems: problems) {
            if let v = ur.int("tcp_failures", in: passiveCountRange) { p.unhealthyTCPFailures = v }
            if let v = ur.int("timeouts", in: passiveCountRange) { p.unhealthyTimeouts = v }
            rejectHTTPFields(&ur)
            ur.rejectUnknownFields()
        }
        r.rejectUnknownFields()
        return p
    }
}
