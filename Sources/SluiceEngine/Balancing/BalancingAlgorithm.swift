/// How a balancer chooses among the nodes of a tier (APISIX upstream `type`).
public enum BalancingAlgorithm: String, Sendable, CaseIterable {
    /// nginx's smooth weighted round robin.
    case roundrobin
    /// Consistent hashing of `PickContext.hashKey` on a ring with points proportional to weight.
    case chash
    /// Fewest active connections per unit of weight; ties by weighted round robin.
    case leastConn = "least_conn"
}
