import CSluiceSyscalls
import Dispatch

/// Gives memory back to the system after a burst of connections: glibc keeps freed heap memory for reuse, so RSS
/// stayed at a burst's peak for good (154 MiB above the start after 10,000 connections; issue 12 item 10). Every
/// `interval`, when the open connections have fallen to half of the peak seen since the last trim (and by at least
/// `minimumDrop`), `malloc_trim` returns the free pages — on a queue of its own, never on an event loop.
/// (`@unchecked Sendable`: the timer source is thread-safe to cancel; its handler state lives on `queue`.)
final class MemoryTrimmer: @unchecked Sendable {
    static let interval = DispatchTimeInterval.seconds(5)
    static let minimumDrop = 500

    private let timer: DispatchSourceTimer
    private let queue = DispatchQueue(label: "sluice.memory-trim")

    /// - Parameter openConnections: how many connections are open now.
    init(openConnections: @escaping @Sendable () -> Int) {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        nonisolated(unsafe) var peak = 0 // touched on `queue` only
        timer.setEventHandler {
            let open = openConnections()
            peak = max(peak, open)
            guard peak - open >= Self.minimumDrop, open <= peak / 2 else { return }
            peak = open
            _ = csluice_malloc_trim()
        }
        timer.schedule(deadline: .now() + Self.interval, repeating: Self.interval, leeway: .seconds(1))
        timer.resume()
        self.timer = timer
    }

    func stop() { timer.cancel() }
}
