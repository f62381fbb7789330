import SluiceConfig

/// What one active checker probes: a node's address (or `checks.active.port`), how, and with which TLS settings.
struct ProbeTarget: Equatable, Sendable {
    var host: String
    var port: Int
    var check: ActiveCheck
    /// The upstream's `tls` settings when the check does a TLS handshake.
    var tls: UpstreamTLS?

    /// Nil when the upstream has no active checks.
    init?(upstream: Upstream, node: UpstreamNode) {
        guard let check = upstream.checks.active else { return nil }
        host = node.host
        port = check.port ?? node.port
        self.check = check
        tls = check.tls ? upstream.tls : nil
    }

    /// `host:port` as logged.
    var address: String { HostPort(host: host, port: port).description }
}
