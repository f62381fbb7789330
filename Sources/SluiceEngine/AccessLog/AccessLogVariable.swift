import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The variables a `log_format` may use, with nginx stream's meanings; absent values render as `-`.
enum AccessLogVariable: String, Sendable, CaseIterable {
    case remoteAddr = "remote_addr"
    case remotePort = "remote_port"
    case serverAddr = "server_addr"
    case serverPort = "server_port"
    case `protocol`
    case status
    case bytesSent = "bytes_sent"
    case bytesReceived = "bytes_received"
    case sessionTime = "session_time"
    case upstreamAddr = "upstream_addr"
    case upstreamBytesSent = "upstream_bytes_sent"
    case upstreamBytesReceived = "upstream_bytes_received"
    case upstreamConnectTime = "upstream_connect_time"
    case timeLocal = "time_local"
    case timeISO8601 = "time_iso8601"
    case msec
    case connection
    case pid
    case hostname
    case routeID = "route_id"
    case closeReason = "close_reason"
    case sslServerName = "ssl_server_name"
    case sslProtocol = "ssl_protocol"
    /// Always `-`: swift-nio-ssl does not report the negotiated cipher.
    case sslCipher = "ssl_cipher"
    case proxyProtocolAddr = "proxy_protocol_addr"
    case proxyProtocolPort = "proxy_protocol_port"
    case proxyProtocolServerAddr = "proxy_protocol_server_addr"
    case proxyProtocolServerPort = "proxy_protocol_server_port"
    case realipRemoteAddr = "realip_remote_addr"
    case realipRemotePort = "realip_remote_port"
    /// The client id of an MQTT CONNECT that mqtt-proxy read (APISIX's `mqtt_client_id`), `-` without one.
    case mqttClientID = "mqtt_client_id"

    /// Looks a name up like nginx does: case-insensitively.
    init?(named name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// `$pid`, computed once.
    static let processID = String(getpid())

    /// `$hostname`: `gethostname()`, computed once.
    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "-" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(truncatingIfNeeded: $0) }
        return bytes.isEmpty ? "-" : String(decoding: bytes, as: UTF8.self)
    }()

    /// Whole milliseconds in `seconds` (rounded, so `0.123` stays 123 despite binary floating point);
    /// NaN counts as 0 and huge values are clamped.
    static func milliseconds(_ seconds: Double) -> Int64 {
        guard !seconds.isNaN else { return 0 }
        let ms = (seconds * 1000).rounded()
        return Int64(min(max(ms, -9e15), 9e15))
    }

    /// Appends milliseconds as nginx's seconds-with-milliseconds, e.g. `0.123` or `1763881563.123`.
    static func appendSeconds(milliseconds ms: Int64, to out: inout String) {
        let whole = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let fraction = Int(ms - whole * 1000)
        out += String(whole)
        out += "."
        AccessLogTime.append(fraction, width: 3, to: &out)
    }
}
