/// Where a health observation comes from.
enum HealthSource: Sendable {
    /// A probe of `checks.active`.
    case active
    /// A real connect (`checks.passive`, nginx `max_fails`).
    case passive
}

/// One thing that happened to a node.
enum HealthEvent: Equatable, Sendable {
    case succeeded(HealthSource)
    case failed(HealthSource, HealthCause)
    /// Time passed (a suspension may be over).
    case tick
}

/// A node's health as a plain value: counts observations and decides the state; no clocks, no locks.
///
/// - `healthy`: picked. Active failures (or passive ones under `checks.passive`) in a row reaching the
///   `unhealthy` thresholds ⇒ `unhealthy`; `max_fails` failed connects within `fail_timeout` ⇒ `suspended`.
/// - `suspended(until)`: nginx's skip for `fail_timeout`; at `until` back to `healthy`, where one more failed
///   connect within `fail_timeout` suspends it again (nginx keeps its fail count until a success).
/// - `unhealthy`: not picked; `healthy.successes` successes in a row (of probes, or of connects under
///   `checks.passive`) ⇒ `healthy`.
/// A success resets the failure counts and a failure the success count, as in lua-resty-healthcheck.
struct NodeHealthMachine: Equatable, Sendable {
    enum State: Equatable, Sendable {
        case healthy
        case suspended(until: Double)
        case unhealthy

        /// As logged: `healthy`, `suspended` or `unhealthy`.
        var name: String {
            switch self {
            case .healthy: "healthy"
            case .suspended: "suspended"
            case .unhealthy: "unhealthy"
            }
        }
    }

    /// A change of state and its cause.
    struct Transition: Equatable, Sendable {
        var from: State
        var to: State
        var cause: HealthCause
    }

    private(set) var state = State.healthy
    var settings: HealthSettings
    private(set) var successes = 0
    private(set) var tcpFailures = 0
    private(set) var timeouts = 0
    /// nginx's failed connects within the window that started at `windowStart` (seconds, monotonic).
    private(set) var windowFailures = 0
    private(set) var windowStart = 0.0

    init(settings: HealthSettings) { self.settings = settings }

    /// True when balancers may choose the node.
    var isUsable: Bool { state == .healthy }

    /// True when a successful connect would change something (a count to reset, a state to leave): a success
    /// on a quiet node needs no lock.
    var successMatters: Bool {
        state != .healthy || tcpFailures > 0 || timeouts > 0 || windowFailures > 0
    }

    /// Applies `event` at `now` (seconds on a monotonic clock); returns the transition it caused, if any.
    mutating func handle(_ event: HealthEvent, now: Double) -> Transition? {
        let before = state
        let cause: HealthCause
        switch event {
        case .succeeded(let source):
            cause = source == .active ? .checksPassed : .connectsSucceeded
            succeeded(source)
        case .failed(let source, let why):
            cause = why
            failed(source, why, now: now)
        case .tick:
            cause = .failTimeoutOver
            if case .suspended(let until) = state, now >= until {
                state = .healthy
                // One more failure within fail_timeout suspends again.
                windowStart = now
                windowFailures = max(0, settings.maxFails - 1)
            }
        }
        // A suspension made longer is no change of state.
        return before.name == state.name ? nil : Transition(from: before, to: state, cause: cause)
    }

    private mutating func succeeded(_ source: HealthSource) {
        tcpFailures = 0
        timeouts = 0
        successes += 1
        switch state {
        case .healthy: if source == .passive { windowFailures = 0 }
        case .suspended:
            // A connect got through (all nodes down, so this one was tried anyway): nginx forgets its failures.
            if source == .passive { recover() }
        case .unhealthy:
            let needed = source == .active ? settings.active?.healthySuccesses : settings.passive?.healthySuccesses
            if let needed, needed > 0, successes >= needed { recover() }
        }
    }

    private mutating func recover() {
        state = .healthy
        successes = 0
        windowFailures = 0
    }

    private mutating func failed(_ source: HealthSource, _ cause: HealthCause, now: Double) {
        successes = 0
        if cause == .timedOut { timeouts += 1 } else { tcpFailures += 1 }
        if state == .unhealthy { return }
        if reachedUnhealthy(source) {
            state = .unhealthy
            tcpFailures = 0
            timeouts = 0
            return
        }
        guard source == .passive, settings.maxFails > 0 else { return }
        if case .suspended = state {
            state = .suspended(until: now + settings.failTimeout)
            return
        }
        if windowFailures == 0 || now - windowStart > settings.failTimeout {
            windowStart = now
            windowFailures = 0
        }
        windowFailures += 1
        if windowFailures >= settings.maxFails { state = .suspended(until: now + settings.failTimeout) }
    }

    private func reachedUnhealthy(_ source: HealthSource) -> Bool {
        let limits: (tcp: Int, timeouts: Int)?
        switch source {
        case .active: limits = settings.active.map { ($0.unhealthyTCPFailures, $0.unhealthyTimeouts) }
        case .passive: limits = settings.passive.map { ($0.unhealthyTCPFailures, $0.unhealthyTimeouts) }
        }
        guard let limits else { return false }
        return (limits.tcp > 0 && tcpFailures >= limits.tcp) || (limits.timeouts > 0 && timeouts >= limits.timeouts)
    }
}
