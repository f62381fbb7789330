import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Appends lines to a file off the event loops: `write` only enqueues, a serial queue writes in order.
///
/// Never blocks its caller: past `maxPending` queued lines new lines are dropped and counted.
public final class AccessLogWriter: Sendable {
    public let path: String
    private let maxPending: Int
    private let queue = DispatchQueue(label: "sluice.access-log")
    private let fd: Mutex<Int32>
    private let pending = Atomic<Int>(0)
    private let dropped = Atomic<UInt64>(0)

    /// Creates parent folders and the file (0644) and opens it for appending.
    /// - Throws: `AccessLogFormatError` saying why the file cannot be opened.
    public init(path: String, maxPending: Int = 50_000) throws {
        self.path = path
        self.maxPending = maxPending
        fd = Mutex(try Self.open(path))
    }

    private static func open(_ path: String) throws -> Int32 {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AccessLogFormatError(message: "cannot open access log \(path): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// Lines dropped because the queue was full.
    public var droppedLines: UInt64 { dropped.load(ordering: .relaxed) }

    /// Enqueues one line (a newline is added).
    public func write(_ line: String) {
        guard pending.add(1, ordering: .relaxed).newValue <= maxPending else {
            pending.subtract(1, ordering: .relaxed)
            dropped.add(1, ordering: .relaxed)
            return
        }
        queue.async {
            self.pending.subtract(1, ordering: .relaxed)
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            self.fd.withLock { fd in
                var offset = 0
                while offset < bytes.count {
                    let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    offset += n
                }
            }
        }
    }

    /// Closes and reopens the same path (log rotation: the old file may have been renamed away).
    public func reopen() {
        queue.async {
            guard let new = try? Self.open(self.path) else { return }
            self.fd.withLock { fd in
                close(fd)
                fd = new
            }
        }
    }

    /// Blocks until every line enqueued so far is written.
    public func flush() { queue.sync {} }

    deinit { fd.withLock { _ = close($0) } }
}
