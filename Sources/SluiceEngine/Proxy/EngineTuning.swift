import NIOCore

/// Socket settings of proxied channels (SWIFT-NOTES.md "Throughput levers").
enum EngineTuning {
    /// Buffers start small (a channel keeps its last receive buffer for reuse, so this is what an idle connection
    /// holds) and grow to 256 KiB when reads fill them, for bulk transfers.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 2048, maximum: 262_144)
    /// Reading from the other side pauses above 1 MiB queued, resumes below 512 KiB: bounded memory per connection.
    static let writeWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 512 * 1024, high: 1024 * 1024)
    static let backlog: Int32 = 4096
    /// Connections accepted per wake-up of a listener (NIO's default is 4).
    static let acceptsPerRead: UInt = 16
    /// UDP: the largest datagram (IPv4/IPv6 payloads stay below it).
    static let maxDatagram = 65_536
    /// UDP listeners: datagrams read per system call (recvmmsg), each slot `maxDatagram` bytes — one buffer per
    /// listener, so no client datagram is ever truncated.
    static let datagramsPerRead = 16
    /// What a connection may send before it is routed and connected; reading pauses beyond it.
    static let maxHeldBytes = 64 * 1024
    /// How long a TLS handshake (or another preread) may take before the connection is closed.
    static let prereadTimeout = TimeAmount.seconds(30)
}
