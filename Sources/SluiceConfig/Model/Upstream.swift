/// How an upstream chooses a node within a priority tier (APISIX `type`).
public enum BalancerType: String, Sendable, CaseIterable {
    /// nginx's smooth weighted round robin.
    case roundrobin
    /// Consistent hashing of the upstream's `key` on a ring with points proportional to weight.
    case chash
    /// Fewest active connections per unit of weight; ties by weighted round robin.
    case leastConn = "least_conn"
    /// The lowest exponentially weighted moving average of connect times (APISIX); ties by least connections.
    case ewma
}

/// What an operator says a node may do (HAProxy `set server state`), the node field `state`.
public enum NodeState: String, Sendable, CaseIterable {
    /// New connections and checks as usual.
    case ready
    /// No new connections; open ones go on until they end; checks go on.
    case drain
    /// No new connections and no checks.
    case maint
}

/// One backend server of an upstream.
public struct UpstreamNode: Sendable, Hashable {
    /// IP address or DNS name, IPv6 without brackets.
    public var host: String
    public var port: Int
    /// 0 means never chosen.
    public var weight: Int
    /// Higher tiers are used first; a lower tier only when a whole higher tier is down.
    public var priority: Int
    /// nginx `max_fails`: failed connects within `failTimeout` after which the node is skipped for `failTimeout`;
    /// 0 turns this off.
    public var maxFails: Int
    /// nginx `fail_timeout`, in seconds.
    public var failTimeout: Double
    public var state: NodeState
    /// nginx `max_conns` (a Sluice extension of APISIX's node): at most this many connections (or UDP sessions) at
    /// once, connecting ones included; a node at its limit is skipped by the balancer. 0 means no limit.
    public var maxConns: Int

    /// A node; weight 1, priority 0 (APISIX), max_fails 1 and fail_timeout 10 s (nginx), ready, no connection
    /// limit unless given.
    public init(host: String, port: Int, weight: Int = 1, priority: Int = 0, maxFails: Int = 1,
                failTimeout: Double = 10, state: NodeState = .ready, maxConns: Int = 0) {
        self.host = host
        self.port = port
        self.weight = weight
        self.priority = priority
        self.maxFails = maxFails
        self.failTimeout = failTimeout
        self.state = state
        self.maxConns = maxConns
    }

    /// `host:port`, IPv6 hosts in brackets.
    public var address: String { HostPort(host: host, port: port).description }
}

/// Timeouts of an upstream, in seconds (nginx stream defaults: connect 60 s, idle 10 min).
public struct UpstreamTimeouts: Sendable, Equatable {
    public var connect: Double = 60
    public var send: Double = 600
    public var read: Double = 600
    public init() {}
    /// nginx's `proxy_timeout`: the longest pause between two reads or writes on either side.
    public var idle: Double { max(send, read) }
    /// True when the document set `timeout.read` (a UDP session's idle timeout is 60 s unless it did).
    public var readIsSet = false
    /// How long a UDP session lives without a datagram either way.
    public var udpIdle: Double { readIsSet ? read : 60 }
}

/// TLS from Sluice to the nodes (`scheme: tls`): APISIX's `tls` object, plus `sni` and `ca` (Sluice can verify).
public struct UpstreamTLS: Sendable, Equatable {
    /// Verify the node's certificate (against `ca`, or the system's roots) and its name.
    public var verify = false
    /// PEM CA to verify against.
    public var ca: String?
    /// The server name to send when the client did not speak TLS (default: the node host, if it is a name).
    public var sni: String?
    /// PEM client certificate and key for upstream mTLS.
    public var clientCert: String?
    public var clientKey: String?
    public init() {}
}

/// A group of nodes and how to use them (APISIX `upstream`), stored under `upstreams` or inline.
public struct Upstream: Sendable, Equatable {
    /// Nil for an upstream written inline in a route or service.
    public var id: String?
    public var name: String?
    public var type: BalancerType = .roundrobin
    public var nodes: [UpstreamNode] = []
    /// The chash key: `remote_addr`, `server_addr` or `server_port`.
    public var hashKey: String?
    /// Extra attempts after a failed connect; nil means nodes − 1 (APISIX).
    public var retries: Int?
    /// Seconds for all attempts together; 0 or nil means no limit.
    public var retryTimeout: Double?
    public var timeout = UpstreamTimeouts()
    /// `tcp` (default), `tls` or `udp`; HTTP schemes are stored and ignored by stream routes.
    public var scheme: String?
    public var tls = UpstreamTLS()
    /// Send a PROXY protocol header (`v1` or `v2`) to the node first, like HAProxy's `send-proxy`.
    public var sendProxyProtocol: String?
    /// `socket_keepalive` (a Sluice extension, nginx's `proxy_socket_keepalive`): TCP keepalive (`SO_KEEPALIVE`,
    /// the system's probe timings) on every connection to the nodes, so a dead peer of an idle connection is found.
    public var socketKeepalive = false
    /// Active and passive health checks (`checks`).
    public var checks = UpstreamChecks()
    /// The document as written, kept so that nothing an operator wrote is lost on a rewrite.
    public var raw: ConfigValue

    public init(raw: ConfigValue) { self.raw = raw }

    /// Attempts in all, the first included.
    public var maxAttempts: Int { 1 + (retries ?? max(0, nodes.count - 1)) }
}
