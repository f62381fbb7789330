import Foundation
import Logging
import NIOCore
import SluiceConfig
import Synchronization

/// The health of one node of one upstream, shared by every route and snapshot that uses it.
///
/// The connect path reports with `connectSucceeded` / `connectFailed`, active probes with `probeSucceeded` /
/// `probeFailed`; balancers read `isUsable` (one atomic load). A success on a node with nothing to reset takes
/// no lock. Every change of state is logged at warning with the node, the old and new state and the cause.
package final class NodeHealth: Sendable {
    package let upstreamKey: String
    package let address: String
    private struct Inner: Sendable {
        var machine: NodeHealthMachine
        var since = Date()
        var why: HealthCause?
        var lastCheckLatency: Double?
        var lastCheck: String?
    }
    private let inner: Mutex<Inner>
    private let usable = Atomic<Bool>(true)
    private let successMatters = Atomic<Bool>(false)
    /// APISIX ewma's moving average of connect times in seconds (as `Double` bits) and when it was last updated
    /// (uptime nanoseconds; 0: never).
    private let connectAverage = Atomic<UInt64>(0)
    private let connectAverageAt = Atomic<UInt64>(0)
    /// An old average counts e⁻¹ after this many seconds (APISIX's `decay_time`).
    static let decaySeconds = 10.0
    private let eventLoop: EventLoop
    private let logger: Logger
    /// Called after every change of state (the upstream watches for all of its nodes being down).
    private let onChange: @Sendable () -> Void

    init(upstreamKey: String, address: String, settings: HealthSettings, eventLoop: EventLoop, logger: Logger,
         onChange: @escaping @Sendable () -> Void = {}) {
        self.upstreamKey = upstreamKey
        self.address = address
        self.eventLoop = eventLoop
        self.logger = logger
        self.onChange = onChange
        inner = Mutex(Inner(machine: NodeHealthMachine(settings: settings)))
    }

    /// True when balancers may choose the node.
    package var isUsable: Bool { usable.load(ordering: .relaxed) }

    /// A connect to the node succeeded after `latency`.
    package func connectSucceeded(latency: TimeAmount) {
        addConnectSample(latency)
        guard successMatters.load(ordering: .relaxed) else { return }
        handle(.succeeded(.passive))
    }

    /// The moving average of connect times decayed to now (it fades while the node gets no connections, so that
    /// ewma tries it again); 0 before any connect.
    var connectTime: Double {
        let at = connectAverageAt.load(ordering: .relaxed)
        guard at != 0 else { return 0 }
        let age = Double(NIODeadline.now().uptimeNanoseconds &- at) / 1e9
        return Double(bitPattern: connectAverage.load(ordering: .relaxed)) * exp(-age / Self.decaySeconds)
    }

    /// A connect to the node failed after `elapsed`; a timed-out one counts towards the average connect time
    /// (so ewma avoids a node that does not answer; a refusal is quick and says nothing about speed).
    package func connectFailed(cause: HealthCause, after elapsed: TimeAmount? = nil) {
        if cause == .timedOut, let elapsed { addConnectSample(elapsed) }
        handle(.failed(.passive, cause))
    }

    /// APISIX ewma's update: the old average weighs e^(−age / decay time), the sample the rest.
    private func addConnectSample(_ latency: TimeAmount) {
        // Two connects finishing at once may lose one sample: an average does not need them all.
        let sample = Double(max(0, latency.nanoseconds)) / 1e9
        let now = NIODeadline.now().uptimeNanoseconds
        let at = connectAverageAt.load(ordering: .relaxed)
        let weight = at == 0 ? 0 : exp(-Double(now &- at) / 1e9 / Self.decaySeconds)
        let old = Double(bitPattern: connectAverage.load(ordering: .relaxed))
        connectAverage.store((old * weight + sample * (1 - weight)).bitPattern, ordering: .relaxed)
        connectAverageAt.store(now, ordering: .relaxed)
    }

    /// An active probe succeeded in `latency` seconds.
    func probeSucceeded(latency: Double) {
        inner.withLock {
            $0.lastCheckLatency = latency
            $0.lastCheck = "ok"
        }
        handle(.succeeded(.active))
    }

    /// An active probe failed.
    func probeFailed(cause: HealthCause) {
        inner.withLock { $0.lastCheck = cause.rawValue }
        handle(.failed(.active, cause))
    }

    /// New thresholds (the upstream's checks or the node's fields changed); the state is kept.
    func update(settings: HealthSettings) {
        inner.withLock { $0.machine.settings = settings }
    }

    /// The state as snapshots show it, for a node in `state`.
    func info(state: NodeState) -> NodeHealthInfo {
        inner.withLock { i in
            let status: NodeHealthInfo.Status = switch state {
            case .drain: .draining
            case .maint: .maint
            case .ready: i.machine.isUsable ? .healthy : .unhealthy
            }
            let measured = connectAverageAt.load(ordering: .relaxed) != 0
            let average = Double(bitPattern: connectAverage.load(ordering: .relaxed))
            return NodeHealthInfo(status: status, since: i.since, why: i.why?.rawValue,
                                  lastCheckLatency: i.lastCheckLatency, lastCheck: i.lastCheck,
                                  connectLatency: measured ? average : nil,
                                  tcpFailures: i.machine.tcpFailures, timeouts: i.machine.timeouts,
                                  successes: i.machine.successes)
        }
    }

    private static var now: Double { Double(NIODeadline.now().uptimeNanoseconds) / 1e9 }

    private func handle(_ event: HealthEvent) {
        let transition: NodeHealthMachine.Transition? = inner.withLock { i in
            let t = i.machine.handle(event, now: Self.now)
            if let t {
                i.since = Date()
                i.why = t.cause
            }
            usable.store(i.machine.isUsable, ordering: .relaxed)
            successMatters.store(i.machine.successMatters, ordering: .relaxed)
            return t
        }
        guard let transition else { return }
        logger.warning("Node health changed", metadata: [
            "upstream": "\(upstreamKey)", "node": "\(address)", "from": "\(transition.from.name)",
            "to": "\(transition.to.name)", "cause": "\(transition.cause.rawValue)",
        ])
        if case .suspended(let until) = transition.to { scheduleTick(at: until) }
        onChange()
    }

    private func scheduleTick(at until: Double) {
        let delay = TimeAmount.nanoseconds(Int64(max(0, until - Self.now) * 1e9) + 1_000_000)
        eventLoop.scheduleTask(in: delay) { [weak self] in
            guard let self else { return }
            let suspended = inner.withLock { i -> Double? in
                if case .suspended(let until) = i.machine.state { return until }
                return nil
            }
            // Suspended again meanwhile (a later failure): wait for the new end.
            if let suspended, suspended > Self.now { scheduleTick(at: suspended) } else { handle(.tick) }
        }
    }
}
