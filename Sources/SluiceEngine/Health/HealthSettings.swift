import SluiceConfig

/// The thresholds one node's health is judged by: its upstream's `checks` and its own nginx fields.
struct HealthSettings: Equatable, Sendable {
    var active: ActiveCheck?
    var passive: PassiveCheck?
    /// nginx `max_fails` (0: off) and `fail_timeout` in seconds.
    var maxFails: Int
    var failTimeout: Double

    init(checks: UpstreamChecks, node: UpstreamNode) {
        active = checks.active
        passive = checks.passive
        maxFails = node.maxFails
        failTimeout = node.failTimeout
    }

    init(active: ActiveCheck? = nil, passive: PassiveCheck? = nil, maxFails: Int = 1, failTimeout: Double = 10) {
        self.active = active
        self.passive = passive
        self.maxFails = maxFails
        self.failTimeout = failTimeout
    }
}
