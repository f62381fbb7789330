import Glibc
import NIOCore
import NIOPosix
import SluiceConfig

/// The system's resolver (getaddrinfo: /etc/hosts, then /etc/resolv.conf's servers), on NIO's blocking-I/O thread
/// pool so no event loop waits. It gives no TTL: the caller re-asks on its own period.
enum SystemResolver {
    static func resolve(_ name: String, on loop: EventLoop) -> EventLoopFuture<[IPAddress]> {
        NIOThreadPool.singleton.runIfActive(eventLoop: loop) { () throws(DNSError) -> [IPAddress] in
            try lookup(name)
        }
    }

    /// Every address getaddrinfo gives for `name`, deduplicated, in its order.
    static func lookup(_ name: String) throws(DNSError) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(name, nil, &hints, &list)
        guard code == 0 else { throw .system(String(cString: gai_strerror(code))) }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let e = entry {
            if let raw = e.pointee.ai_addr {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: Int(e.pointee.ai_addrlen)))
                }
                if let ip = RawSocket.endpoint(&storage).ip?.normalized, !addresses.contains(ip) { addresses.append(ip) }
            }
            entry = e.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw .noAddresses }
        return addresses
    }
}
