import Dispatch
import Synchronization

/// The routing table new connections use, swapped whole with every snapshot.
///
/// A table compiled after a small change lays it over the previous router's index (`Router`); the index is then
/// built again on a background queue and swapped in, with whatever changed meanwhile laid over it, so a change is
/// in force without waiting for a new index and the layer stays thin.
package final class RoutingTableSlot: Sendable {
    private let table = Mutex<RoutingTable?>(nil)
    /// True while an index is being built (one at a time).
    private let compacting = Atomic<Bool>(false)

    package init() {}

    /// The table in force.
    package var current: RoutingTable? { table.withLock { $0 } }

    /// Puts `make(current)` in force (`make` runs under the slot's lock), then has its index rebuilt when changes
    /// lie over it.
    package func replace(_ make: (RoutingTable?) -> RoutingTable?) {
        let made = table.withLock { (t: inout RoutingTable?) -> RoutingTable? in
            t = make(t)
            return t
        }
        if let made, made.router.wantsCompaction { compact(made) }
    }

    private func compact(_ compiled: RoutingTable) {
        guard !compacting.exchange(true, ordering: .acquiringAndReleasing) else { return }
        DispatchQueue.global(qos: .utility).async {
            let router = compiled.router.compacted()
            // Laid over the new index outside the lock (connections read the table meanwhile); swapped in only
            // if no change came in between, else again over the newer table.
            var now = self.current
            while let base = now {
                let rebased = base.rebased(on: router)
                let swapped = self.table.withLock { (t: inout RoutingTable?) -> Bool in
                    guard t === base else { return false }
                    t = rebased
                    return true
                }
                if swapped { break }
                now = self.current
            }
            self.compacting.store(false, ordering: .releasing)
            // Changes made while this one ran found it busy: they are laid over the new index, rebuilt in turn.
            if let latest = self.current, latest.router.wantsCompaction { self.compact(latest) }
        }
    }
}
