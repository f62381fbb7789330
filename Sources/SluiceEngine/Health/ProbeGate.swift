import Synchronization

/// At most `limit` probes of one upstream at once (`checks.active.concurrency`); the others wait their turn.
final class ProbeGate: Sendable {
    private struct State {
        var limit = 1
        var running = 0
        var waiting: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    var limit: Int {
        get { state.withLock { $0.limit } }
        set { state.withLock { $0.limit = max(1, newValue) } }
    }

    /// Runs `body` now if a slot is free, else when one is; `body` must call `leave()` when its probe is over.
    func enter(_ body: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            guard s.running < s.limit else {
                s.waiting.append(body)
                return false
            }
            s.running += 1
            return true
        }
        if now { body() }
    }

    /// A probe is over: the next waiting one (if any) takes its slot.
    func leave() {
        let next = state.withLock { s -> (@Sendable () -> Void)? in
            guard !s.waiting.isEmpty else {
                s.running -= 1
                return nil
            }
            return s.waiting.removeFirst()
        }
        next?()
    }
}
