import Foundation

/// One node's health as snapshots show it.
package struct NodeHealthInfo: Sendable, Equatable {
    /// What the console and `/v1/healthcheck` say about a node.
    package enum Status: String, Sendable, CaseIterable {
        case healthy, unhealthy, draining, maint
    }
    package var status: Status
    /// When the status last changed (the engine's start for a node that never changed).
    package var since: Date
    /// Why it changed: `refused`, `timed out`, `checks passed`…; nil before any change.
    package var why: String?
    /// Seconds the last successful active probe took; nil before one.
    package var lastCheckLatency: Double?
    /// The last probe's outcome (`ok` or the failure's cause); nil without active checks.
    package var lastCheck: String?
    /// The ewma of real connects' times in seconds (APISIX's, decay time 10 s); nil before one.
    package var connectLatency: Double?
    /// Failures (refused, reset, mismatch), timeouts and successes counted in a row.
    package var tcpFailures: Int
    package var timeouts: Int
    package var successes: Int

    package init(status: Status, since: Date, why: String? = nil, lastCheckLatency: Double? = nil,
                lastCheck: String? = nil, connectLatency: Double? = nil, tcpFailures: Int = 0, timeouts: Int = 0,
                successes: Int = 0) {
        self.status = status
        self.since = since
        self.why = why
        self.lastCheckLatency = lastCheckLatency
        self.lastCheck = lastCheck
        self.connectLatency = connectLatency
        self.tcpFailures = tcpFailures
        self.timeouts = timeouts
        self.successes = successes
    }
}
