#if canImport(Glibc)
import CSluiceSyscalls
import Foundation
import Glibc
import NIOCore
import SluiceConfig
import Synchronization

/// Reads the replies of every UDP session's upstream socket on one thread of its own — up to `batch` datagrams a
/// `recvmmsg`, into one shared buffer — and hands each socket's datagrams of one wake-up, each copied to a buffer
/// of its own size, to its session's event loop at once (one hop per batch, which the session relays with one
/// flush: NIO sends a batch of pending datagrams with `sendmmsg`).
///
/// Why not a NIO channel per session: NIO keeps each datagram channel's receive buffer between reads, so every
/// session held 64 KiB (70.5 KiB RSS per session measured over 3,000 sessions; issue 12 item 10). Here a session
/// holds a socket and a few small objects. Sends go straight to the socket from the session's loop.
final class UDPReplyPump: Sendable {
    /// What the pump calls for one socket: the replies of one wake-up, in arrival order, or the error a read gave
    /// (ICMP port unreachable ⇒ ECONNREFUSED) after the replies read before it.
    struct Receiver: Sendable {
        let replies: @Sendable ([ByteBuffer]) -> Void
        let failed: @Sendable (Int32) -> Void
    }

    private struct Registry {
        var receivers: [UInt64: (fd: Int32, receiver: Receiver)] = [:]
        var toClose: [Int32] = []
        var nextKey: UInt64 = 1
    }

    /// The process's pump, its thread started by the first UDP session.
    static let shared = Result { try UDPReplyPump() }

    static let wakeKey: UInt64 = 0
    /// Datagrams read from one socket per wake-up before the others get their turn.
    static let readsPerTurn = 64
    /// Datagrams one `recvmmsg` reads at most, each into a slot for the largest datagram there is.
    static let batch = 16
    static let slotSize = EngineTuning.maxDatagram

    private let epfd: Int32
    private let wakeFD: Int32
    private let registry = Mutex(Registry())
    private let allocator = ByteBufferAllocator()

    init() throws {
        epfd = csluice_epoll_create()
        wakeFD = csluice_eventfd()
        guard epfd >= 0, wakeFD >= 0 else { throw IOError(errnoCode: errno, reason: "UDP reply pump: epoll/eventfd") }
        _ = csluice_epoll_add(epfd, wakeFD, CSLUICE_EPOLLIN, Self.wakeKey)
        let thread = Thread { [self] in run() }
        thread.name = "sluice-udp-replies"
        thread.start()
    }

    /// A connected, non-blocking UDP socket towards `address`, its replies going to `receiver`.
    func open(to address: SocketAddress, receiver: Receiver) throws -> UDPUpstreamSocket {
        let fd = csluice_udp_socket(RawSocket.family(of: address))
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        let connected = address.withSockAddr { Glibc.connect(fd, $0, socklen_t($1)) }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            throw IOError(errnoCode: code, reason: "connect")
        }
        let key = registry.withLock { r -> UInt64 in
            defer { r.nextKey += 1 }
            r.receivers[r.nextKey] = (fd, receiver)
            return r.nextKey
        }
        guard csluice_epoll_add(epfd, fd, CSLUICE_EPOLLIN, key) == 0 else {
            let code = errno
            registry.withLock { r in
                r.receivers[key] = nil
                r.toClose.append(fd)
            }
            wake()
            throw IOError(errnoCode: code, reason: "epoll_ctl")
        }
        return UDPUpstreamSocket(fd: fd, key: key, pump: self)
    }

    /// No more replies for `key`; its descriptor is closed on the pump's thread, after any read in progress, so a
    /// number reused by a new socket is never read for the old session.
    fileprivate func release(key: UInt64, fd: Int32) {
        registry.withLock { r in
            r.receivers[key] = nil
            r.toClose.append(fd)
        }
        _ = csluice_epoll_del(epfd, fd)
        wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    private func run() {
        // Pages are touched only as far as datagrams fill their slots: small replies use a few of these 1 MiB.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.batch * Self.slotSize, alignment: 16)
        let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: Self.batch)
        var keys = [UInt64](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        while true {
            let n = csluice_epoll_wait(epfd, &keys, &events, 256, -1)
            for i in 0..<max(0, Int(n)) where keys[i] != Self.wakeKey {
                guard let (fd, receiver) = registry.withLock({ $0.receivers[keys[i]] }) else { continue }
                drain(fd, receiver, buffer, lengths)
            }
            if n > 0, keys[0..<Int(n)].contains(Self.wakeKey) {
                var value: UInt64 = 0
                _ = Glibc.read(wakeFD, &value, 8)
            }
            for fd in registry.withLock({ r in defer { r.toClose = [] }; return r.toClose }) { Glibc.close(fd) }
        }
    }

    private func drain(_ fd: Int32, _ receiver: Receiver, _ buffer: UnsafeMutableRawBufferPointer,
                       _ lengths: UnsafeMutablePointer<UInt>) {
        var replies: [ByteBuffer] = []
        var failure: Int32?
        while replies.count < Self.readsPerTurn {
            let got = Int(csluice_recv_batch(fd, buffer.baseAddress, UInt(Self.slotSize), Int32(Self.batch), lengths))
            guard got > 0 else {
                let code = errno
                if got < 0, code != EAGAIN, code != EWOULDBLOCK, code != EINTR { failure = code }
                break
            }
            for i in 0..<got {
                let start = i * Self.slotSize
                var datagram = allocator.buffer(capacity: Int(lengths[i]))
                datagram.writeBytes(UnsafeRawBufferPointer(rebasing: buffer[start..<start + Int(lengths[i])]))
                replies.append(datagram)
            }
            if got < Self.batch { break }
        }
        if !replies.isEmpty { receiver.replies(replies) }
        if let failure { receiver.failed(failure) }
    }
}

