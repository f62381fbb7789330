import Foundation
import SluiceConfig

/// A cheap, consistent-enough copy of the engine's state for the console and the metrics endpoint.
/// Rates are for the reader to compute, from the difference between two snapshots.
public struct EngineSnapshot: Sendable {
    /// One listening address.
    public struct Listener: Sendable {
        public var spec: ListenerSpec
        public var traffic: TrafficValues
    }
    /// One stream route and its traffic.
    public struct Route: Sendable {
        public var id: String
        public var name: String?
        public var upstreamKey: String?
        public var traffic: TrafficValues
        /// What the route's `prometheus` plugin counted; nil when the route does not carry it.
        public var prometheus: PrometheusRouteValues? = nil
    }
    /// One node of an upstream.
    public struct Node: Sendable {
        public var address: String
        public var weight: Int
        public var traffic: TrafficValues
        /// Health and operator state (issue 11).
        public var health: NodeHealthInfo
    }
    /// One upstream in use by a route.
    public struct Upstream: Sendable {
        public var key: String
        public var traffic: TrafficValues
        public var nodes: [Node]
        /// How nodes are checked, `tcp` or `udp` (what `/v1/healthcheck` calls `type`).
        public var checkType: String
    }

    public var takenAt: Date
    public var configRevision: Int
    public var listeners: [Listener]
    public var routes: [Route]
    public var upstreams: [Upstream]
    public var connections: [ConnectionInfo]
    /// The syslog plugin's senders in use: entries sent, waiting and dropped.
    public var syslogSinks: [SyslogSinkInfo] = []
}
