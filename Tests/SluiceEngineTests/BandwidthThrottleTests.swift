import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// limit-bandwidth's token buckets on an injected clock (nanoseconds), the per-direction throttle, and the compiler
/// keeping a route's shared buckets across snapshots.
struct BandwidthThrottleTests {
    static let second: UInt64 = 1_000_000_000

    @Test func bucketStartsFullThenMakesTheReaderWaitForItsDebt() {
        var bucket = TokenBucket(rate: 262_144, now: 0)
        #expect(bucket.capacity == 16_384)
        #expect(bucket.take(16_384, now: 0) == 0)  // the first read size is free
        #expect(bucket.take(16_384, now: 0) == Self.second / 16)  // then 16 KiB cost 1/16 s at 256 KiB/s
        #expect(bucket.take(0, now: Self.second / 16) == 0)  // paid off exactly
        // Idle time refills up to the capacity only.
        #expect(bucket.take(16_384 + 262_144, now: 10 * Self.second) == Self.second)
    }

    @Test func readSizeFollowsTheRateWithinBounds() {
        #expect(TokenBucket.readSize(forRate: 1) == 1024)
        #expect(TokenBucket.readSize(forRate: 262_144) == 16_384)
        #expect(TokenBucket.readSize(forRate: 1 << 40) == 262_144)
    }

    @Test func throttleHoldsReadsUntilItsDeadline() throws {
        let throttle = try #require(ReadThrottle(rate: 1024 * 16, shared: nil, now: 0))
        #expect(throttle.readSize == 1024)
        #expect(throttle.wait(now: 0) == nil)
        throttle.took(1024, now: 0)
        #expect(throttle.wait(now: 0) == nil)
        throttle.took(1024, now: 0)
        #expect(throttle.wait(now: 0) == Self.second / 16)
        #expect(throttle.wait(now: Self.second / 32) == Self.second / 32)
        #expect(throttle.wait(now: Self.second / 16) == nil)
        #expect(ReadThrottle(rate: 0, shared: nil, now: 0) == nil)
    }

    @Test func aSharedBucketSplitsItsRateBetweenReaders() throws {
        // Two readers at 1 KiB a read on a 16 KiB/s shared bucket: each waits for the other's debt too, so over a
        // simulated second both read about half.
        let shared = SharedTokenBucket(rate: 16_384, now: 0)
        let readers = try (0..<2).map { _ in try #require(ReadThrottle(rate: 0, shared: shared, now: 0)) }
        var bytes = [0, 0]
        var now: UInt64 = 0
        while now < 4 * Self.second {
            for (i, reader) in readers.enumerated() where reader.wait(now: now) == nil {
                reader.took(1024, now: now)
                bytes[i] += 1024
            }
            now += Self.second / 1000
        }
        let total = bytes[0] + bytes[1]
        #expect(abs(total - 4 * 16_384) <= 2048)
        #expect(abs(bytes[0] - bytes[1]) <= 1024)
    }

    @Test func ownAndSharedBucketsBothApply() throws {
        // The connection's own 16 KiB/s limit holds when the route's is looser, and the route's when tighter.
        let loose = SharedTokenBucket(rate: 1 << 20, now: 0)
        let own = try #require(ReadThrottle(rate: 16_384, shared: loose, now: 0))
        own.took(2048, now: 0)
        #expect(own.wait(now: 0) == Self.second / 16)
        let tight = SharedTokenBucket(rate: 16_384, now: 0)
        let routeBound = try #require(ReadThrottle(rate: 1 << 20, shared: tight, now: 0))
        #expect(routeBound.readSize == 1024)
        routeBound.took(2048, now: 0)
        #expect(routeBound.wait(now: 0) == Self.second / 16)
    }

    @Test func datagramsBeyondTheRateAreDropped() throws {
        let throttle = try #require(ReadThrottle(rate: 1024 * 16, shared: nil, now: 0))
        #expect(throttle.admits(1500, now: 0))  // within the bucket (it may go into debt by one datagram)
        #expect(!throttle.admits(1500, now: 0))
        #expect(throttle.admits(1500, now: Self.second))
    }

    @Test func compilerKeepsARoutesSharedBucketsAcrossSnapshots() throws {
        let config = LimitBandwidthConfig(downloadRate: 1000, routeDownloadRate: 5000)
        func plugin(_ chain: PluginChain) throws -> LimitBandwidthPlugin {
            try #require(chain.transferers.first as? LimitBandwidthPlugin)
        }
        var first = PluginCompiler(previous: nil)
        let a = try plugin(first.chain(routeID: "r", [.limitBandwidth(config)]))
        var second = PluginCompiler(previous: first)
        let b = try plugin(second.chain(routeID: "r", [.limitBandwidth(config)]))
        var changed = config
        changed.routeDownloadRate = 6000
        let c = try plugin(second.chain(routeID: "r", [.limitBandwidth(changed)]))
        #expect(a.routeDownload != nil && a.routeDownload === b.routeDownload)
        #expect(c.routeDownload !== b.routeDownload)
        #expect(a.routeUpload == nil)
        let throttles = a.throttles(now: 0)
        #expect(throttles.upload == nil && throttles.download != nil)
        #expect(first.chain(routeID: "plain", []).transferers.isEmpty)
    }
}
