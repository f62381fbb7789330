/// One end of a proxied connection as carried in a PROXY protocol header.
///
/// `host` is the canonical textual IP address (IPv6 without brackets, lower-case, RFC 5952 compressed),
/// `port` is 0…65535.
public struct ProxyProtocolEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// Textual IP address, IPv6 without brackets.
    public var host: String
    /// TCP/UDP port, 0…65535.
    public var port: Int

    /// Creates an endpoint from a textual address and a port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with the host bracketed when it is IPv6.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
