#if canImport(Glibc)
import CSluiceSyscalls
import Glibc
import NIOCore
import SluiceConfig

/// The few socket calls the kernel fast path makes, on raw non-blocking descriptors.
enum RawSocket {
    /// A listening socket with `SO_REUSEADDR` and `SO_REUSEPORT` (one per fast-path loop), non-blocking.
    static func listen(host: String, port: Int, backlog: Int32) throws -> Int32 {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let fd = csluice_tcp_socket(family(of: address))
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { Glibc.bind(fd, $0, socklen_t($1)) }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw IOError(errnoCode: code, reason: "bind(\(host):\(port))")
        }
        return fd
    }

    static func family(of address: SocketAddress) -> Int32 {
        if case .v6 = address { return AF_INET6 }
        return AF_INET
    }

    /// The port a socket is bound to.
    static func localPort(_ fd: Int32) -> Int { localAddress(fd).port }

    /// The local address of an accepted socket (for a listener bound to every address).
    static func localAddress(_ fd: Int32) -> (ip: IPAddress?, port: Int) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return endpoint(&storage)
    }

    /// The address (as written, not normalised: `::ffff:a.b.c.d` stays IPv6) and port in a `sockaddr_storage`,
    /// read from its bytes — no text round trip per connection; `IPAddress.description` formats it when needed.
    static func endpoint(_ storage: inout sockaddr_storage) -> (ip: IPAddress?, port: Int) {
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    (.v4(UInt32(bigEndian: sin.pointee.sin_addr.s_addr)), Int(UInt16(bigEndian: sin.pointee.sin_port)))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    let bytes = withUnsafeBytes(of: sin6.pointee.sin6_addr) { Array($0) }
                    let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    return (.v6(high, low), Int(UInt16(bigEndian: sin6.pointee.sin6_port)))
                }
            }
        default:
            return (nil, 0)
        }
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Starts a non-blocking connect; `keepalive` sets `SO_KEEPALIVE` first (a system call only when asked).
    /// - Returns: the descriptor, or nil with `errno` set.
    static func startConnect(to address: SocketAddress, keepalive: Bool) -> Int32? {
        let fd = csluice_tcp_socket(family(of: address))
        guard fd >= 0 else { return nil }
        setNoDelay(fd)
        if keepalive {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = address.withSockAddr { Glibc.connect(fd, $0, socklen_t($1)) }
        if result == 0 || errno == EINPROGRESS { return fd }
        let code = errno
        Glibc.close(fd)
        errno = code
        return nil
    }

    /// The outcome of a finished non-blocking connect: 0, or the error number.
    static func connectError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { return errno }
        return error
    }
}
#endif
