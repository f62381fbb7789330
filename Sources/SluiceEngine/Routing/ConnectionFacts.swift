import SluiceConfig

/// What routing may look at for one new connection.
package struct ConnectionFacts: Sendable {
    package var remoteAddress: IPAddress?
    package var serverAddress: IPAddress?
    package var serverPort: Int
    /// The TLS server name, when the listener saw one.
    package var sni: String?
    package var transport: ListenerSpec.Transport
    /// The client as logged and shown: the socket's peer, or what a trusted PROXY header said.
    package var clientHost = "-"
    package var clientPort = 0
    /// The listener address the connection came to (or the PROXY header's destination, when trusted).
    package var serverHost = "-"
    /// What a PROXY header said (its client and the address that client connected to), when one came with
    /// addresses.
    package var proxyProtocolSource: HostPort?
    package var proxyProtocolDestination: HostPort?
    /// The socket's peer when the client above is not it (a trusted PROXY header named another).
    package var realipRemote: HostPort?
    /// `TLSv1.3` … when Sluice terminated TLS.
    package var tlsVersion: String?

    /// The chash key an upstream asks for (`remote_addr` by default, `server_addr`, `server_port`, or a session
    /// variable a plugin set, such as `mqtt_client_id`), for TCP connections and UDP sessions alike. A variable
    /// that is absent or empty falls back to `remote_addr`, as APISIX does.
    func hashKey(_ key: String?, variables: [String: String]? = nil) -> String? {
        switch key {
        case "server_addr": return serverAddress?.description
        case "server_port": return String(serverPort)
        case "remote_addr", nil: return remoteAddress?.description
        case let name?:
            if let value = variables?[name], !value.isEmpty { return value }
            return remoteAddress?.description
        }
    }

    package init(remoteAddress: IPAddress?, serverAddress: IPAddress?, serverPort: Int, sni: String? = nil,
                transport: ListenerSpec.Transport = .tcp) {
        self.remoteAddress = remoteAddress
        self.serverAddress = serverAddress
        self.serverPort = serverPort
        self.sni = sni
        self.transport = transport
    }
}
