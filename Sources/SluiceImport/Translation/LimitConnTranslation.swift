import SluiceConfig

/// nginx's `limit_conn_zone KEY zone=NAME:SIZE` and `limit_conn NAME N`, as limit-conn: `conn: N`, no burst (nginx
/// refuses at once), the zone's key as a key of Sluice's (`$binary_remote_addr` ⇒ `remote_addr`).
struct LimitConnTranslation {
    /// A zone's key, already Sluice's: a variable (`key_type: var`) or a combination (`var_combination`).
    struct Zone {
        var key: String
        var combination: Bool
        var location: SourceLocation
    }

    /// One `limit_conn` directive.
    struct Limit {
        var zone: String
        var conn: Int
        var location: SourceLocation
    }

    /// nginx variables that name what Sluice's limit-conn keys name.
    static let keys = ["binary_remote_addr": "remote_addr", "remote_addr": "remote_addr",
                       "remote_port": "remote_port", "server_addr": "server_addr", "server_port": "server_port",
                       "ssl_preread_server_name": "ssl_server_name", "ssl_server_name": "ssl_server_name"]

    /// `limit_conn_zone`: the zone's name and key; nil (noted) when Sluice has no such key.
    static func zone(_ d: NginxDirective, notes: ImportNotes) -> (String, Zone)? {
        guard let name = zoneName(d) else {
            notes.add(d, .notTranslated, "expects a key and zone=NAME:SIZE")
            return nil
        }
        guard let (key, combination) = translateKey(d.args[0]) else {
            notes.add(d, .notTranslated, "Sluice's limit-conn keys are made of $remote_addr ($binary_remote_addr), "
                      + "$remote_port, $server_addr, $server_port and $ssl_preread_server_name; the zone's limits "
                      + "are not translated")
            return nil
        }
        if d.args[0].contains("ssl_preread_server_name") {
            notes.add(d, .approximate, "a connection without a server name is counted under its client address "
                      + "(nginx does not count it)")
        }
        return (name, Zone(key: key, combination: combination, location: d.location))
    }

    /// The NAME of `limit_conn_zone KEY zone=NAME:SIZE`; nil when malformed.
    static func zoneName(_ d: NginxDirective) -> String? {
        guard d.args.count == 2, d.args[1].hasPrefix("zone=") else { return nil }
        return d.args[1].dropFirst(5).split(separator: ":").first.map(String.init)
    }

    /// `$binary_remote_addr` ⇒ (`remote_addr`, false); `$remote_addr:$server_port` ⇒ (`$remote_addr:$server_port`,
    /// true); nil when a variable has no counterpart or there is none.
    static func translateKey(_ text: String) -> (String, Bool)? {
        var out = ""
        var variables: [String] = []
        var literal = false
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            literal = literal || dollar > rest.startIndex
            out += rest[..<dollar]
            var nameStart = rest.index(after: dollar)
            let braced = rest[nameStart...].first == "{"
            if braced { nameStart = rest.index(after: nameStart) }
            let nameEnd = rest[nameStart...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? rest.endIndex
            guard let key = keys[String(rest[nameStart..<nameEnd])] else { return nil }
            out += "$" + key
            variables.append(key)
            rest = rest[nameEnd...]
            if braced {
                guard rest.first == "}" else { return nil }
                rest = rest.dropFirst()
            }
        }
        out += rest
        literal = literal || !rest.isEmpty
        guard let only = variables.first else { return nil }
        return variables.count == 1 && !literal ? (only, false) : (out, true)
    }

    /// `limit_conn NAME N`; nil (noted) when malformed.
    static func limit(_ d: NginxDirective, notes: ImportNotes) -> Limit? {
        guard d.args.count == 2, let n = Int(d.args[1]), n >= 1 else {
            notes.add(d, .notTranslated, "expects a zone name and a number of connections")
            return nil
        }
        return Limit(zone: d.args[0], conn: n, location: d.location)
    }

    /// The limit-conn configuration of a server's `limit_conn`s (Sluice runs one per route: the first is
    /// translated, the others noted); nil when there is none or its zone is unknown or untranslatable.
    static func plugin(_ limits: [Limit], zones: [String: Zone], zoneNames: Set<String>,
                       notes: ImportNotes) -> (config: ConfigValue, limit: Limit)? {
        guard let first = limits.first else { return nil }
        for extra in limits.dropFirst() {
            notes.add(at: extra.location, .notTranslated, "limit_conn \(extra.zone) \(extra.conn)",
                      "Sluice applies one limit-conn per route; only limit_conn \(first.zone) is translated")
        }
        guard let zone = zones[first.zone] else {
            if !zoneNames.contains(first.zone) {
                notes.add(at: first.location, .notTranslated, "limit_conn \(first.zone) \(first.conn)",
                          "no limit_conn_zone of that name")
            }
            return nil
        }
        var b = MapBuilder()
        b.set("conn", .int(first.conn))
        b.set("burst", .int(0))
        b.set("default_conn_delay", .int(1))
        if zone.combination { b.set("key_type", .string("var_combination")) }
        b.set("key", .string(zone.key))
        return (b.value, first)
    }
}
