import SluiceConfig

/// A node as the balancer sees it (index = position in the upstream's node list).
public struct BalancerNode: Hashable, Sendable {
    /// IP address or DNS name, IPv6 without brackets.
    public let host: String
    /// The node's port.
    public let port: Int
    /// Relative share of picks; 0 or less means never chosen.
    public let weight: Int
    /// Tier: higher values are used first, a lower tier only when every node above is unusable.
    public let priority: Int

    /// A node; weight 1 and priority 0 unless given (APISIX defaults).
    public init(host: String, port: Int, weight: Int = 1, priority: Int = 0) {
        self.host = host
        self.port = port
        self.weight = weight
        self.priority = priority
    }

    /// `host:port` with an IPv6 host in brackets; also the node's identity on a hash ring.
    var address: String { HostPort(host: host, port: port).description }
}
