import NIOCore

extension TimeAmount {
    /// `seconds` as a `TimeAmount`, saturating: a huge (or infinite) timeout becomes the largest amount NIO can hold
    /// instead of trapping, a negative or NaN one zero. Every configured number of seconds reaches NIO through here.
    static func seconds(saturating seconds: Double) -> TimeAmount {
        guard seconds > 0 else { return .zero }
        let nanoseconds = seconds * 1e9
        guard nanoseconds < Double(Int64.max) else { return .nanoseconds(Int64.max) }
        return .nanoseconds(Int64(nanoseconds))
    }
}

extension NIODeadline {
    /// `self + amount`, saturating at `.distantFuture` instead of overflowing.
    func adding(saturating amount: TimeAmount) -> NIODeadline {
        let (sum, overflow) = uptimeNanoseconds.addingReportingOverflow(UInt64(max(0, amount.nanoseconds)))
        return overflow || sum > NIODeadline.distantFuture.uptimeNanoseconds ? .distantFuture
            : .uptimeNanoseconds(sum)
    }
}
