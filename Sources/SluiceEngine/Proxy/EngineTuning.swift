import NIOCore

/// Socket settings of proxied channels (SWIFT-NOTES.md "Throughput levers").
enum EngineTuning {
    /// Buffers grow to 256 KiB for bulk transfers and are allocated per read, so idle connections hold none.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 2048, initial: 16384, maximum: 262_144)
    /// Reading from the other side pauses above 1 MiB queued, resumes below 512 KiB: bounded memory per connection.
    static let writeWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 512 * 1024, high: 1024 * 1024)
    static let backlog: Int32 = 4096
}
