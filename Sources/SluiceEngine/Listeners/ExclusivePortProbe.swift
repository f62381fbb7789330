#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Makes sure no other process listens on an address before Sluice binds it with `SO_REUSEPORT`: without this
/// check a second gateway started on the same port would silently share its connections instead of failing.
/// A socket without `SO_REUSEPORT` cannot bind where any socket listens, so a plain bind (never listened on,
/// closed at once) tells.
enum ExclusivePortProbe {
    /// - Throws: the bind error (`EADDRINUSE` …) naming the address.
    static func check(host: String, port: Int) throws {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let family: Int32 = switch address {
        case .v6: AF_INET6
        default: AF_INET
        }
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = address.withSockAddr { pointer, size in bind(fd, pointer, socklen_t(size)) }
        if result != 0 { throw IOError(errnoCode: errno, reason: "bind(\(host):\(port))") }
    }
}
