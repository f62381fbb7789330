import Synchronization

/// The concurrent-connection counts of one route's `limit-conn`, per key, shared by every event loop
/// (APISIX's shared dict plus resty.limit.conn's delay unit).
final class ConnectionLimiter: Sendable {
    /// What `incoming` decided.
    enum Admission: Equatable {
        /// Counted; go on after this many seconds (0 within `conn`).
        case admitted(delay: Double)
        /// Beyond `conn + burst`: not counted.
        case rejected(count: Int)
    }

    private struct State {
        var counts: [String: Int] = [:]
        var unitDelay: Double
    }

    let conn: Int
    let burst: Int
    let adaptsDelay: Bool
    private let state: Mutex<State>

    init(conn: Int, burst: Int, defaultDelay: Double, adaptsDelay: Bool) {
        self.conn = conn
        self.burst = burst
        self.adaptsDelay = adaptsDelay
        state = Mutex(State(unitDelay: defaultDelay))
    }

    /// Counts one more connection for `key`. A connection beyond `conn` waits
    /// `unit delay × ⌊(count − 1) / conn⌋`, as resty.limit.conn makes it wait.
    func incoming(_ key: String) -> Admission {
        state.withLock { s in
            let count = (s.counts[key] ?? 0) + 1
            guard count <= conn + burst else { return .rejected(count: count) }
            s.counts[key] = count
            return .admitted(delay: count > conn ? s.unitDelay * Double((count - 1) / conn) : 0)
        }
    }

    /// Frees one connection of `key`; `latency` (the session's seconds, its delay excluded) moves the delay unit
    /// halfway towards it unless only the default delay is used.
    func leaving(_ key: String, latency: Double) {
        state.withLock { s in
            guard let count = s.counts[key] else { return }
            s.counts[key] = count > 1 ? count - 1 : nil
            if adaptsDelay { s.unitDelay = (latency + s.unitDelay) / 2 }
        }
    }

    /// The connections counted for `key` now.
    func count(_ key: String) -> Int { state.withLock { $0.counts[key] ?? 0 } }
}
