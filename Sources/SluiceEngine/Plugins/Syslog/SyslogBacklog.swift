import Synchronization

/// The entries waiting across every syslog sender — queued or in a batch being sent — against the syslog plugin
/// metadata's `max_pending_entries` (APISIX's batch processor manager: one backlog for all of the plugin's
/// servers; while it is full, new entries are dropped). Shared by the senders, kept across snapshots; the limit
/// follows the metadata of the snapshot in force.
final class SyslogBacklog: Sendable {
    private let pending = Atomic<Int>(0)
    private let limit: Atomic<Int>

    init(limit: Int) {
        self.limit = Atomic(limit)
    }

    /// The limit the next entries meet (a new snapshot's metadata).
    func setLimit(_ n: Int) {
        limit.store(n, ordering: .relaxed)
    }

    var count: Int { pending.load(ordering: .relaxed) }

    /// Counts one entry in; false when the backlog is full (the entry is to be dropped).
    func reserve() -> Bool {
        let max = limit.load(ordering: .relaxed)
        var current = pending.load(ordering: .relaxed)
        while current < max {
            let (exchanged, actual) = pending.compareExchange(expected: current, desired: current + 1,
                                                              ordering: .relaxed)
            if exchanged { return true }
            current = actual
        }
        return false
    }

    /// `n` entries left the backlog: sent, or given up.
    func release(_ n: Int) {
        pending.subtract(n, ordering: .relaxed)
    }
}
