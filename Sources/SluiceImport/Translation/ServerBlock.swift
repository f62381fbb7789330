import SluiceConfig

/// A `server { … }` block of `stream {}`: its listeners, where it proxies to, and its settings.
struct ServerBlock {
    /// Where `proxy_pass` sends connections.
    enum Destination {
        case target(ProxyTarget)
        /// `proxy_pass $var` with `$var` from an SNI map.
        case sniMap(SNIMap)
    }

    var location: SourceLocation
    var listens: [Listen] = []
    var destination: Destination?
    var settings: ServerSettings
    /// `server_name` values (nginx 1.25.5+), used as the certificate's names.
    var serverNames: [String] = []
    /// The routes' plugins (ip-restriction, limit-conn, limit-bandwidth), by name.
    var plugins: [(String, ConfigValue)] = []
    /// The `limit_conn` translated, to note a zone that several routes share.
    var limitConn: LimitConnTranslation.Limit?
    /// The server's own `access_log` (its listeners'), when it differs from the main one.
    var accessLog: AccessLogTranslation.Log?

    init(_ d: NginxDirective, inherited: ServerSettings, upstreams: Set<String>, maps: [String: SNIMap],
         files: CertificateFiles, accessLog logs: AccessLogTranslation, notes: ImportNotes) {
        location = d.location
        settings = inherited
        settings.plugins.enterServer()
        var ownLog: (log: AccessLogTranslation.Log, location: SourceLocation)?
        for inner in d.block ?? [] {
            if settings.read(inner, files: files, notes: notes) { continue }
            switch inner.name {
            case "listen":
                if let l = Listen(inner, notes: notes) { listens.append(l) }
            case "proxy_pass":
                destination = Self.destination(inner, upstreams: upstreams, maps: maps, notes: notes)
            case "server_name":
                serverNames = inner.args.map { $0.lowercased() }.filter { !$0.isEmpty && !$0.hasPrefix("~") }
            case "access_log":
                logs.useInServer(inner, own: &ownLog, notes: notes)
            default:
                notes.add(inner, .notTranslated, "unknown directive in a server block")
            }
        }
        (plugins, limitConn) = settings.plugins.plugins(udp: listens.contains { $0.udp }, notes: notes)
        if let own = ownLog?.log, own != logs.main ?? .off { accessLog = own }
        let options = settings.options
        if (options.tlsClientCert == nil) != (options.tlsClientKey == nil) {
            notes.add(d, .notTranslated, "proxy_ssl_certificate and proxy_ssl_certificate_key go together; no "
                      + "client certificate is sent", subject: "server")
        }
        if listens.isEmpty { notes.add(d, .notTranslated, "a server without a usable listen", subject: "server") }
        if destination == nil && !listens.isEmpty {
            notes.add(d, .notTranslated, "a server without a usable proxy_pass", subject: "server")
        }
    }

    private static func destination(_ d: NginxDirective, upstreams: Set<String>, maps: [String: SNIMap],
                                    notes: ImportNotes) -> Destination? {
        guard d.args.count == 1 else {
            notes.add(d, .notTranslated, "proxy_pass takes one upstream name or host:port")
            return nil
        }
        let text = d.args[0]
        if text.hasPrefix("$") {
            if let map = maps[text] { return .sniMap(map) }
            notes.add(d, .notTranslated, "Sluice routes by variables only through a map of $ssl_preread_server_name")
            return nil
        }
        if let target = ProxyTarget.parse(text, upstreams: upstreams) { return .target(target) }
        if text.hasPrefix("unix:") {
            notes.add(d, .notTranslated, "Sluice connects to TCP/UDP nodes, not unix sockets")
        } else {
            notes.add(d, .notTranslated, "no upstream block of that name, and not host:port")
        }
        return nil
    }
}
