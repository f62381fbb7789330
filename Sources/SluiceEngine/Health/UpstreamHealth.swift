import Logging
import NIOCore
import SluiceConfig
import Synchronization

/// The health of one upstream's nodes, by address, and their active checkers.
///
/// Kept across configuration changes: a node whose address stays keeps its health and its checker (restarted
/// only when what it probes changes). Warns once when every ready node is down and once when one is back.
final class UpstreamHealth: Sendable {
    let key: String
    private struct Inner: Sendable {
        var nodes: [String: NodeHealth] = [:]
        var states: [String: NodeState] = [:]
        var checkers: [String: ActiveChecker] = [:]
        var allDown = false
        var upstream: Upstream?
    }
    private let inner = Mutex(Inner())
    private let group: EventLoopGroup
    private let logger: Logger
    private let names: NodeNameResolver
    /// Limits the probes of this upstream running at once (`checks.active.concurrency`).
    private let gate = ProbeGate()

    init(key: String, group: EventLoopGroup, logger: Logger, names: NodeNameResolver) {
        self.key = key
        self.group = group
        self.logger = logger
        self.names = names
    }

    /// Follows `upstream`: adds nodes, forgets removed ones, updates thresholds, starts, restarts and stops checkers.
    func update(_ upstream: Upstream) {
        gate.limit = upstream.checks.active?.concurrency ?? 1
        var stopped: [ActiveChecker] = []
        var started: [ActiveChecker] = []
        inner.withLock { inner in
            var nodes: [String: NodeHealth] = [:]
            var states: [String: NodeState] = [:]
            var checkers: [String: ActiveChecker] = [:]
            for node in upstream.nodes {
                let address = node.address
                guard nodes[address] == nil else { continue }
                let settings = HealthSettings(checks: upstream.checks, node: node)
                let health = inner.nodes[address] ?? NodeHealth(
                    upstreamKey: key, address: address, settings: settings, eventLoop: group.next(), logger: logger,
                    onChange: { [weak self] in self?.checkAllDown() })
                health.update(settings: settings)
                nodes[address] = health
                states[address] = node.state
                let target = node.state == .maint ? nil : ProbeTarget(upstream: upstream, node: node)
                if let old = inner.checkers[address], old.target == target {
                    checkers[address] = old
                } else if let target {
                    let checker = ActiveChecker(target: target, health: health, eventLoop: group.next(),
                                                gate: gate, names: names, logger: logger)
                    checkers[address] = checker
                    started.append(checker)
                }
            }
            // Checkers of removed nodes, of nodes now in maint, and those replaced by a new target.
            for (address, old) in inner.checkers where checkers[address] !== old {
                stopped.append(old)
            }
            inner.upstream = upstream
            inner.nodes = nodes
            inner.states = states
            inner.checkers = checkers
        }
        for checker in stopped { checker.stop() }
        for checker in started { checker.start() }
        checkAllDown()
    }

    /// Stops every checker (the upstream was deleted).
    func stop() {
        let checkers = inner.withLock { i in
            defer { i.checkers = [:] }
            return Array(i.checkers.values)
        }
        for checker in checkers { checker.stop() }
    }

    /// The upstream and its nodes as snapshots show them: traffic (from `values`), health and operator state.
    func snapshot(_ values: [String: TrafficValues]) -> EngineSnapshot.Upstream? {
        let (upstream, nodes) = inner.withLock { ($0.upstream, $0.nodes) }
        guard let upstream else { return nil }
        let zero = TrafficValues(total: 0, active: 0, bytesIn: 0, bytesOut: 0, connectFailures: 0, noRoute: 0)
        return EngineSnapshot.Upstream(
            key: key, traffic: values[key] ?? zero,
            nodes: upstream.nodes.compactMap { node in
                nodes[node.address].map {
                    EngineSnapshot.Node(address: node.address, weight: node.weight,
                                        traffic: values[UpstreamRuntime.nodeCounterName(key, node)] ?? zero,
                                        health: $0.info(state: node.state))
                }
            },
            checkType: upstream.checks.active?.kind.rawValue ?? (upstream.scheme == "udp" ? "udp" : "tcp"))
    }

    /// The health of the node at `address`.
    func node(_ address: String) -> NodeHealth? { inner.withLock { $0.nodes[address] } }

    private func checkAllDown() {
        let change: Bool? = inner.withLock { i in
            let ready = i.nodes.filter { i.states[$0.key] == .ready }.values
            let allDown = !ready.isEmpty && ready.allSatisfy { !$0.isUsable }
            guard allDown != i.allDown else { return nil }
            i.allDown = allDown
            return allDown
        }
        switch change {
        case true?:
            logger.warning("Every node of the upstream is unhealthy: trying them all", metadata: ["upstream": "\(key)"])
        case false?:
            logger.warning("The upstream has a healthy node again", metadata: ["upstream": "\(key)"])
        case nil: break
        }
    }
}
