import NIOCore

/// The counters and registry entry of one session — a TCP connection or a UDP session — the one place where both
/// kinds open, count and settle: the listener's at accept, the route's and the registry entry once routed, the
/// upstream's and the node's once chosen, the bytes added to every shared counter at the end (snapshots add the
/// live sessions' bytes meanwhile), every ending by its reason (refusals included).
final class SessionAccounting {
    private let registry: ConnectionRegistry
    private let listener: TrafficCounters
    private var route: TrafficCounters?
    private(set) var upstream: UpstreamRuntime?
    /// The registry entry, once routed.
    private(set) var record: ConnectionRecord?
    private(set) var nodeIndex: Int?
    /// The node whose place (`max_conns`) the session holds: from its pick until that attempt fails or the
    /// session ends.
    private var placeHeld: Int?
    private var finished = false

    /// Counts the accepted session on its listener.
    init(registry: ConnectionRegistry, listener: TrafficCounters) {
        self.registry = registry
        self.listener = listener
        listener.opened()
    }

    /// Opens the route's counters and lists the session; `owner` carries the registry's requests (kill, read a
    /// fact) to the session's loop.
    func routed(_ record: ConnectionRecord, route: TrafficCounters,
                owner: @escaping @Sendable (ConnectionRequest) -> Void) {
        self.record = record
        self.route = route
        route.opened()
        registry.add(record)
        record.setOwner(owner)
    }

    /// The upstream the session connects to (the route's, or a balance plugin's choice).
    func use(_ runtime: UpstreamRuntime) {
        guard upstream == nil else { return }
        upstream = runtime
        runtime.counters.opened()
        record?.update(upstreamKey: runtime.key)
    }

    /// Picks the next node of the upstream in use (`use(_:)`), holding its place; nil when none is eligible.
    func pick(hashKey: String?, excluding tried: Set<Int>) -> Int? {
        guard let upstream else { return nil }
        releasePlace()
        placeHeld = upstream.pick(hashKey: hashKey, excluding: tried)
        return placeHeld
    }

    private func releasePlace() {
        if let placeHeld, let upstream { upstream.release(node: placeHeld) }
        placeHeld = nil
    }

    /// The node the session uses from now on, the local address of its socket when that came free (NIO reads it
    /// at connect) and how long the connect took.
    func chose(node index: Int, state: ConnectionRecord.State, upstreamLocal: SocketAddress? = nil,
               connectSeconds: Double? = nil) {
        guard let upstream else { return }
        nodeIndex = index
        upstream.nodeCounters[index].opened()
        record?.connected(node: upstream.upstream.nodes[index].address, state: state, upstreamLocal: upstreamLocal,
                          connectSeconds: connectSeconds)
    }

    /// Counts a failed attempt on a node (and on the upstream), lists the node among those tried, and gives its
    /// place back.
    func connectFailed(node index: Int) {
        releasePlace()
        guard let upstream else { return }
        upstream.nodeCounters[index].connectFailures.wrappingAdd(1, ordering: .relaxed)
        upstream.counters.connectFailures.wrappingAdd(1, ordering: .relaxed)
        record?.connectFailed(node: upstream.upstream.nodes[index].address)
    }

    /// Ends the session once: totals first, then out of the registry (under the registry's lock, so a snapshot
    /// counts them once), then the active counts; a refusal is counted by its reason.
    func finish(bytesFromClient: UInt64, bytesToClient: UInt64, reason: CloseReason) {
        guard !finished else { return }
        finished = true
        releasePlace()
        record?.setOwner(nil)
        var shared = [listener]
        if let route { shared.append(route) }
        if let upstream {
            shared.append(upstream.counters)
            if let nodeIndex { shared.append(upstream.nodeCounters[nodeIndex]) }
        }
        if let record {
            registry.remove(record.id) { settle(shared, bytesFromClient, bytesToClient, reason) }
        } else {
            settle(shared, bytesFromClient, bytesToClient, reason)
        }
        for counters in shared { counters.closed() }
        switch reason {
        case .noRoute: listener.noRoute.wrappingAdd(1, ordering: .relaxed)
        case .connectFailed:
            listener.connectFailures.wrappingAdd(1, ordering: .relaxed)
            route?.connectFailures.wrappingAdd(1, ordering: .relaxed)
        default: break
        }
    }

    /// Adds the session's bytes and ending to every shared counter it was counted in.
    private func settle(_ shared: [TrafficCounters], _ bytesFromClient: UInt64, _ bytesToClient: UInt64,
                        _ reason: CloseReason) {
        for counters in shared {
            counters.bytesIn.wrappingAdd(bytesFromClient, ordering: .relaxed)
            counters.bytesOut.wrappingAdd(bytesToClient, ordering: .relaxed)
            counters.endings.count(reason)
        }
        if nodeIndex != nil {
            listener.upstreamBytesSent.wrappingAdd(bytesFromClient, ordering: .relaxed)
            listener.upstreamBytesReceived.wrappingAdd(bytesToClient, ordering: .relaxed)
        }
    }
}
