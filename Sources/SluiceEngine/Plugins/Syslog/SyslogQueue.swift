import NIOCore

/// The messages of one syslog sender waiting to go, and when they should: APISIX's batch processor (a batch goes
/// when it holds `batch_max_size` entries, when `inactive_timeout` passed since the last entry or
/// `buffer_duration` since the first) plus `flush_limit` (the bytes waiting that make it go at once).
///
/// Bounded: at most `drop_limit` bytes wait, the batch being sent included, and the entries count against the
/// backlog all senders share (the syslog metadata's `max_pending_entries`); beyond, new entries are dropped and
/// counted. A plain value: the sender keeps it behind a lock and the tests drive it with explicit times.
struct SyslogQueue: Sendable {
    /// What the batching looks at.
    struct Limits: Sendable {
        var batchMaxSize: Int
        var flushLimit: Int
        var dropLimit: Int
        var inactiveTimeout: TimeAmount
        var bufferDuration: TimeAmount
    }

    /// Entries taken to be sent together.
    struct Batch: Sendable {
        var messages: [ByteBuffer]
        var bytes: Int
        /// Failed attempts so far.
        var failures = 0
    }

    let limits: Limits
    let backlog: SyslogBacklog
    private var waiting = CircularBuffer<ByteBuffer>()
    private var waitingBytes = 0
    /// Bytes taken by the batch being sent (or waiting for its retry): still held, so still counted.
    private(set) var takenBytes = 0
    /// Entries of that batch.
    private var takenCount = 0
    private var firstAt: NIODeadline?
    private var lastAt: NIODeadline?
    /// Send everything at once (shutdown).
    var flushing = false

    private(set) var sent: UInt64 = 0
    private(set) var dropped: UInt64 = 0
    /// Dropped since the engine log last said so.
    private(set) var droppedUnreported: UInt64 = 0

    init(_ limits: Limits, backlog: SyslogBacklog) {
        self.limits = limits
        self.backlog = backlog
    }

    var count: Int { waiting.count }
    var bytes: Int { waitingBytes + takenBytes }

    /// Queues one message; false (and counted) when the queue is full.
    mutating func push(_ message: ByteBuffer, now: NIODeadline) -> Bool {
        guard bytes + message.readableBytes <= limits.dropLimit, backlog.reserve() else {
            dropped += 1
            droppedUnreported += 1
            return false
        }
        waiting.append(message)
        waitingBytes += message.readableBytes
        if firstAt == nil { firstAt = now }
        lastAt = now
        return true
    }

    /// When the waiting entries should go: now (or earlier) when a size limit is reached, else the first of the
    /// two time limits; nil when nothing waits.
    var dueAt: NIODeadline? {
        guard let firstAt, let lastAt, !waiting.isEmpty else { return nil }
        if flushing || waiting.count >= limits.batchMaxSize || waitingBytes >= limits.flushLimit {
            return .uptimeNanoseconds(0)
        }
        return min(lastAt + limits.inactiveTimeout, firstAt + limits.bufferDuration)
    }

    /// Takes up to `batch_max_size` entries, oldest first; the rest (if any) start a new batch now.
    mutating func take(now: NIODeadline) -> Batch? {
        guard !waiting.isEmpty else { return nil }
        var batch = Batch(messages: [], bytes: 0)
        while batch.messages.count < limits.batchMaxSize, let m = waiting.popFirst() {
            batch.bytes += m.readableBytes
            batch.messages.append(m)
        }
        waitingBytes -= batch.bytes
        takenBytes += batch.bytes
        takenCount += batch.messages.count
        firstAt = waiting.isEmpty ? nil : now
        if waiting.isEmpty { lastAt = nil }
        return batch
    }

    /// The batch taken last was delivered.
    mutating func delivered(_ batch: Batch) {
        release(batch)
        sent += UInt64(batch.messages.count)
    }

    /// The batch taken last is given up (its retries are spent): its entries count as dropped.
    mutating func abandoned(_ batch: Batch) {
        release(batch)
        dropped += UInt64(batch.messages.count)
        droppedUnreported += UInt64(batch.messages.count)
    }

    private mutating func release(_ batch: Batch) {
        takenBytes -= batch.bytes
        takenCount -= batch.messages.count
        backlog.release(batch.messages.count)
    }

    /// Every entry held leaves the shared backlog (the sender goes away with them).
    mutating func releaseAll() {
        backlog.release(waiting.count + takenCount)
        waiting.removeAll()
        waitingBytes = 0
        takenBytes = 0
        takenCount = 0
    }

    /// The drops not yet reported, now reported.
    mutating func takeUnreportedDrops() -> UInt64 {
        defer { droppedUnreported = 0 }
        return droppedUnreported
    }
}
