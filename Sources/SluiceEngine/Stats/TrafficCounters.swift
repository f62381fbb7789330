import Synchronization

/// Cumulative counters of one listener, route, upstream or node (Envoy-style names in the snapshot).
///
/// Atomics, because every event loop adds to them and the console and metrics endpoint read them.
package final class TrafficCounters: Sendable {
    /// Connections (or sessions) accepted or routed to this object.
    let total = Atomic<UInt64>(0)
    /// Open now.
    let active = Atomic<Int>(0)
    /// Bytes from clients towards upstreams.
    let bytesIn = Atomic<UInt64>(0)
    /// Bytes from upstreams towards clients.
    let bytesOut = Atomic<UInt64>(0)
    /// Failed upstream connects.
    let connectFailures = Atomic<UInt64>(0)
    /// Connections closed because no route matched (listeners only).
    let noRoute = Atomic<UInt64>(0)
    /// How the sessions ended, by reason (refusals before routing included: `no_certificate`, `handshake_failed`,
    /// `preread_timeout`, `bad_proxy_header`, `bad_client_hello`…).
    let endings = CloseReasonCounters()
    /// UDP datagrams from new clients dropped because the listener's session limit was reached.
    let sessionsDropped = Atomic<UInt64>(0)
    /// Bytes sent to and received from upstream nodes by sessions that reached one (listeners only: APISIX's
    /// `side="upstream"` bandwidth).
    let upstreamBytesSent = Atomic<UInt64>(0)
    let upstreamBytesReceived = Atomic<UInt64>(0)
    /// Nodes with a `max_conns`: the sessions holding one of the node's places, from their pick (connecting
    /// included) to their end — what the limit counts.
    let places = Atomic<Int>(0)

    init() {}

    func opened() {
        total.wrappingAdd(1, ordering: .relaxed)
        active.wrappingAdd(1, ordering: .relaxed)
    }

    func closed() { active.wrappingSubtract(1, ordering: .relaxed) }

    /// A point-in-time copy.
    package var values: TrafficValues {
        TrafficValues(total: total.load(ordering: .relaxed), active: active.load(ordering: .relaxed),
                      bytesIn: bytesIn.load(ordering: .relaxed), bytesOut: bytesOut.load(ordering: .relaxed),
                      connectFailures: connectFailures.load(ordering: .relaxed),
                      noRoute: noRoute.load(ordering: .relaxed),
                      sessionsDropped: sessionsDropped.load(ordering: .relaxed),
                      endings: endings.values,
                      upstreamBytesSent: upstreamBytesSent.load(ordering: .relaxed),
                      upstreamBytesReceived: upstreamBytesReceived.load(ordering: .relaxed))
    }
}

/// The values of `TrafficCounters` at one moment.
package struct TrafficValues: Sendable, Equatable {
    package var total: UInt64
    package var active: Int
    package var bytesIn: UInt64
    package var bytesOut: UInt64
    package var connectFailures: UInt64
    package var noRoute: UInt64
    package var sessionsDropped: UInt64 = 0
    /// Sessions ended, by reason (only the reasons that occurred).
    package var endings: [CloseReason: UInt64] = [:]
    /// Listeners: bytes to and from upstream nodes.
    package var upstreamBytesSent: UInt64 = 0
    package var upstreamBytesReceived: UInt64 = 0

    /// Sessions refused before any upstream was asked for, by reason (`no_route` is counted apart, as `noRoute`).
    package var refusals: [String: UInt64] {
        var out: [String: UInt64] = [:]
        for (reason, n) in endings where reason.isRefusal && reason != .noRoute { out[reason.rawValue] = n }
        return out
    }
}
