import Foundation

/// Numbers as operators read them: binary units, rates per second, short ages.
public enum Format {
    /// `0 B`, `1.5 KiB`, `12.0 MiB`.
    public static func bytes(_ n: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }

    /// `0 B/s`, `3.2 MiB/s`.
    public static func rate(_ perSecond: Double) -> String { bytes(UInt64(max(0, perSecond))) + "/s" }

    /// `42s`, `3m05s`, `2h10m`, `3d04h`.
    public static func age(_ seconds: Double) -> String {
        let s = Int(max(0, seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + String(format: "%02d", s % 60) + "s" }
        if s < 86400 { return "\(s / 3600)h" + String(format: "%02d", (s % 3600) / 60) + "m" }
        return "\(s / 86400)d" + String(format: "%02d", (s % 86400) / 3600) + "h"
    }

    /// A short duration: `0.42 ms`, `12.3 ms`, `1.20 s`.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 0.01 { return String(format: "%.2f ms", seconds * 1000) }
        if seconds < 1 { return String(format: "%.1f ms", seconds * 1000) }
        return String(format: "%.2f s", seconds)
    }

    /// A moment as `HH:mm:ss` UTC (the log's clock).
    public static func clock(_ date: Date) -> String {
        let s = Int(date.timeIntervalSince1970) % 86400
        return String(format: "%02d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60)
    }

    /// Thousands separated by commas.
    public static func count<N: BinaryInteger>(_ n: N) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    /// An upstream as operators name it: `echo` for `upstreams/echo`, `route db` for the inline upstream of route db
    /// (`stream_routes/db`), `service s1` for a service's own.
    public static func upstream(_ key: String) -> String {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return key }
        switch parts[0] {
        case "upstreams": return parts[1]
        case "stream_routes": return "route " + parts[1]
        case "services": return "service " + parts[1]
        default: return key
        }
    }
}
