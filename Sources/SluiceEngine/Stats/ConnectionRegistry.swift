import Synchronization

/// The live connections, by id; lets the console list them and close one (HAProxy's `shutdown session`).
package final class ConnectionRegistry: Sendable {
    private let records = Mutex<[UInt64: ConnectionRecord]>([:])
    private let nextID = Atomic<UInt64>(1)

    package init() {}

    func makeID() -> UInt64 { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    func add(_ record: ConnectionRecord) { records.withLock { $0[record.id] = record } }

    /// Takes the connection out of the list; `settle` (adding its bytes to the shared counters) runs under the same
    /// lock, so `listWithTotals` sees those bytes either in the connection or in the counters, never both or neither.
    func remove(_ id: UInt64, settling settle: () -> Void) {
        records.withLock {
            settle()
            _ = $0.removeValue(forKey: id)
        }
    }

    /// Every live connection, oldest first.
    package func list() -> [ConnectionInfo] {
        records.withLock { Array($0.values) }.map(\.info).sorted { $0.id < $1.id }
    }

    /// Every live connection (oldest first) and every shared counter, read at one instant: a connection that ends
    /// meanwhile is counted once, by its record or by the totals it settled into (see `remove(_:settling:)`).
    func listWithTotals(_ counters: CounterTable) -> ([ConnectionInfo], [String: TrafficValues]) {
        let (infos, values) = records.withLock { ($0.values.map(\.info), counters.values()) }
        return (infos.sorted { $0.id < $1.id }, values)
    }

    package var count: Int { records.withLock { $0.count } }

    /// Closes one connection; the access log records `reason` (`killed` for an operator's kill).
    /// - Returns: false when no such connection is open.
    @discardableResult
    package func close(id: UInt64, reason: CloseReason = .killed) -> Bool {
        guard let record = records.withLock({ $0[id] }) else { return false }
        record.ask(.close(reason))
        return true
    }

    /// Asks the loop that owns the connection to read its upstream socket's local address (the fast path and UDP
    /// read it only when someone inspects); the next `list()` after the loop ran shows it.
    package func readUpstreamLocalAddress(id: UInt64) {
        records.withLock { $0[id] }?.ask(.readUpstreamLocalAddress)
    }

    /// Closes every connection (end of a drain).
    package func closeAll(reason: CloseReason) {
        for record in records.withLock({ Array($0.values) }) { record.ask(.close(reason)) }
    }
}
