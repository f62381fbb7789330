import Logging
import NIOCore
import NIOSSL
import Synchronization

/// Probes one node of one upstream on its own timer (`healthy.interval` while the node is usable, else
/// `unhealthy.interval`) and reports each outcome to the node's health. Runs on one event loop with non-blocking
/// sockets, apart from the connections it checks; `stop()` ends it.
final class ActiveChecker: Sendable {
    let target: ProbeTarget
    private enum State {
        case idle
        case waiting(Scheduled<Void>)
        case probing
        case stopped
    }
    private let state = Mutex(State.idle)
    private let health: NodeHealth
    private let eventLoop: EventLoop
    private let gate: ProbeGate
    private let tlsContext: NIOSSLContext?
    private let logger: Logger
    private let names: NodeNameResolver

    init(target: ProbeTarget, health: NodeHealth, eventLoop: EventLoop, gate: ProbeGate, names: NodeNameResolver,
         logger: Logger) {
        self.names = names
        self.target = target
        self.health = health
        self.eventLoop = eventLoop
        self.gate = gate
        self.logger = logger
        var context: NIOSSLContext?
        if let tls = target.tls {
            do { context = try UpstreamTLSContext.make(tls) } catch {
                logger.error("Health check TLS settings not usable; TLS probes fail",
                             metadata: ["node": "\(target.address)", "error": "\(error)"])
            }
        }
        tlsContext = context
    }

    /// Probes at once, then on the interval.
    func start() { schedule(after: .zero) }

    /// No more probes; one running finishes without a report.
    func stop() {
        let scheduled: Scheduled<Void>? = state.withLock { s in
            defer { s = .stopped }
            if case .waiting(let task) = s { return task }
            return nil
        }
        scheduled?.cancel()
    }

    private var stopped: Bool { state.withLock { if case .stopped = $0 { true } else { false } } }

    private func schedule(after delay: TimeAmount) {
        state.withLock { s in
            if case .stopped = s { return }
            s = .waiting(eventLoop.scheduleTask(in: delay) { [self] in gate.enter { self.probe() } })
        }
    }

    private func probe() {
        let go = state.withLock { s -> Bool in
            if case .stopped = s { return false }
            s = .probing
            return true
        }
        guard go else {
            gate.leave()
            return
        }
        let probe = Probe(target: target, tlsContext: tlsContext, requireTLS: target.tls != nil, eventLoop: eventLoop,
                          names: names)
        probe.run { [self] result in
            gate.leave()
            guard !stopped else { return }
            switch result {
            case .success(let latency): health.probeSucceeded(latency: latency)
            case .failure(let failure): health.probeFailed(cause: failure.cause)
            }
            let seconds = health.isUsable ? target.check.healthyInterval : target.check.unhealthyInterval
            schedule(after: .nanoseconds(Int64(seconds * 1e9)))
        }
    }
}
