import CSluiceSyscalls
import Dispatch

/// Gives memory back to the system after a burst: glibc keeps freed heap memory for reuse, so RSS stayed at a
/// burst's peak for good (154 MiB above the start after 10,000 connections; issue 12 item 10).
///
/// Every `interval`, on a queue of its own (never an event loop), it compares the resident memory with what the
/// allocations hold: when the difference — freed memory still resident — has grown by `threshold` since the last
/// trim, `malloc_trim` returns the free pages. Both are states, not events, so a burst that comes and goes between
/// two checks is caught too; a steady load that frees nothing costs one mallinfo2 and one read of /proc per check.
/// (`@unchecked Sendable`: the timer source is thread-safe to cancel; its handler's state lives on `queue`.)
final class MemoryTrimmer: @unchecked Sendable {
    static let interval = DispatchTimeInterval.seconds(5)
    static let threshold: UInt = 16 * 1024 * 1024

    private let timer: DispatchSourceTimer
    private let queue = DispatchQueue(label: "sluice.memory-trim")

    init() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        nonisolated(unsafe) var baseline = Self.freedButResident() // touched on `queue` only
        timer.setEventHandler {
            let slack = Self.freedButResident()
            baseline = min(baseline, slack)
            guard slack >= baseline + Self.threshold else { return }
            _ = csluice_malloc_trim()
            baseline = Self.freedButResident()
        }
        timer.schedule(deadline: .now() + Self.interval, repeating: Self.interval, leeway: .seconds(1))
        timer.resume()
        self.timer = timer
    }

    /// Resident bytes beyond what allocations hold (code, stacks and, above all, freed heap pages).
    private static func freedButResident() -> UInt {
        let rss = UInt(csluice_rss_bytes()), used = UInt(csluice_heap_in_use())
        return rss > used ? rss - used : 0
    }

    func stop() { timer.cancel() }
}
