import Synchronization

/// One atomic counter per `CloseReason`: how the sessions of a listener, route, upstream or node ended.
///
/// Counted once per session, where it settles (`SessionAccounting.finish`), on both the NIO and the fast path:
/// one relaxed atomic add, no lock, no allocation.
final class CloseReasonCounters: @unchecked Sendable {
    // @unchecked: the slots are atomics, allocated once in init and freed in deinit; nothing else touches them.
    private static let reasons = CloseReason.allCases
    private let slots: UnsafeMutablePointer<Atomic<UInt64>>

    init() {
        slots = .allocate(capacity: Self.reasons.count)
        for i in 0..<Self.reasons.count { (slots + i).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: Self.reasons.count)
        slots.deallocate()
    }

    func count(_ reason: CloseReason) {
        guard let i = Self.reasons.firstIndex(of: reason) else { return }
        slots[i].wrappingAdd(1, ordering: .relaxed)
    }

    /// The reasons counted at least once, with their counts.
    var values: [CloseReason: UInt64] {
        var out: [CloseReason: UInt64] = [:]
        for (i, reason) in Self.reasons.enumerated() {
            let n = slots[i].load(ordering: .relaxed)
            if n > 0 { out[reason] = n }
        }
        return out
    }
}
