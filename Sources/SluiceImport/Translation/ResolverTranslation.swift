import SluiceConfig

/// nginx's `resolver ADDRESS … [valid=TIME] [ipv6=…]` and `resolver_timeout TIME` of `stream {}`, as config.yaml's
/// `dns_resolver`, `dns_resolver_valid` and `resolver_timeout`. Sluice re-resolves node names on their TTL by
/// itself, so it needs no `resolve` per server; it has one resolver for every node, so a server's own is reported.
struct ResolverTranslation {
    private var servers: [String] = []
    private var valid: Double?
    private var timeout: Double?

    /// Reads `resolver` / `resolver_timeout` of the stream level; false for other directives.
    mutating func read(_ d: NginxDirective, notes: ImportNotes) -> Bool {
        switch d.name {
        case "resolver":
            for arg in d.args {
                let (key, value) = UpstreamBlock.split(arg)
                switch key {
                case "valid":
                    if let t = value.flatMap(NginxValue.seconds), t > 0 { valid = t } else {
                        notes.add(d, .notTranslated, "valid= must be a time of more than 0", subject: arg)
                    }
                case "ipv4", "ipv6":
                    notes.add(d, .approximate, "Sluice asks for A and AAAA records and prefers IPv4 answers",
                              subject: arg)
                case "status_zone":
                    notes.add(d, .notNeeded, "Sluice logs every change of a node's address", subject: arg)
                default:
                    if value == nil, let server = Self.server(arg) {
                        servers.append(server)
                    } else {
                        notes.add(d, .notTranslated, "Sluice asks DNS servers by IP address (port optional)",
                                  subject: arg)
                    }
                }
            }
        case "resolver_timeout":
            if d.args.count == 1, let t = NginxValue.seconds(d.args[0]), t > 0 { timeout = t } else {
                notes.add(d, .notTranslated, "expects one time of more than 0 such as 5s")
            }
        default:
            return false
        }
        return true
    }

    /// `10.0.0.2`, `[::1]`, `10.0.0.3:5353`, `[::1]:5353` as Sluice writes them; nil for a name.
    static func server(_ text: String) -> String? {
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        if IPAddress(bare) != nil { return bare }
        if case .success(let hp) = HostPort.parse(text), IPAddress(hp.host) != nil { return hp.description }
        return nil
    }

    /// The config.yaml fields, in the order Sluice documents them.
    var fields: [(String, ConfigValue)] {
        var b = MapBuilder()
        b.set("dns_resolver", servers.isEmpty ? nil : .list(servers.map { .string($0) }))
        b.set("dns_resolver_valid", valid.map { .seconds($0) })
        b.set("resolver_timeout", timeout.map { .seconds($0) })
        return b.entries
    }
}
