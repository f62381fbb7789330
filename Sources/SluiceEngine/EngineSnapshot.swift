import Foundation
import SluiceConfig

/// A cheap, consistent-enough copy of the engine's state for the console and the metrics endpoint.
/// Rates are for the reader to compute, from the difference between two snapshots.
package struct EngineSnapshot: Sendable {
    /// One listening address.
    package struct Listener: Sendable {
        package var spec: ListenerSpec
        package var traffic: TrafficValues
    }
    /// One stream route and its traffic.
    package struct Route: Sendable {
        package var id: String
        package var name: String?
        package var upstreamKey: String?
        package var traffic: TrafficValues
        /// What the route's `prometheus` plugin counted; nil when the route does not carry it.
        package var prometheus: PrometheusRouteValues? = nil
    }
    /// One node of an upstream.
    package struct Node: Sendable {
        package var address: String
        package var weight: Int
        package var traffic: TrafficValues
        /// Health and operator state (issue 11).
        package var health: NodeHealthInfo
    }
    /// One upstream in use by a route.
    package struct Upstream: Sendable {
        package var key: String
        package var traffic: TrafficValues
        package var nodes: [Node]
        /// How nodes are checked, `tcp` or `udp` (what `/v1/healthcheck` calls `type`).
        package var checkType: String
    }

    package var takenAt: Date
    package var configRevision: Int
    package var listeners: [Listener]
    package var routes: [Route]
    package var upstreams: [Upstream]
    package var connections: [ConnectionInfo]
    /// The syslog plugin's senders in use: entries sent, waiting and dropped.
    package var syslogSinks: [SyslogSinkInfo] = []
}