/// One session's connected UDP socket towards its node (see `UDPReplyPump`).
final class UDPUpstreamSocket: Sendable {
    private let fd: Int32
    private let key: UInt64
    private let pump: UDPReplyPump
    private let closed = Atomic(false)

    fileprivate init(fd: Int32, key: UInt64, pump: UDPReplyPump) {
        self.fd = fd
        self.key = key
        self.pump = pump
    }

    /// Sends `datagrams` at once, up to 64 a `sendmmsg`, straight from their buffers. - Returns: 0, or the error
    /// number of the first datagram not sent (EAGAIN: the socket buffer is full and the rest are dropped, as UDP
    /// may; ECONNREFUSED: an earlier datagram met a closed port).
    func send(_ datagrams: [ByteBuffer]) -> Int32 {
        withUnsafeTemporaryAllocation(of: UnsafeRawPointer?.self, capacity: 64) { bases in
            withUnsafeTemporaryAllocation(of: UInt.self, capacity: 64) { lengths in
                var next = 0
                while next < datagrams.count {
                    let chunk = datagrams[next..<min(datagrams.count, next + 64)]
                    let sent = Self.withReadablePointers(of: chunk, from: chunk.startIndex, bases: bases,
                                                         lengths: lengths) {
                        Int(csluice_send_batch(fd, bases.baseAddress!, lengths.baseAddress!, Int32(chunk.count)))
                    }
                    if sent <= 0 { return sent == 0 ? EAGAIN : errno }
                    next += sent
                }
                return 0
            }
        }
    }

    /// `body` while `bases` and `lengths` (from slot 0 for `start`) hold where each of `datagrams[start...]`'s
    /// readable bytes are: each buffer's pointer is valid only inside its own `withUnsafeReadableBytes`, so they
    /// nest, one level a datagram (at most 64).
    private static func withReadablePointers<Result>(
        of datagrams: ArraySlice<ByteBuffer>, from start: Int,
        bases: UnsafeMutableBufferPointer<UnsafeRawPointer?>, lengths: UnsafeMutableBufferPointer<UInt>,
        _ body: () -> Result
    ) -> Result {
        guard start < datagrams.endIndex else { return body() }
        return datagrams[start].withUnsafeReadableBytes { bytes in
            let slot = start - datagrams.startIndex
            bases[slot] = bytes.baseAddress.map { UnsafeRawPointer($0) }
            lengths[slot] = UInt(bytes.count)
            return withReadablePointers(of: datagrams, from: start + 1, bases: bases, lengths: lengths, body)
        }
    }

    /// The socket's own address (a getsockname: for an operator's inspect, not per datagram).
    func localAddress() -> SocketAddress? {
        guard !closed.load(ordering: .relaxed) else { return nil }
        let local = RawSocket.localAddress(fd)
        return local.ip.flatMap { try? SocketAddress(ipAddress: $0.description, port: local.port) }
    }

    /// Closes the socket (once; later calls do nothing).
    func close() {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        pump.release(key: key, fd: fd)
    }

    deinit { close() }
}
#endif
