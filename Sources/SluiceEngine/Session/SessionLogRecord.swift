import Foundation

/// The one builder of a session's access-log record, for TCP connections, UDP sessions and refusals alike.
/// Called only when something reads the record (the access log, a log plugin). `variables` are the session
/// variables plugins set (mqtt-proxy's client id).
enum SessionLogRecord {
    static func make(id: UInt64, transport: String, facts: ConnectionFacts, status: Int, reason: CloseReason,
                     bytesFromClient: UInt64, bytesToClient: UInt64, start: Date, upstream: UpstreamRuntime?,
                     nodeIndex: Int?, tried: [Int], connectTime: Double?, routeID: String?,
                     variables: [String: String]? = nil) -> AccessLogRecord {
        let nodes = upstream?.upstream.nodes ?? []
        return AccessLogRecord(
            connectionID: id, remoteAddr: facts.clientHost, remotePort: facts.clientPort,
            serverAddr: facts.serverHost, serverPort: facts.serverPort, transport: transport, status: status,
            bytesSent: bytesToClient, bytesReceived: bytesFromClient, start: start, end: Date(),
            upstreamAddr: nodeIndex.map { nodes[$0].address },
            upstreamAddrsTried: tried.map { nodes[$0].address },
            upstreamBytesSent: upstream == nil ? 0 : bytesFromClient,
            upstreamBytesReceived: upstream == nil ? 0 : bytesToClient,
            upstreamConnectTime: connectTime, routeID: routeID, closeReason: reason.rawValue,
            sslServerName: facts.sni, sslProtocol: facts.tlsVersion,
            proxyProtocolSource: facts.proxyProtocolSource, proxyProtocolDestination: facts.proxyProtocolDestination,
            realipRemote: facts.realipRemote,
            mqttClientID: variables?[MQTTProxyPlugin.clientIDVariable])
    }
}
