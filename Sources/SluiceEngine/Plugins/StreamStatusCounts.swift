import Synchronization

/// One `apisix_stream_status` series: the session's end as a status code, the listener, the node.
package struct StreamStatusKey: Sendable, Hashable {
    /// One of nginx's stream codes: 200, 400, 403, 500, 502, 503.
    package var code: String
    /// The listener's configured `ip:port`.
    package var listenAddr: String
    /// The node's `host:port`; empty when the session ended before a node was connected.
    package var node: String
}

/// What a route's `prometheus` plugin counted, as snapshots show it.
package struct PrometheusRouteValues: Sendable, Equatable {
    /// The route label is the route's name (its id when it has none).
    package var preferName: Bool
    package var status: [StreamStatusKey: UInt64]
}

/// The `apisix_stream_status` counts of one route carrying the plugin. Kept across configuration snapshots (by
/// route), so a counter never goes back; only routes with the plugin pay for it, once per session, at its end.
final class StreamStatusCounts: Sendable {
    private let counts = Mutex<[StreamStatusKey: UInt64]>([:])

    func add(_ key: StreamStatusKey) { counts.withLock { $0[key, default: 0] += 1 } }

    var values: [StreamStatusKey: UInt64] { counts.withLock { $0 } }

    /// APISIX's code for a session that ended with `reason`: nginx's own stream codes only, and a timeout after
    /// the connect is 502 (nginx's `recv_timeout`/`upstream_timeout`), where the access log's `$status` says 200.
    static func code(for reason: CloseReason) -> String {
        if reason == .idleTimeout { return "502" }
        let status = reason.status
        switch status {
        case 200, 400, 403, 500, 502, 503: return String(status)
        case ..<500: return "400"
        default: return "500"
        }
    }
}
