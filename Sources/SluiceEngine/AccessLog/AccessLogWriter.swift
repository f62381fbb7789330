import Dispatch
import Foundation
import Synchronization

/// Appends lines to a file off the event loops: `write` never blocks (it enqueues); lines are written in order.
///
/// Enqueued lines wait in a buffer; one drain task on a serial queue writes everything waiting in large batches.
/// Past `maxPending` waiting lines, new lines are dropped and counted in `droppedLines`.
package final class AccessLogWriter: Sendable {
    /// The file written to (reopened by `reopen()`).
    package let path: String
    /// At most this many lines wait to be written; more are dropped.
    package let maxPending: Int

    /// What waits for the drain task, in order: lines, and reopen requests between them.
    private enum Item: Sendable {
        case line(String)
        case reopen
    }

    /// The items waiting, how many of them are lines, and whether a drain task is already queued.
    private struct Pending: Sendable {
        var items: [Item] = []
        var lineCount = 0
        var drainQueued = false

        /// Adds `item`; returns true when the caller must queue a drain task.
        mutating func add(_ item: Item) -> Bool {
            items.append(item)
            if case .line = item { lineCount += 1 }
            guard !drainQueued else { return false }
            drainQueued = true
            return true
        }
    }

    /// Batches are written in chunks of about this many bytes.
    private static let chunkBytes = 256 * 1024

    /// Runs drains, reopens and flushes, in order. Internal so tests can hold it up deterministically.
    let queue = DispatchQueue(label: "sluice.access-log")
    private let pending = Mutex(Pending())
    /// Only touched on `queue`; the lock is uncontended and only makes the class `Sendable`.
    private let file: Mutex<AccessLogFile>
    private let dropped = Atomic<UInt64>(0)

    /// Creates the parent folders and the file (0644) and opens it for appending.
    /// - Parameter maxPending: how many lines may wait for the disk before new ones are dropped.
    /// - Throws: `AccessLogWriterError` saying why the file cannot be opened.
    package init(path: String, maxPending: Int = 50_000) throws {
        self.path = path
        self.maxPending = max(0, maxPending)
        file = Mutex(try AccessLogFile.opening(path))
    }

    deinit {
        // Queued tasks hold `self`, so nothing is queued any more; write any stragglers, then close.
        drain()
        file.withLock { $0.release() }
    }

    /// Lines lost: dropped because `maxPending` lines were already waiting, or not written because the disk refused.
    package var droppedLines: UInt64 { dropped.load(ordering: .relaxed) }

    /// Enqueues one line (a newline is added); never blocks on the disk.
    package func write(_ line: String) {
        let outcome: Bool? = pending.withLock { state in
            guard state.lineCount < maxPending else { return nil }
            return state.add(.line(line))
        }
        switch outcome {
        case nil: dropped.add(1, ordering: .relaxed)
        case true?: queue.async { self.drain() }
        case false?: break
        }
    }

    /// Closes and reopens the same path, for log rotation (SIGHUP / USR1): lines enqueued before the call go to
    /// the old file, later ones to the new file. If the path cannot be opened the old file stays in use.
    package func reopen() {
        if pending.withLock({ $0.add(.reopen) }) {
            queue.async { self.drain() }
        }
    }

    /// Blocks until everything enqueued so far is written (for shutdown and tests).
    package func flush() {
        queue.sync { self.drain() }
    }

    /// Takes everything waiting and writes the lines in order, reopening the file where asked;
    /// runs on `queue` (or in `deinit`).
    private func drain() {
        let items = pending.withLock { state in
            state.drainQueued = false
            state.lineCount = 0
            let taken = state.items
            state.items = []
            return taken
        }
        guard !items.isEmpty else { return }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(min(Self.chunkBytes, items.count * 160) + 256)
        for item in items {
            switch item {
            case .line(let line):
                chunk.append(contentsOf: line.utf8)
                chunk.append(0x0A)
                if chunk.count >= Self.chunkBytes {
                    writeChunk(chunk)
                    chunk.removeAll(keepingCapacity: true)
                }
            case .reopen:
                writeChunk(chunk)
                chunk.removeAll(keepingCapacity: true)
                reopenFile()
            }
        }
        writeChunk(chunk)
    }

    /// Swaps in a fresh descriptor for `path`; keeps the old one if the path cannot be opened.
    private func reopenFile() {
        guard let fresh = try? AccessLogFile.opening(path) else { return }
        file.withLock { current in
            current.release()
            current = fresh
        }
    }

    /// Writes one chunk of whole lines; lines the disk refused are counted as dropped.
    private func writeChunk(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        let written = file.withLock { $0.append(chunk) }
        if written < chunk.count {
            let lost = chunk[written...].reduce(into: UInt64(0)) { count, byte in
                if byte == 0x0A { count += 1 }
            }
            dropped.add(lost, ordering: .relaxed)
        }
    }
}
