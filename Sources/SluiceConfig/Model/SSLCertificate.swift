/// A certificate and key for TLS listeners, chosen by SNI (APISIX `ssls`). Never logged; stored 0600.
public struct SSLCertificate: Sendable, Equatable {
    public var id: String
    /// Lower-cased names: exact, or `*.example.com` (exactly one label in place of `*`).
    public var snis: [String] = []
    /// PEM certificate chain and private key.
    public var cert = ""
    public var key = ""
    /// PEM CA for client certificates (mTLS), when set.
    public var clientCA: String?
    /// `TLSv1.2`, `TLSv1.3` …; empty means the library's defaults.
    public var protocols: [String] = []
    /// `status: 0` disables the certificate.
    public var enabled = true
    public var raw: ConfigValue

    public init(id: String, raw: ConfigValue) {
        self.id = id
        self.raw = raw
    }

    static func decode(_ value: ConfigValue, path: String, problems: Problems) -> SSLCertificate? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        let id = r.id("id", required: true)
        var ssl = SSLCertificate(id: id ?? "", raw: value)
        let cert = r.string("cert", required: true, maxLength: 64 * 1024)
        let key = r.string("key", required: true, maxLength: 64 * 1024)
        if let cert, !cert.contains("-----BEGIN CERTIFICATE-----") { r.report("cert", "must be a PEM certificate") }
        ssl.cert = cert ?? ""
        ssl.key = key ?? ""
        if let key, !key.contains("-----BEGIN") || !key.contains("PRIVATE KEY-----") {
            r.report("key", "must be a PEM private key")
        }
        if let single = r.string("sni", maxLength: 253) { ssl.snis.append(single.lowercased()) }
        if let many = r.stringOrList("snis") { ssl.snis += many.map { $0.0.lowercased() } }
        if ssl.snis.isEmpty && value["sni"] == nil && value["snis"] == nil { r.report("snis", "is required") }
        _ = r.oneOf("type", ["server", "client"])
        ssl.enabled = (r.int("status", in: 0...1) ?? 1) == 1
        if let client = r.raw("client"), var cr = FieldReader(client, path: r.child("client"), problems: problems) {
            ssl.clientCA = cr.string("ca", required: true, maxLength: 64 * 1024)
            if let ca = ssl.clientCA, !ca.contains("-----BEGIN CERTIFICATE-----") { cr.report("ca", "must be a PEM certificate") }
            _ = cr.int("depth", in: 0...10)
            cr.accept("skip_mtls_uri_regex")
            cr.rejectUnknownFields()
        }
        if let protocols = r.raw("ssl_protocols") {
            if case .list(let items) = protocols.kind {
                for (i, item) in items.enumerated() {
                    guard let p = item.stringValue, ["TLSv1.1", "TLSv1.2", "TLSv1.3"].contains(p) else {
                        problems.add(FieldPath.index(r.child("ssl_protocols"), i),
                                     "must be TLSv1.1, TLSv1.2 or TLSv1.3, got \(item.shortDescription)", line: item.line)
                        continue
                    }
                    ssl.protocols.append(p)
                }
            } else {
                r.report("ssl_protocols", "must be a list, got \(protocols.typeName)")
            }
        }
        r.accept("certs", "keys", "labels", "desc", "create_time", "update_time")
        r.rejectUnknownFields()
        return id == nil ? nil : ssl
    }
}
