import Foundation
import SluiceConfig

/// Everything one finished proxied session can tell the access log (one record per TCP connection or UDP session).
package struct AccessLogRecord: Sendable {
    /// The session's id (`$connection`).
    package var connectionID: UInt64
    /// The client's address (`$remote_addr`).
    package var remoteAddr: String
    /// The client's port (`$remote_port`).
    package var remotePort: Int
    /// The address of our listener that accepted the session (`$server_addr`).
    package var serverAddr: String
    /// The port of our listener that accepted the session (`$server_port`).
    package var serverPort: Int
    /// `TCP` or `UDP` (`$protocol`).
    package var transport: String
    /// nginx stream's codes: 200 proxied, 400, 403, 500, 502 no upstream reachable, 503 (`$status`).
    package var status: Int
    /// Bytes sent to the client (`$bytes_sent`).
    package var bytesSent: UInt64
    /// Bytes received from the client (`$bytes_received`).
    package var bytesReceived: UInt64
    /// When the session was accepted.
    package var start: Date
    /// When the session ended; `$time_local`, `$time_iso8601` and `$msec` show this time.
    package var end: Date
    /// `host:port` of the node finally used, nil when none was connected.
    package var upstreamAddr: String?
    /// Every node tried, in order; `$upstream_addr` joins them with `, ` like nginx.
    package var upstreamAddrsTried: [String]
    /// Bytes sent to the upstream (`$upstream_bytes_sent`).
    package var upstreamBytesSent: UInt64
    /// Bytes received from the upstream (`$upstream_bytes_received`).
    package var upstreamBytesReceived: UInt64
    /// Seconds the successful upstream connect took, nil when no connect happened (`$upstream_connect_time`).
    package var upstreamConnectTime: Double?
    /// The route that matched, nil when none did (`$route_id`).
    package var routeID: String?
    /// Why the session ended: `client_closed`, `upstream_closed`, `idle_timeout`, `connect_failed`, `no_route`,
    /// `killed`, `shutdown`, … (`$close_reason`).
    package var closeReason: String
    /// The server name of the client's TLS handshake or ClientHello (`$ssl_server_name`).
    package var sslServerName: String?
    /// `TLSv1.3` … when Sluice terminated TLS (`$ssl_protocol`).
    package var sslProtocol: String?
    /// A PROXY protocol header's client (`$proxy_protocol_addr`, `$proxy_protocol_port`) and the address that client
    /// connected to (`$proxy_protocol_server_addr`, `$proxy_protocol_server_port`), as nginx's variables say; nil
    /// without a header, or for a header without addresses (`LOCAL`, `UNKNOWN`, AF_UNIX).
    package var proxyProtocolSource: HostPort?
    package var proxyProtocolDestination: HostPort?
    /// The socket's peer — the load balancer that sent the PROXY header — when `$remote_addr` is not it
    /// (`$realip_remote_addr`, `$realip_remote_port`, nginx's name for it); nil: the peer is `$remote_addr`.
    package var realipRemote: HostPort?
    /// The MQTT client id mqtt-proxy read from the CONNECT packet (`$mqtt_client_id`); nil without one.
    package var mqttClientID: String?

    /// Creates a record; counters default to zero and upstream details to "none".
    package init(connectionID: UInt64, remoteAddr: String, remotePort: Int, serverAddr: String, serverPort: Int,
                transport: String = "TCP", status: Int = 200, bytesSent: UInt64 = 0, bytesReceived: UInt64 = 0,
                start: Date, end: Date, upstreamAddr: String? = nil, upstreamAddrsTried: [String] = [],
                upstreamBytesSent: UInt64 = 0, upstreamBytesReceived: UInt64 = 0, upstreamConnectTime: Double? = nil,
                routeID: String? = nil, closeReason: String, sslServerName: String? = nil, sslProtocol: String? = nil,
                proxyProtocolSource: HostPort? = nil, proxyProtocolDestination: HostPort? = nil,
                realipRemote: HostPort? = nil, mqttClientID: String? = nil) {
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
        self.sslServerName = sslServerName
        self.sslProtocol = sslProtocol
        self.proxyProtocolSource = proxyProtocolSource
        self.proxyProtocolDestination = proxyProtocolDestination
        self.realipRemote = realipRemote
        self.mqttClientID = mqttClientID
    }
}
