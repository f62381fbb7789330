import Synchronization

/// Counters by name (`tcp 127.0.0.1:9100`, a route id, an upstream key, `upstreamKey|host:port`).
///
/// Counters outlive configuration snapshots: a route that is changed keeps counting where it was.
/// Connections look their counters up once, when they start, never per read.
package final class CounterTable: Sendable {
    private let table = Mutex<[String: TrafficCounters]>([:])

    package init() {}

    /// The counters for `name`, created on first use.
    package func counters(_ name: String) -> TrafficCounters {
        table.withLock { t in
            if let c = t[name] { return c }
            let c = TrafficCounters()
            t[name] = c
            return c
        }
    }

    /// A copy of every counter's values.
    package func values() -> [String: TrafficValues] {
        table.withLock { $0.mapValues(\.values) }
    }
}
