/// The pace of one direction of one session: its own bucket (`upload_rate` / `download_rate`) and the route's
/// shared one, each optional. The reading side counts what it read with `took`, and before asking for more reads
/// asks `wait`: while it says to wait the channel does not read, so the sender meets TCP's own backpressure and
/// nothing is buffered here. Lives on the session's event loop.
final class ReadThrottle {
    private var own: TokenBucket?
    private let shared: SharedTokenBucket?
    private var resumeAt: UInt64 = 0
    /// The receive size for the throttled channel: the smaller of the buckets' read sizes.
    let readSize: Int

    /// nil when neither rate limits anything.
    init?(rate: Int, shared: SharedTokenBucket?, now: UInt64) {
        own = rate > 0 ? TokenBucket(rate: rate, now: now) : nil
        self.shared = shared
        let sizes = [own.map { Int($0.capacity) }, shared?.readSize].compactMap { $0 }
        guard let size = sizes.min() else { return nil }
        readSize = size
    }

    /// Counts `bytes` read at `now`; the next read waits until every bucket involved is out of its debt.
    func took(_ bytes: Int, now: UInt64) {
        let wait = max(own?.take(bytes, now: now) ?? 0, shared?.take(bytes, now: now) ?? 0)
        resumeAt = max(resumeAt, now + wait)
    }

    /// Nanoseconds to wait from `now` before reading again, or nil to read now.
    func wait(now: UInt64) -> UInt64? { now < resumeAt ? resumeAt - now : nil }

    /// UDP: whether a datagram of `bytes` may pass at `now` (counted if so). A datagram cannot wait without being
    /// buffered, so one beyond the rate is dropped.
    func admits(_ bytes: Int, now: UInt64) -> Bool {
        guard own?.isClear(now: now) ?? true, shared?.isClear(now: now) ?? true else { return false }
        took(bytes, now: now)
        return true
    }
}
