/// What a PROXY header (HAProxy `proxy-protocol.txt`, version 1 or 2) says about the original connection.
package struct ProxyProtocolHeader: Sendable, Equatable {
    /// Whether the header carries the original connection (`proxy`) or is a health check / unknown
    /// connection for which the real socket endpoints must be used (`local`).
    package enum Command: Sendable, Equatable {
        /// v2 LOCAL, or v1 `UNKNOWN`: use the real connection endpoints.
        case local
        /// The header describes the original connection.
        case proxy
    }

    /// The transport of the original connection.
    package enum Transport: Sendable, Equatable {
        /// TCP (v1 `TCP4`/`TCP6`, v2 STREAM over INET/INET6).
        case tcp
        /// UDP (v2 DGRAM over INET/INET6).
        case udp
        /// Not stated, or not an IP transport (v2 UNSPEC, AF_UNIX, LOCAL, v1 `UNKNOWN`).
        case unspecified
    }

    /// Protocol version of the header: 1 (text) or 2 (binary).
    package var version: Int
    /// LOCAL or PROXY.
    package var command: Command
    /// Transport of the original connection.
    package var transport: Transport
    /// Original client; nil for LOCAL, v1 `UNKNOWN`, v2 UNSPEC and AF_UNIX.
    package var source: ProxyProtocolEndpoint?
    /// Original destination (the address the client connected to); nil whenever `source` is nil.
    package var destination: ProxyProtocolEndpoint?

    /// Creates a header value.
    package init(
        version: Int,
        command: Command,
        transport: Transport,
        source: ProxyProtocolEndpoint? = nil,
        destination: ProxyProtocolEndpoint? = nil
    ) {
        self.version = version
        self.command = command
        self.transport = transport
        self.source = source
        self.destination = destination
    }
}
