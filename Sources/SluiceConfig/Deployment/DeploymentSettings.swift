/// config.yaml `deployment:` (APISIX's layout): where this gateway's configuration lives and what it serves.
public struct DeploymentSettings: Sendable, Equatable {
    /// `deployment.role`.
    public enum Role: String, Sendable, CaseIterable {
        /// Serves traffic and takes Admin API / console writes (the default).
        case traditional
        /// Serves traffic from etcd; no Admin API writes, console read-only.
        case dataPlane = "data_plane"
        /// Takes Admin API writes into etcd; serves no traffic.
        case controlPlane = "control_plane"
    }

    /// `role_<role>.config_provider`.
    public enum Provider: String, Sendable {
        /// The data file beside config.yaml (`data_file`).
        case yaml
        /// etcd, as `deployment.etcd` says.
        case etcd
    }

    public var role: Role = .traditional
    public var provider: Provider = .yaml
    /// Set exactly when `provider` is `.etcd`.
    public var etcd: EtcdSettings?

    public init() {}

    /// Why local writes (Admin API, console) are refused, or nil when this gateway takes them.
    public var readOnlyReason: String? {
        role == .dataPlane
            ? "this gateway is a data_plane: its configuration comes from etcd; write through a control plane "
                + "or a traditional gateway's Admin API" : nil
    }
}

/// `deployment.etcd`: the cluster and how to talk to it.
public struct EtcdSettings: Sendable, Equatable {
    /// One member's client URL (`http://127.0.0.1:2379`, `https://…` over TLS).
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        /// `https://`: spoken to over TLS (`EtcdSettings.tls`).
        public var secure: Bool
        public var description: String { "\(secure ? "https" : "http")://\(HostPort(host: host, port: port))" }
        public init(host: String, port: Int, secure: Bool = false) {
            self.host = host
            self.port = port
            self.secure = secure
        }
    }

    public var hosts: [Endpoint]
    /// How the members are spoken to over TLS: set exactly when they are `https://`.
    public var tls: EtcdTLSSettings?
    /// Key prefix without a trailing `/` (`/apisix`).
    public var prefix = "/apisix"
    /// Seconds one request may take (APISIX's default: 30).
    public var timeout: Double = 30
    public var user: String?
    public var password: String?
    /// How many times start-up tries each host before it falls back to the last-known-good file (APISIX: 2).
    public var startupRetry = 2

    public init(hosts: [Endpoint]) { self.hosts = hosts }

    public static let timeoutRange = 1...600
    public static let startupRetryRange = 1...100
}

/// `deployment.etcd.tls` (APISIX's `cert`, `key`, `verify`, `sni`) and the CAs the members' certificates are
/// checked against (APISIX's `apisix.ssl.ssl_trusted_certificate`).
public struct EtcdTLSSettings: Sendable, Equatable {
    /// Absolute paths of this gateway's client certificate and its key (PEM), for etcd's `--client-cert-auth`.
    public var certificate: String?
    public var key: String?
    /// Whether the members' certificates are verified (chain and name); APISIX's default: true.
    public var verify = true
    /// The name sent as SNI and checked in the members' certificates; nil: each member's host (an IP address is
    /// checked against the certificate's IP addresses and sends no SNI).
    public var serverName: String?
    /// The system's CAs are trusted (`ssl_trusted_certificate` absent or `system`).
    public var systemTrust = true
    /// Absolute paths of PEM CA bundles trusted besides (or, without `system`, instead of) the system's.
    public var trustedCertificates: [String] = []

    public init() {}
}
