import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The variables a `log_format` may use, with nginx stream's meanings; absent values render as `-`.
enum AccessLogVariable: String, Sendable, CaseIterable {
    case remoteAddr = "remote_addr", remotePort = "remote_port", serverAddr = "server_addr", serverPort = "server_port"
    case `protocol`, status
    case bytesSent = "bytes_sent", bytesReceived = "bytes_received", sessionTime = "session_time"
    case upstreamAddr = "upstream_addr", upstreamBytesSent = "upstream_bytes_sent"
    case upstreamBytesReceived = "upstream_bytes_received", upstreamConnectTime = "upstream_connect_time"
    case timeLocal = "time_local", timeISO8601 = "time_iso8601", msec, connection, pid, hostname
    case routeID = "route_id", closeReason = "close_reason"

    static let hostName = ProcessInfo.processInfo.hostName
    static let processID = String(getpid())

    func append(_ r: AccessLogRecord, to out: inout String) {
        switch self {
        case .remoteAddr: out += r.remoteAddr
        case .remotePort: out += String(r.remotePort)
        case .serverAddr: out += r.serverAddr
        case .serverPort: out += String(r.serverPort)
        case .protocol: out += r.transport
        case .status: out += String(r.status)
        case .bytesSent: out += String(r.bytesSent)
        case .bytesReceived: out += String(r.bytesReceived)
        case .sessionTime: Self.appendSeconds(r.end.timeIntervalSince(r.start), to: &out)
        case .upstreamAddr: out += r.upstreamAddrsTried.isEmpty ? "-" : r.upstreamAddrsTried.joined(separator: ", ")
        case .upstreamBytesSent: out += String(r.upstreamBytesSent)
        case .upstreamBytesReceived: out += String(r.upstreamBytesReceived)
        case .upstreamConnectTime:
            if let t = r.upstreamConnectTime { Self.appendSeconds(t, to: &out) } else { out += "-" }
        case .timeLocal: out += LogTime(r.end).local
        case .timeISO8601: out += LogTime(r.end).iso8601
        case .msec: Self.appendSeconds(r.end.timeIntervalSince1970, to: &out)
        case .connection: out += String(r.connectionID)
        case .pid: out += Self.processID
        case .hostname: out += Self.hostName
        case .routeID: out += r.routeID ?? "-"
        case .closeReason: out += r.closeReason
        }
    }

    /// Seconds with millisecond resolution, like nginx: `0.123`.
    static func appendSeconds(_ seconds: Double, to out: inout String) {
        let ms = Int64((max(0, seconds) * 1000).rounded())
        let frac = ms % 1000
        out += String(ms / 1000)
        out += frac < 10 ? ".00" : frac < 100 ? ".0" : "."
        out += String(frac)
    }
}

/// A time in the access log's two text forms, computed with `localtime_r` (no formatter per line).
struct LogTime {
    private var parts = Glibc.tm()
    private let offsetSeconds: Int

    init(_ date: Date) {
        var t = time_t(date.timeIntervalSince1970)
        localtime_r(&t, &parts)
        offsetSeconds = parts.tm_gmtoff
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : String(n) }

    private func offset(colon: Bool) -> String {
        let sign = offsetSeconds < 0 ? "-" : "+"
        let minutes = abs(offsetSeconds) / 60
        return sign + two(Int32(minutes / 60)) + (colon ? ":" : "") + two(Int32(minutes % 60))
    }

    /// `23/Nov/2026:07:06:03 +0000`
    var local: String {
        "\(two(parts.tm_mday))/\(Self.months[Int(parts.tm_mon)])/\(parts.tm_year + 1900):\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) \(offset(colon: false))"
    }

    /// `2026-11-23T07:06:03+00:00`
    var iso8601: String {
        "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))\(offset(colon: true))"
    }
}
