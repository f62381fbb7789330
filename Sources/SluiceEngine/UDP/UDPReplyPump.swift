#if canImport(Glibc)
import CSluiceSyscalls
import Foundation
import Glibc
import NIOCore
import SluiceConfig
import Synchronization

/// Reads the replies of every UDP session's upstream socket on one thread of its own, through one shared 64 KiB
/// buffer, and hands each datagram — copied to a buffer of its own size — to its session's event loop.
///
/// Why not a NIO channel per session: NIO keeps each datagram channel's receive buffer between reads, so every
/// session held 64 KiB (70.5 KiB RSS per session measured over 3,000 sessions; issue 12 item 10). Here a session
/// holds a socket and a few small objects. Sends go straight to the socket from the session's loop.
final class UDPReplyPump: Sendable {
    /// What the pump calls for one socket: a reply, or the error a read gave (ICMP port unreachable ⇒ ECONNREFUSED).
    struct Receiver: Sendable {
        let reply: @Sendable (ByteBuffer) -> Void
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
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
        var keys = [UInt64](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        while true {
            let n = csluice_epoll_wait(epfd, &keys, &events, 256, -1)
            for i in 0..<max(0, Int(n)) where keys[i] != Self.wakeKey {
                guard let (fd, receiver) = registry.withLock({ $0.receivers[keys[i]] }) else { continue }
                drain(fd, receiver, buffer)
            }
            if n > 0, keys[0..<Int(n)].contains(Self.wakeKey) {
                var value: UInt64 = 0
                _ = Glibc.read(wakeFD, &value, 8)
            }
            for fd in registry.withLock({ r in defer { r.toClose = [] }; return r.toClose }) { Glibc.close(fd) }
        }
    }

    private func drain(_ fd: Int32, _ receiver: Receiver, _ buffer: UnsafeMutableRawBufferPointer) {
        for _ in 0..<Self.readsPerTurn {
            let got = Glibc.recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if got >= 0 {
                var datagram = allocator.buffer(capacity: got)
                datagram.writeBytes(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
                receiver.reply(datagram)
                continue
            }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return }
            receiver.failed(code)
            return
        }
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

    /// Sends one datagram at once. - Returns: 0, or the error number (EAGAIN: the socket buffer is full and the
    /// datagram is dropped, as UDP may; ECONNREFUSED: an earlier datagram met a closed port).
    func send(_ datagram: ByteBuffer) -> Int32 {
        let sent = datagram.withUnsafeReadableBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return sent >= 0 ? 0 : errno
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
