import SluiceConfig

/// What routing may look at for one new connection.
public struct ConnectionFacts: Sendable {
    public var remoteAddress: IPAddress?
    public var serverAddress: IPAddress?
    public var serverPort: Int
    /// The TLS server name, when the listener saw one.
    public var sni: String?
    public var transport: ListenerSpec.Transport
    /// The client as logged and shown: the socket's peer, or what a trusted PROXY header said.
    public var clientHost = "-"
    public var clientPort = 0
    /// The listener address the connection came to (or the PROXY header's destination, when trusted).
    public var serverHost = "-"
    /// The peer that sent a PROXY header, when there was one.
    public var proxyProtocolAddr: String?
    /// `TLSv1.3` … when Sluice terminated TLS.
    public var tlsVersion: String?

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

    public init(remoteAddress: IPAddress?, serverAddress: IPAddress?, serverPort: Int, sni: String? = nil,
                transport: ListenerSpec.Transport = .tcp) {
        self.remoteAddress = remoteAddress
        self.serverAddress = serverAddress
        self.serverPort = serverPort
        self.sni = sni
        self.transport = transport
    }
}
