/// One address the gateway listens on.
public struct ListenerSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Transport: String, Sendable { case tcp, udp }
    public var transport: Transport
    public var host: String
    public var port: Int
    public var tls = false
    public var tlsPassthrough = false
    public var proxyProtocol = false
    /// UDP: end a client's session after this many replies (nginx `proxy_responses`, for DNS-like traffic).
    public var udpResponses: Int?

    public init(transport: Transport, host: String, port: Int) {
        self.transport = transport
        self.host = host
        self.port = port
    }

    /// `tcp 127.0.0.1:9100`.
    public var description: String {
        "\(transport.rawValue) \(HostPort(host: host, port: port))"
    }
}

/// The Admin API's settings.
public struct AdminSettings: Sendable, Equatable {
    public var listen = HostPort(host: "127.0.0.1", port: 9180)
    /// Nil until generated at first start.
    public var key: String?
    public var viewerKey: String?
    public var allow: [CIDR] = [CIDR("127.0.0.0/8"), CIDR("::1/128")].compactMap { $0 }
    public init() {}
}

/// Where and how the access log is written; absent means no access log.
public struct AccessLogSettings: Sendable, Equatable {
    /// Absolute path.
    public var path: String
    public var format: String?
}

/// The node settings of `config.yaml`, read at start and on reload.
public struct NodeSettings: Sendable, Equatable {
    /// `sluice` or `apisix`: the root key the file used.
    public var root = "sluice"
    public var listeners: [ListenerSpec] = []
    /// Senders trusted to send a PROXY protocol header.
    public var realIPFrom: [CIDR] = []
    /// Most UDP sessions one listener keeps; datagrams from further clients are dropped and counted.
    public var udpSessionLimit = 65_536
    public var admin = AdminSettings()
    /// The Prometheus export server; nil when config.yaml asks for none.
    public var prometheus: PrometheusSettings?
    public var accessLog: AccessLogSettings?
    /// Listeners with an access log of their own (or none), instead of `accessLog`.
    public var listenerAccessLogs: [ListenerSpec: ListenerAccessLog] = [:]
    /// Absolute path of `gateway.yaml`.
    public var dataFile: String
    /// Seconds SIGTERM waits for open connections before closing them.
    public var drainTimeout: Double = 30
    /// Absolute path of the log file used while the console owns the terminal.
    public var logFile: String?
    /// How many configuration revisions the history beside the data file keeps (`history.keep`, 1…10000).
    public var historyKeep = NodeSettings.defaultHistoryKeep
    /// How node host names are resolved.
    public var dns = DNSSettings()
    /// Role and configuration provider (`deployment:`; default: traditional, the data file).
    public var deployment = DeploymentSettings()

    public static let defaultHistoryKeep = 200
    public static let historyKeepRange = 1...10_000

    public init(dataFile: String) { self.dataFile = dataFile }
}

/// How node host names are resolved (APISIX's `dns_resolver`, `dns_resolver_valid`, `resolver_timeout`).
public struct DNSSettings: Sendable, Equatable {
    /// DNS servers asked in turn; empty means the system resolver (getaddrinfo).
    public var servers: [HostPort] = []
    /// Seconds an answer is kept regardless of its TTL; nil means the TTL (30 s with the system resolver).
    public var valid: Double?
    /// Seconds one server has to answer.
    public var timeout: Double = 5
    public init() {}
}
