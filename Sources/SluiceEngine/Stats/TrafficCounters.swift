import Synchronization

/// Cumulative counters of one listener, route, upstream or node (Envoy-style names in the snapshot).
///
/// Atomics, because every event loop adds to them and the console and metrics endpoint read them.
public final class TrafficCounters: Sendable {
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
    /// Connections that failed before routing, by reason: `no_certificate`, `handshake_failed` (a bad client
    /// certificate, a protocol error), `preread_timeout`, `bad_proxy_header`, `bad_client_hello`…
    private let refusals = Mutex<[String: UInt64]>([:])

    func refused(_ reason: String) { refusals.withLock { $0[reason, default: 0] += 1 } }
    /// UDP datagrams from new clients dropped because the listener's session limit was reached.
    let sessionsDropped = Atomic<UInt64>(0)

    init() {}

    func opened() {
        total.wrappingAdd(1, ordering: .relaxed)
        active.wrappingAdd(1, ordering: .relaxed)
    }

    func closed() { active.wrappingSubtract(1, ordering: .relaxed) }

    /// A point-in-time copy.
    public var values: TrafficValues {
        TrafficValues(total: total.load(ordering: .relaxed), active: active.load(ordering: .relaxed),
                      bytesIn: bytesIn.load(ordering: .relaxed), bytesOut: bytesOut.load(ordering: .relaxed),
                      connectFailures: connectFailures.load(ordering: .relaxed),
                      noRoute: noRoute.load(ordering: .relaxed),
                      sessionsDropped: sessionsDropped.load(ordering: .relaxed),
                      refusals: refusals.withLock { $0 })
    }
}

/// The values of `TrafficCounters` at one moment.
public struct TrafficValues: Sendable, Equatable {
    public var total: UInt64
    public var active: Int
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    public var connectFailures: UInt64
    public var noRoute: UInt64
    public var sessionsDropped: UInt64 = 0
    /// Connections refused before routing, by reason (TLS handshake failures and the like).
    public var refusals: [String: UInt64] = [:]
}
