import Foundation
import SluiceEngine

/// Bytes per second in each direction.
public struct Rate: Sendable, Equatable {
    public var bytesIn: Double = 0
    public var bytesOut: Double = 0
    public init(bytesIn: Double = 0, bytesOut: Double = 0) {
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }
}

/// Rates from the difference of cumulative counters between two snapshots taken at a fixed tick (ctop),
/// never from render timing.
public struct RateTracker {
    private var previous: [String: (bytesIn: UInt64, bytesOut: UInt64)] = [:]
    private var previousTime: Date?
    public private(set) var rates: [String: Rate] = [:]
    /// Each route's rates at the last `historyLength` ticks, oldest first (the route detail's sparklines).
    public private(set) var history: [String: [Rate]] = [:]
    /// Seconds between two snapshots (the console's tick).
    public static let tick: TimeInterval = 0.5
    /// The seconds of history kept per route.
    public static let historySeconds = 60
    /// Samples kept per route.
    public let historyLength = Int(Double(RateTracker.historySeconds) / RateTracker.tick)

    public init() {}

    /// The counter names rates are kept under.
    package static func listenerKey(_ l: EngineSnapshot.Listener) -> String { "listener:\(l.spec)" }
    public static func routeKey(_ id: String) -> String { "route:\(id)" }
    public static func nodeKey(_ upstream: String, _ node: String) -> String { "node:\(upstream)|\(node)" }
    public static func connectionKey(_ id: UInt64) -> String { "conn:\(id)" }

    package mutating func update(_ s: EngineSnapshot) {
        var current: [String: (UInt64, UInt64)] = [:]
        for l in s.listeners { current[Self.listenerKey(l)] = (l.traffic.bytesIn, l.traffic.bytesOut) }
        for r in s.routes { current[Self.routeKey(r.id)] = (r.traffic.bytesIn, r.traffic.bytesOut) }
        for u in s.upstreams {
            for n in u.nodes { current[Self.nodeKey(u.key, n.address)] = (n.traffic.bytesIn, n.traffic.bytesOut) }
        }
        for c in s.connections { current[Self.connectionKey(c.id)] = (c.bytesIn, c.bytesOut) }
        if let t0 = previousTime {
            let dt = max(0.001, s.takenAt.timeIntervalSince(t0))
            var out: [String: Rate] = [:]
            for (k, v) in current {
                let p = previous[k] ?? (0, 0)
                out[k] = Rate(bytesIn: Double(v.0 &- min(p.0, v.0)) / dt, bytesOut: Double(v.1 &- min(p.1, v.1)) / dt)
            }
            rates = out
            for r in s.routes {
                let key = Self.routeKey(r.id)
                var samples = history[key] ?? []
                samples.append(out[key] ?? Rate())
                if samples.count > historyLength { samples.removeFirst(samples.count - historyLength) }
                history[key] = samples
            }
            // A route that is gone loses its history.
            let live = Set(s.routes.map { Self.routeKey($0.id) })
            history = history.filter { live.contains($0.key) }
        }
        previous = current.mapValues { ($0.0, $0.1) }
        previousTime = s.takenAt
    }

    public func rate(_ key: String) -> Rate { rates[key] ?? Rate() }
}
