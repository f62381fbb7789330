import Foundation

/// Everything one finished session can tell the access log (one record per TCP connection or UDP session).
public struct AccessLogRecord: Sendable {
    public var connectionID: UInt64
    /// The client.
    public var remoteAddr: String
    public var remotePort: Int
    /// The listener address that accepted it.
    public var serverAddr: String
    public var serverPort: Int
    /// `TCP` or `UDP` (`$protocol`).
    public var transport: String
    /// nginx stream's codes: 200 proxied, 404 no route (Sluice), 502 no upstream reachable, …
    public var status: Int
    /// To the client.
    public var bytesSent: UInt64
    /// From the client.
    public var bytesReceived: UInt64
    public var start: Date
    public var end: Date
    /// The node finally used, nil when none was connected.
    public var upstreamAddr: String?
    /// Every node tried, in order (`$upstream_addr` lists them like nginx: `a, b`).
    public var upstreamAddrsTried: [String]
    public var upstreamBytesSent: UInt64
    public var upstreamBytesReceived: UInt64
    /// Seconds the successful connect took.
    public var upstreamConnectTime: Double?
    public var routeID: String?
    /// `client_closed`, `upstream_closed`, `idle_timeout`, `connect_failed`, `no_route`, `killed`, `shutdown`.
    public var closeReason: String

    public init(connectionID: UInt64, remoteAddr: String, remotePort: Int, serverAddr: String, serverPort: Int,
                transport: String, status: Int, bytesSent: UInt64, bytesReceived: UInt64, start: Date, end: Date,
                upstreamAddr: String?, upstreamAddrsTried: [String], upstreamBytesSent: UInt64,
                upstreamBytesReceived: UInt64, upstreamConnectTime: Double?, routeID: String?, closeReason: String) {
        self.connectionID = connectionID
        self.remoteAddr = remoteAddr
        self.remotePort = remotePort
        self.serverAddr = serverAddr
        self.serverPort = serverPort
        self.transport = transport
        self.status = status
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.start = start
        self.end = end
        self.upstreamAddr = upstreamAddr
        self.upstreamAddrsTried = upstreamAddrsTried
        self.upstreamBytesSent = upstreamBytesSent
        self.upstreamBytesReceived = upstreamBytesReceived
        self.upstreamConnectTime = upstreamConnectTime
        self.routeID = routeID
        self.closeReason = closeReason
    }
}
