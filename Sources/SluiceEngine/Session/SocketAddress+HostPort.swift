import NIOCore
import SluiceConfig

extension SocketAddress {
    /// `host:port` (`[::1]:9100` for IPv6) for logs; the address's own description otherwise (unix sockets).
    var hostPortText: String {
        guard let ip = ipAddress, let port else { return "\(self)" }
        return HostPort(host: ip, port: port).description
    }
}
