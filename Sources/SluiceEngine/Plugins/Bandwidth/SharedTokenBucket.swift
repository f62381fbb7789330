import Synchronization

/// A `TokenBucket` shared by every connection of a route, on every event loop (limit-bandwidth's
/// `route_upload_rate` / `route_download_rate`). Kept across configuration snapshots while the route's
/// limit-bandwidth configuration is unchanged, as limit-conn's counters are.
final class SharedTokenBucket: Sendable {
    let readSize: Int
    private let bucket: Mutex<TokenBucket>

    init(rate: Int, now: UInt64) {
        readSize = TokenBucket.readSize(forRate: rate)
        bucket = Mutex(TokenBucket(rate: rate, now: now))
    }

    func take(_ bytes: Int, now: UInt64) -> UInt64 { bucket.withLock { $0.take(bytes, now: now) } }

    func isClear(now: UInt64) -> Bool { bucket.withLock { $0.isClear(now: now) } }
}
