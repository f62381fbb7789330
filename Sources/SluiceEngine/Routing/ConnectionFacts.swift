import SluiceConfig

/// What routing may look at for one new connection.
public struct ConnectionFacts: Sendable {
    public var remoteAddress: IPAddress?
    public var serverAddress: IPAddress?
    public var serverPort: Int
    /// The TLS server name, when the listener saw one.
    public var sni: String?
    public var transport: ListenerSpec.Transport

    public init(remoteAddress: IPAddress?, serverAddress: IPAddress?, serverPort: Int, sni: String? = nil,
                transport: ListenerSpec.Transport = .tcp) {
        self.remoteAddress = remoteAddress
        self.serverAddress = serverAddress
        self.serverPort = serverPort
        self.sni = sni
        self.transport = transport
    }
}
