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
public final class NodeHealth: Sendable {
    public let upstreamKey: String
    public let address: String
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
    /// Moving average of connect times in seconds, as `Double` bits (0: none yet); the ground for ewma.
    private let connectAverage = Atomic<UInt64>(0)
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
    public var isUsable: Bool { usable.load(ordering: .relaxed) }

    /// A connect to the node succeeded after `latency`.
    public func connectSucceeded(latency: TimeAmount) {
        // Two connects finishing at once may lose one sample: an average does not need them all.
        let sample = Double(latency.nanoseconds) / 1e9
        let old = Double(bitPattern: connectAverage.load(ordering: .relaxed))
        connectAverage.store((old == 0 ? sample : old * 0.8 + sample * 0.2).bitPattern, ordering: .relaxed)
        guard successMatters.load(ordering: .relaxed) else { return }
        handle(.succeeded(.passive))
    }

    /// A connect to the node failed.
    public func connectFailed(cause: HealthCause) { handle(.failed(.passive, cause)) }

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
            let average = Double(bitPattern: connectAverage.load(ordering: .relaxed))
            return NodeHealthInfo(status: status, since: i.since, why: i.why?.rawValue,
                                  lastCheckLatency: i.lastCheckLatency, lastCheck: i.lastCheck,
                                  connectLatency: average > 0 ? average : nil,
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
