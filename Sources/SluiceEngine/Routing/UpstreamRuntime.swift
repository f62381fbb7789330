import Logging
import NIOCore
import NIOSSL
import SluiceConfig

/// An upstream as the engine uses it: its settings, its balancer, the counters of it and its nodes, and their health.
///
/// Kept across snapshots while the upstream's settings are unchanged, so roundrobin state carries on.
package final class UpstreamRuntime: Sendable {
    package let key: String
    package let upstream: Upstream
    let balancer: any Balancer
    let counters: TrafficCounters
    /// Same order as `upstream.nodes`.
    let nodeCounters: [TrafficCounters]
    /// Same order as `upstream.nodes`; the connect path reports each attempt's outcome here.
    let nodeHealth: [NodeHealth]
    /// Nodes given as IP addresses, resolved once here so connects skip the resolver (nil for host names).
    let nodeAddresses: [SocketAddress?]
    /// The TLS client context when `scheme: tls`; nil otherwise (or when it could not be built: then connects fail).
    let tlsContext: NIOSSLContext?
    /// Why `scheme: tls` has no context, for the log.
    let tlsProblem: String?

    init(resolved: ResolvedUpstream, counterTable: CounterTable, health: [NodeHealth], logger: Logger) {
        key = resolved.key
        upstream = resolved.upstream
        nodeHealth = health
        balancer = makeBalancer(resolved.upstream.type, nodes: resolved.upstream.nodes, health: health)
        counters = counterTable.counters(resolved.key)
        nodeCounters = resolved.upstream.nodes.map { counterTable.counters(Self.nodeCounterName(resolved.key, $0)) }
        nodeAddresses = resolved.upstream.nodes.map { try? SocketAddress(ipAddress: $0.host, port: $0.port) }
        var context: NIOSSLContext?
        var problem: String?
        if resolved.upstream.scheme == "tls" {
            do { context = try UpstreamTLSContext.make(resolved.upstream.tls) } catch {
                problem = "\(error)"
                logger.error("Upstream TLS settings not usable; connects to it fail",
                             metadata: ["upstream": "\(resolved.key)", "error": "\(error)"])
            }
        }
        tlsContext = context
        tlsProblem = problem
    }

    static func nodeCounterName(_ key: String, _ node: UpstreamNode) -> String { "\(key)|\(node.address)" }

    /// True when the upstream wants TLS to its nodes.
    var wantsTLS: Bool { upstream.scheme == "tls" }

    /// Connects to node `index`: at once to an IP address as written, or to its host name's kept answer (the
    /// resolver looks a name up off the event loops; only its very first lookup is waited for). Call on `loop`.
    func connect<Result: Sendable>(node index: Int, names: NodeNameResolver, on loop: EventLoop,
                         _ connect: @escaping (SocketAddress) -> EventLoopFuture<Result>)
        -> EventLoopFuture<Result> {
        if let address = nodeAddresses[index] { return connect(address) }
        let node = upstream.nodes[index]
        return names.address(of: node.host, port: node.port, on: loop).assumeIsolated().flatMap(connect).nonisolated()
    }

    /// A connect to node `index` failed: a host name is looked up again soon (its address may have moved).
    func connectFailed(node index: Int, names: NodeNameResolver) {
        if nodeAddresses[index] == nil { names.connectFailed(to: upstream.nodes[index].host) }
    }

    /// The next node to try, or nil when every eligible node was tried or is at its `max_conns`. A node with a
    /// `max_conns` gives the caller one of its places, which `release(node:)` gives back; a node without one costs
    /// nothing more than the balancer's pick.
    func pick(hashKey: String?, excluding tried: Set<Int>) -> Int? {
        let counters = nodeCounters
        let health = nodeHealth
        var context = PickContext(hashKey: hashKey, excluded: tried,
                                  activeConnections: { counters[$0].active.load(ordering: .relaxed) },
                                  connectTime: { health[$0].connectTime })
        while let index = balancer.pick(context) {
            if takePlace(of: index) { return index }
            context.excluded.insert(index)  // at its limit: skipped, as nginx does
        }
        return nil
    }

    /// Gives back the place `pick` took on node `index`.
    func release(node index: Int) {
        if upstream.nodes[index].maxConns > 0 { nodeCounters[index].places.wrappingSubtract(1, ordering: .relaxed) }
    }

    /// Takes one of node `index`'s places if it has a limit and room; true when the node may be used.
    private func takePlace(of index: Int) -> Bool {
        let limit = upstream.nodes[index].maxConns
        guard limit > 0 else { return true }
        let counters = nodeCounters[index]
        var current = counters.places.load(ordering: .relaxed)
        while current < limit {
            let (taken, found) = counters.places.compareExchange(expected: current, desired: current + 1,
                                                                 ordering: .relaxed)
            if taken { return true }
            current = found
        }
        return false
    }
}
