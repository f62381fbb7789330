/// A certificate and key for TLS listeners, chosen by SNI (APISIX `ssls`). Never logged; stored 0600.
public struct SSLCertificate: Sendable, Equatable {
    public var id: String
    public var snis: [String] = []
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
        if let key, !key.contains("-----BEGIN") || !key.contains("PRIVATE KEY-----") {
            r.report("key", "must be a PEM private key")
        }
        if let single = r.string("sni", maxLength: 253) { ssl.snis.append(single.lowercased()) }
        if let many = r.stringOrList("snis") { ssl.snis += many.map { $0.0.lowercased() } }
        if ssl.snis.isEmpty && value["sni"] == nil && value["snis"] == nil { r.report("snis", "is required") }
        _ = r.oneOf("type", ["server", "client"])
        _ = r.int("status", in: 0...1)
        r.accept("certs", "keys", "client", "ssl_protocols", "labels", "desc", "create_time", "update_time")
        r.rejectUnknownFields()
        return id == nil ? nil : ssl
    }
}
