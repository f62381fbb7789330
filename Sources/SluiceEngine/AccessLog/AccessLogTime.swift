import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock second broken down once with `localtime_r` / `gmtime_r` and formatted by hand
/// (no `DateFormatter` per line, English month names whatever the locale).
struct AccessLogTime: Sendable, Equatable {
    /// Full year, e.g. 2026.
    var year: Int
    /// 1...12.
    var month: Int
    /// 1...31.
    var day: Int
    /// 0...23.
    var hour: Int
    /// 0...59.
    var minute: Int
    /// 0...60 (leap second).
    var second: Int
    /// Seconds east of UTC.
    var utcOffset: Int

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Breaks `epochSeconds` down in `timeZone`, or in the process's local time zone (`TZ`, `/etc/localtime`) when nil.
    init(epochSeconds: Int64, timeZone: TimeZone?) {
        var t = time_t(clamping: epochSeconds)
        var parts = tm()
        var offset = 0
        if let timeZone {
            offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
            t = t.addingReportingOverflow(time_t(offset)).partialValue
            if gmtime_r(&t, &parts) == nil { parts = tm() }
        } else if localtime_r(&t, &parts) != nil {
            offset = Int(parts.tm_gmtoff)
        } else if gmtime_r(&t, &parts) == nil {
            parts = tm()
        }
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
        utcOffset = offset
    }

    /// Appends nginx's `$time_local` form: `23/Nov/2026:07:06:03 +0000`.
    func appendLocal(to out: inout String) {
        Self.append(day, width: 2, to: &out)
        out += "/"
        out += Self.monthNames.indices.contains(month - 1) ? Self.monthNames[month - 1] : "???"
        out += "/"
        Self.append(year, width: 4, to: &out)
        out += ":"
        appendClock(to: &out)
        out += " "
        appendOffset(colon: false, to: &out)
    }

    /// Appends nginx's `$time_iso8601` form: `2026-11-23T07:06:03+00:00`.
    func appendISO8601(to out: inout String) {
        Self.append(year, width: 4, to: &out)
        out += "-"
        Self.append(month, width: 2, to: &out)
        out += "-"
        Self.append(day, width: 2, to: &out)
        out += "T"
        appendClock(to: &out)
        appendOffset(colon: true, to: &out)
    }

    /// `07:06:03`
    private func appendClock(to out: inout String) {
        Self.append(hour, width: 2, to: &out)
        out += ":"
        Self.append(minute, width: 2, to: &out)
        out += ":"
        Self.append(second, width: 2, to: &out)
    }

    /// `+0000` or `+00:00`
    private func appendOffset(colon: Bool, to out: inout String) {
        out += utcOffset < 0 ? "-" : "+"
        let minutes = abs(utcOffset) / 60
        Self.append(minutes / 60, width: 2, to: &out)
        if colon { out += ":" }
        Self.append(minutes % 60, width: 2, to: &out)
    }

    /// Appends `n` in decimal, zero-padded to `width` digits.
    static func append(_ n: Int, width: Int, to out: inout String) {
        let digits = String(n)
        if digits.utf8.count < width {
            out += String(repeating: "0", count: width - digits.utf8.count)
        }
        out += digits
    }
}
