/// Why a session ended or was refused, as `$close_reason` shows it — the one vocabulary for TCP connections, UDP
/// sessions, refusals before routing and plugin refusals.
package enum CloseReason: String, Sendable, CaseIterable {
    // Endings of a proxied session.
    case clientClosed = "client_closed"
    case upstreamClosed = "upstream_closed"
    case idleTimeout = "idle_timeout"
    case connectFailed = "connect_failed"
    case upstreamTLSFailed = "upstream_tls_failed"
    /// The node answered a UDP datagram with an ICMP error (port unreachable …).
    case upstreamUnreachable = "upstream_unreachable"
    /// A UDP session got the replies its listener's `proxy_responses` expects.
    case responsesReceived = "responses_received"
    /// An operator closed it (console, HAProxy's `shutdown session`).
    case killed
    /// The gateway stopped (the end of a drain).
    case shutdown
    /// Sluice could not set the session up (an internal failure, logged at error).
    case error

    // Refusals: the client is closed and no byte reaches an upstream.
    case noRoute = "no_route"
    case badProxyHeader = "bad_proxy_header"
    case badClientHello = "bad_client_hello"
    case noCertificate = "no_certificate"
    case handshakeFailed = "handshake_failed"
    case prereadTimeout = "preread_timeout"
    /// The client ended its connection before the preread finished (nothing to route on).
    case prereadAborted = "preread_aborted"
    case ipRestricted = "ip_restricted"
    case limitConn = "limit_conn"
    /// mqtt-proxy: the CONNECT's protocol name or level is not the plugin's.
    case mqttProtocolMismatch = "mqtt_protocol_mismatch"
    /// mqtt-proxy: the first bytes are not an MQTT CONNECT, or its fields contradict its lengths.
    case mqttMalformed = "mqtt_malformed"
    /// mqtt-proxy: the client stopped (ended its input, or sent nothing more until the preread timeout) inside
    /// the CONNECT.
    case mqttTruncated = "mqtt_truncated"
    /// mqtt-proxy: the CONNECT's fields up to the client id do not fit the preread buffer.
    case mqttOversized = "mqtt_oversized"
    /// mqtt-proxy: not one byte of a CONNECT within the preread timeout.
    case mqttTimeout = "mqtt_timeout"
    /// A plugin refused the session for a reason of its own (the plugin's log line names it).
    case pluginRefused = "plugin_refused"

    /// nginx stream's `$status` for a session that ended this way: 200 proxied, 400 bad request, 403 forbidden,
    /// 404 no route (Sluice's), 500 internal error, 502 no upstream reachable, 503 service unavailable (APISIX's
    /// answer to an MQTT CONNECT of another protocol too).
    package var status: Int {
        switch self {
        case .clientClosed, .upstreamClosed, .idleTimeout, .responsesReceived, .killed, .shutdown: 200
        case .connectFailed, .upstreamTLSFailed, .upstreamUnreachable: 502
        case .error: 500
        case .noRoute: 404
        case .badProxyHeader, .badClientHello, .noCertificate, .handshakeFailed, .prereadTimeout, .prereadAborted,
             .mqttMalformed, .mqttTruncated, .mqttOversized, .mqttTimeout: 400
        case .ipRestricted, .pluginRefused: 403
        case .limitConn, .mqttProtocolMismatch: 503
        }
    }

    /// True for the reasons that end a session before any upstream was asked for (counted as the listener's
    /// refusals; `no_route` is counted on its own).
    package var isRefusal: Bool {
        switch self {
        case .noRoute, .badProxyHeader, .badClientHello, .noCertificate, .handshakeFailed, .prereadTimeout,
             .prereadAborted, .ipRestricted, .limitConn, .mqttProtocolMismatch, .mqttMalformed, .mqttTruncated,
             .mqttOversized, .mqttTimeout, .pluginRefused: true
        default: false
        }
    }
}
