/// A token bucket of bytes on a caller-given clock (nanoseconds; the engine passes `NIODeadline.now()`'s uptime,
/// tests any numbers). It fills at `rate` bytes per second up to `capacity`. A read has already happened when it
/// is counted, so `take` may drive the tokens below zero: that debt is the time the taker waits before reading
/// again. Takers that share one bucket thus queue up in the order they took — each waits for everyone's debt
/// before it, which splits a shared rate evenly between busy connections.
struct TokenBucket: Sendable, Equatable {
    /// Bytes per second, > 0.
    let rate: Double
    /// The most a bucket holds: what a connection may read at once after being idle.
    let capacity: Double
    private(set) var tokens: Double
    private var updated: UInt64

    init(rate: Int, now: UInt64) {
        precondition(rate > 0, "a token bucket needs a rate")
        self.rate = Double(rate)
        capacity = Double(Self.readSize(forRate: rate))
        tokens = capacity
        updated = now
    }

    /// The read size that suits a rate: about a sixteenth of a second of it, within 1 KiB…256 KiB (the engine's
    /// largest receive buffer). Reads this size keep the pace smooth (a pause every ~60 ms) and the bucket small.
    static func readSize(forRate rate: Int) -> Int { min(max(rate / 16, 1024), 262_144) }

    /// Counts `bytes` read at `now`; returns how many nanoseconds from `now` the reader waits (0: read on).
    mutating func take(_ bytes: Int, now: UInt64) -> UInt64 {
        refill(now)
        tokens -= Double(bytes)
        return tokens >= 0 ? 0 : UInt64((-tokens / rate * 1e9).rounded(.up))
    }

    /// Whether the bucket is out of debt at `now` (a UDP datagram passes only then: datagrams are dropped, not
    /// delayed).
    mutating func isClear(now: UInt64) -> Bool {
        refill(now)
        return tokens >= 0
    }

    private mutating func refill(_ now: UInt64) {
        guard now > updated else { return }
        tokens = min(capacity, tokens + Double(now - updated) / 1e9 * rate)
        updated = now
    }
}
