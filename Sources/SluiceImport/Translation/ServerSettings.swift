/// The settings a `server` block inherits from `stream {}` and may set again: proxy options, TLS and
/// `proxy_responses`, the directives that become plugins. Directives Sluice cannot honour are reported here, at
/// either level.
struct ServerSettings {
    var options = ProxyOptions()
    var responses: Int?
    var sslPreread = false
    var certificate: String?
    var certificateKey: String?
    var certificateAt: SourceLocation?
    /// `ssl_protocols`, as Sluice names them; nil when not set.
    var protocols: [String]?
    /// `ssl_client_certificate`, and whether `ssl_verify_client` asks for client certificates.
    var clientCA: String?
    var verifyClient = false
    var verifyClientAt: SourceLocation?
    /// allow/deny, limit_conn, proxy_upload_rate/proxy_download_rate: the routes' plugins.
    var plugins = RoutePluginDirectives()

    /// Features Sluice does not have yet, by directive.
    static let missingFeatures: [String: String] = [
        "proxy_bind": "Sluice connects from the address the system chooses",
        "preread_timeout": "Sluice waits up to 30 s for a ClientHello or PROXY header",
        "preread_buffer_size": "Sluice reads ClientHellos of any size up to its own bound",
        "proxy_requests": "Sluice ends UDP sessions by replies (proxy_responses) or idle time",
        "resolver": "Sluice has one resolver for every node: set resolver in stream {}",
        "resolver_timeout": "Sluice has one resolver for every node: set resolver_timeout in stream {}",
        "return": "Sluice proxies; it does not answer by itself",
        "set": "Sluice has no variables to set",
        "ssl_ciphers": "Sluice uses the TLS library's cipher list",
        "ssl_prefer_server_ciphers": "Sluice uses the TLS library's cipher order",
        "ssl_session_cache": "Sluice does not keep a TLS session cache",
        "ssl_session_timeout": "Sluice does not keep a TLS session cache",
        "ssl_session_tickets": "Sluice uses the TLS library's ticket settings",
        "ssl_dhparam": "Sluice uses the TLS library's key exchange groups",
        "ssl_ecdh_curve": "Sluice uses the TLS library's key exchange groups",
        "ssl_handshake_timeout": "Sluice waits up to 30 s for a TLS handshake",
        "tcp_nodelay": "Sluice uses the system's default",
    ]

    /// Directives Sluice needs nothing for, by directive.
    static let notNeeded: [String: String] = [
        "proxy_buffer_size": "Sluice sizes its buffers itself",
        "variables_hash_max_size": "Sluice has no variable tables",
        "variables_hash_bucket_size": "Sluice has no variable tables",
        "map_hash_max_size": "Sluice has no map tables",
        "map_hash_bucket_size": "Sluice has no map tables",
    ]

    /// Reads `d` if it is a setting of this kind; false when it is not.
    mutating func read(_ d: NginxDirective, files: CertificateFiles, notes: ImportNotes) -> Bool {
        if options.read(d, files: files, notes: notes) || plugins.read(d, notes: notes) { return true }
        switch d.name {
        case "proxy_responses":
            if d.args.count == 1, let n = Int(d.args[0]), (1...1_000_000).contains(n) {
                responses = n
            } else {
                notes.add(d, .notTranslated, "expects a number of replies, 1 or more")
            }
        case "ssl_preread":
            if d.args.count == 1, let on = NginxValue.flag(d.args[0]) { sslPreread = on } else {
                notes.add(d, .notTranslated, "expects on or off")
            }
            if sslPreread {
                notes.add(d, .approximate, "a connection that does not start with a TLS ClientHello is closed "
                          + "(nginx passes it on with an empty server name)")
            }
        case "ssl_certificate":
            certificate = files.read(d, notes: notes)
            certificateAt = d.location
        case "ssl_certificate_key":
            certificateKey = files.read(d, notes: notes)
        case "ssl_protocols":
            protocols = d.args.filter { ["TLSv1.1", "TLSv1.2", "TLSv1.3"].contains($0) }
            for old in d.args where !(protocols ?? []).contains(old) {
                notes.add(d, .notTranslated, "Sluice speaks TLSv1.1 and later", subject: old)
            }
        case "ssl_client_certificate":
            clientCA = files.read(d, notes: notes)
        case "ssl_verify_client":
            switch d.args {
            case ["on"]: verifyClient = true
            case ["optional"], ["optional_no_ca"]:
                verifyClient = true
                notes.add(d, .approximate, "Sluice refuses clients without a certificate once a client CA is set")
            case ["off"]: verifyClient = false
            default: notes.add(d, .notTranslated, "expects on, off or optional")
            }
            verifyClientAt = d.location
        case "proxy_half_close":
            notes.add(d, d.args == ["on"] ? .notNeeded : .approximate, "Sluice always passes a half-close on, both ways")
        case "error_log":
            notes.add(d, .notTranslated, ErrorLogNote.why)
        default:
            if let why = Self.missingFeatures[d.name] {
                notes.add(d, .notTranslated, why)
            } else if let why = Self.notNeeded[d.name] {
                notes.add(d, .notNeeded, why)
            } else {
                return false
            }
        }
        return true
    }
}
