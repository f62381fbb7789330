#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Monotonic nanoseconds, read straight from `clock_gettime` (a vDSO call: tens of ns, measured by `overhead`).
enum Clock {
    @inline(__always)
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// The median cost of one `now()` pair with nothing between, to subtract from single-call timings.
    static let overhead: UInt64 = {
        var samples = [UInt64](repeating: 0, count: 10_001)
        for i in samples.indices {
            let start = now()
            samples[i] = now() - start
        }
        return Percentiles(samples).p50
    }()
}

/// p50 / p99 / max of a set of samples (nanoseconds).
struct Percentiles {
    let p50: UInt64
    let p99: UInt64
    let max: UInt64

    init(_ samples: [UInt64]) {
        let sorted = samples.sorted()
        p50 = sorted[sorted.count / 2]
        p99 = sorted[Swift.min(sorted.count - 1, sorted.count * 99 / 100)]
        max = sorted[sorted.count - 1]
    }
}
