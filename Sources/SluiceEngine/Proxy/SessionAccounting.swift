/// The counters and registry entry of one session — a TCP connection or a UDP session — so both kinds open,
/// count and close them the same way: route and upstream counters when routed, the node's once one is chosen,
/// the bytes added to every shared counter at the end (snapshots add live sessions' bytes meanwhile).
final class SessionAccounting {
    let record: ConnectionRecord
    private let registry: ConnectionRegistry
    private let listener: TrafficCounters
    private let route: TrafficCounters
    private let upstream: UpstreamRuntime
    private(set) var nodeIndex: Int?
    private var closed = false

    init(context: EngineContext, record: ConnectionRecord, listener: TrafficCounters, routeID: String,
         upstream: UpstreamRuntime) {
        self.record = record
        registry = context.registry
        self.listener = listener
        route = context.counters.counters("route:\(routeID)")
        self.upstream = upstream
    }

    /// Opens the route and upstream counters and lists the session; `closer` is how the registry ends it.
    func begin(closer: @escaping @Sendable (CloseReason) -> Void) {
        route.opened()
        upstream.counters.opened()
        registry.add(record)
        record.setCloser(closer)
    }

    /// The node the session uses from now on.
    func chose(node index: Int, state: ConnectionRecord.State) {
        nodeIndex = index
        upstream.nodeCounters[index].opened()
        record.update(node: upstream.upstream.nodes[index].address, state: state)
    }

    /// Counts a failed attempt on a node (and on the upstream).
    func connectFailed(node index: Int) {
        upstream.nodeCounters[index].connectFailures.wrappingIncrement(ordering: .relaxed)
        upstream.counters.connectFailures.wrappingIncrement(ordering: .relaxed)
    }

    /// Ends the session once: totals first, then out of the registry (a snapshot may count these bytes twice for
    /// an instant, never zero times), then the active counts.
    func finish(bytesFromClient: UInt64, bytesToClient: UInt64, connectFailed: Bool) {
        guard !closed else { return }
        closed = true
        record.setCloser(nil)
        var shared = [listener, route, upstream.counters]
        if let nodeIndex { shared.append(upstream.nodeCounters[nodeIndex]) }
        for counters in shared {
            counters.bytesIn.wrappingIncrement(by: bytesFromClient, ordering: .relaxed)
            counters.bytesOut.wrappingIncrement(by: bytesToClient, ordering: .relaxed)
        }
        registry.remove(record.id)
        for counters in shared { counters.closed() }
        if connectFailed {
            listener.connectFailures.wrappingIncrement(ordering: .relaxed)
            route.connectFailures.wrappingIncrement(ordering: .relaxed)
        }
    }
}
