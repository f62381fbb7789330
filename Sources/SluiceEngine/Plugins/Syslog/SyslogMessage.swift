import Foundation
import SluiceConfig

/// One syslog message around a JSON entry: facility `syslog` (5), severity `info` (6) — APISIX's `<46>` — from
/// this host, application `sluice`, this process.
///
/// - RFC 5424 (APISIX's): `<46>1 2026-12-01T11:47:20.123Z host sluice 4242 - - {json}`
/// - RFC 3164 (BSD): `<46>Dec  1 11:47:20 host sluice[4242]: {json}` (local time, as BSD syslog has it)
///
/// The JSON holds no raw newline, so over TCP each message ends with one (RFC 6587 non-transparent framing, what
/// APISIX sends and rsyslog / syslog-ng accept by default); over UDP each message is one datagram, without it
/// (RFC 5426).
enum SyslogMessage {
    /// `<46>`: facility syslog (5) × 8 + severity info (6).
    static let priority = 5 * 8 + 6
    static let appName = "sluice"

    static func render(_ json: String, format: SyslogConfig.Format, at date: Date, hostName: String = hostName,
                       processID: String = AccessLogVariable.processID, timeZone: TimeZone? = nil) -> String {
        var out = "<\(priority)>"
        let ms = AccessLogVariable.milliseconds(date.timeIntervalSince1970)
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        switch format {
        case .rfc5424:
            let t = AccessLogTime(epochSeconds: seconds, timeZone: utc)
            out += "1 "
            AccessLogTime.append(t.year, width: 4, to: &out)
            out += "-"
            AccessLogTime.append(t.month, width: 2, to: &out)
            out += "-"
            AccessLogTime.append(t.day, width: 2, to: &out)
            out += "T"
            appendClock(t, to: &out)
            out += "."
            AccessLogTime.append(Int(ms - seconds * 1000), width: 3, to: &out)
            out += "Z \(hostName) \(appName) \(processID) - - "
        case .rfc3164:
            let t = AccessLogTime(epochSeconds: seconds, timeZone: timeZone)
            let months = AccessLogTime.monthNames
            out += months.indices.contains(t.month - 1) ? months[t.month - 1] : "Jan"
            out += t.day < 10 ? "  \(t.day) " : " \(t.day) "
            appendClock(t, to: &out)
            out += " \(hostName) \(appName)[\(processID)]: "
        }
        out += json
        return out
    }

    private static let utc = TimeZone(identifier: "UTC")

    /// RFC 5424's HOSTNAME: printable US-ASCII without spaces, at most 255 characters; `-` when there is none.
    static let hostName: String = {
        let name = AccessLogVariable.hostName.unicodeScalars.filter { $0.value > 32 && $0.value < 127 }
        return name.isEmpty ? "-" : String(String.UnicodeScalarView(name.prefix(255)))
    }()

    /// `11:47:20`
    private static func appendClock(_ t: AccessLogTime, to out: inout String) {
        AccessLogTime.append(t.hour, width: 2, to: &out)
        out += ":"
        AccessLogTime.append(t.minute, width: 2, to: &out)
        out += ":"
        AccessLogTime.append(t.second, width: 2, to: &out)
    }
}
