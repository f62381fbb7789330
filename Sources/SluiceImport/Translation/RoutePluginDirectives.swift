import SluiceConfig

/// The directives of a `stream {}` or `server` level that become plugins of the server's routes: `allow` / `deny`
/// (ip-restriction), `limit_conn_zone` + `limit_conn` (limit-conn), `proxy_upload_rate` / `proxy_download_rate`
/// (limit-bandwidth). As in nginx, a server inherits the stream level's `allow`/`deny` and `limit_conn` lists
/// unless it has its own, and each rate unless it sets it.
struct RoutePluginDirectives {
    private var access = AccessRules()
    private var accessInherited = false
    private var limits: [LimitConnTranslation.Limit] = []
    private var limitsInherited = false
    /// Zones by name; every name written (valid or not), so a limit on an untranslatable zone is not noted twice.
    private var zones: [String: LimitConnTranslation.Zone] = [:]
    private var zoneNames: Set<String> = []
    private var uploadRate: Int?
    private var downloadRate: Int?
    private var rateAt: SourceLocation?

    /// A server block starts: what it sets replaces what it inherited.
    mutating func enterServer() {
        accessInherited = !access.isEmpty
        limitsInherited = !limits.isEmpty
    }

    /// Reads `d` if it is one of these directives; false when it is not.
    mutating func read(_ d: NginxDirective, notes: ImportNotes) -> Bool {
        switch d.name {
        case "allow", "deny":
            if accessInherited {
                access = AccessRules()
                accessInherited = false
            }
            access.read(d, notes: notes)
        case "limit_conn_zone":
            if let name = LimitConnTranslation.zoneName(d) { zoneNames.insert(name) }
            if let (name, zone) = LimitConnTranslation.zone(d, notes: notes) { zones[name] = zone }
        case "limit_conn":
            if limitsInherited {
                limits = []
                limitsInherited = false
            }
            if let limit = LimitConnTranslation.limit(d, notes: notes) { limits.append(limit) }
        case "limit_conn_status":
            if d.args != ["503"] {
                notes.add(d, .approximate, "Sluice logs a connection beyond limit-conn with status 503")
            }
        case "limit_conn_log_level":
            notes.add(d, .notNeeded, "Sluice logs refusals at info level")
        case "limit_conn_dry_run":
            if d.args != ["off"] {
                notes.add(d, .notTranslated, "Sluice's limit-conn has no dry-run mode; limits are not written")
                limits = []
            }
        case "proxy_upload_rate", "proxy_download_rate":
            guard d.args.count == 1, let rate = NginxValue.bytes(d.args[0]), rate <= LimitBandwidthConfig.maxRate
            else {
                notes.add(d, .notTranslated, "expects a rate in bytes per second such as 512, 16k or 1m")
                break
            }
            if d.name == "proxy_upload_rate" { uploadRate = rate } else { downloadRate = rate }
            rateAt = d.location
        default:
            return false
        }
        return true
    }

    /// What the server's routes carry, by plugin name, plus the limit-conn zone used (the assembler notes a zone
    /// shared by several routes); `udp` when a listener of the server is UDP.
    func plugins(udp: Bool, notes: ImportNotes) -> (plugins: [(String, ConfigValue)], zone: LimitConnTranslation.Limit?) {
        var b = MapBuilder()
        b.set("ip-restriction", access.plugin(notes: notes))
        let limitConn = LimitConnTranslation.plugin(limits, zones: zones, zoneNames: zoneNames, notes: notes)
        b.set("limit-conn", limitConn?.config)
        if (uploadRate ?? 0) > 0 || (downloadRate ?? 0) > 0 {
            var rates = MapBuilder()
            rates.set("upload_rate", uploadRate.flatMap { $0 > 0 ? .int($0) : nil })
            rates.set("download_rate", downloadRate.flatMap { $0 > 0 ? .int($0) : nil })
            b.set("limit-bandwidth", rates.value)
            if let rateAt {
                notes.add(at: rateAt, .approximate, "proxy_upload_rate/proxy_download_rate",
                          "Sluice paces from the first byte (nginx lets the first second's worth through at once)"
                          + (udp ? "; on UDP, datagrams beyond the rate are dropped" : ""))
            }
        }
        return (b.entries, limitConn?.limit)
    }
}
