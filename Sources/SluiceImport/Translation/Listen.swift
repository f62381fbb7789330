import SluiceConfig

/// One nginx `listen` directive as a Sluice listener: address, ports, transport and options.
struct Listen {
    /// The IP address, nil for every IPv4 address (`listen 3390`, `*:3390`).
    var host: String?
    var ports: PortRange
    var udp = false
    var tls = false
    var proxyProtocol = false
    var location: SourceLocation

    /// Reads `listen ADDRESS [udp] [ssl] [proxy_protocol] [reuseport] …`; nil (with a note) when Sluice cannot
    /// listen like that.
    init?(_ d: NginxDirective, notes: ImportNotes) {
        location = d.location
        guard let address = d.args.first else {
            notes.add(d, .notTranslated, "listen needs an address")
            return nil
        }
        if address.hasPrefix("unix:") {
            notes.add(d, .notTranslated, "Sluice listens on TCP/UDP addresses, not unix sockets")
            return nil
        }
        var hostText: String?
        var portText = address
        if let colon = address.lastIndex(of: ":"), !(address.hasPrefix("[") && address.hasSuffix("]")) {
            hostText = String(address[..<colon])
            portText = String(address[address.index(after: colon)...])
        }
        guard let ports = PortRange.parse(portText) else {
            notes.add(d, .notTranslated, "needs a port 1…65535 or a range (\"9100-9110\")")
            return nil
        }
        self.ports = ports
        if var h = hostText, h != "*" {
            if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
            if h == "localhost" {
                h = "127.0.0.1"
                notes.add(d, .approximate, "localhost is taken as 127.0.0.1 (Sluice listens on IP addresses)")
            }
            guard IPAddress(h) != nil else {
                notes.add(d, .notTranslated, "Sluice listens on IP addresses, not host names")
                return nil
            }
            host = h
        }
        for param in d.args.dropFirst() {
            let (key, _) = UpstreamBlock.split(param)
            switch key {
            case "udp": udp = true
            case "ssl": tls = true
            case "proxy_protocol": proxyProtocol = true
            case "reuseport":
                notes.add(d, .notNeeded, "Sluice spreads connections over its event loops itself", subject: param)
            case "default_server", "bind":
                notes.add(d, .notNeeded, "Sluice binds each listener address on its own", subject: param)
            case "ipv6only":
                if param != "ipv6only=on" {
                    notes.add(d, .notTranslated, "Sluice's IPv6 listeners take IPv6 only; list an IPv4 address too",
                              subject: param)
                }
            default:
                notes.add(d, .notTranslated, "Sluice has no such listener option", subject: param)
            }
        }
        if udp && (tls || proxyProtocol) {
            notes.add(d, .notTranslated, "ssl and proxy_protocol are for TCP listeners")
            return nil
        }
    }

    /// The `host:port` (or `host:lower-upper`) text for config.yaml, IPv6 in brackets.
    var addressText: String {
        let p = ports.lower == ports.upper ? "\(ports.lower)" : "\(ports.lower)-\(ports.upper)"
        guard let host else { return p }
        return host.contains(":") ? "[\(host)]:\(p)" : "\(host):\(p)"
    }

    /// The same address and transport (options aside).
    func sameSocket(as other: Listen) -> Bool {
        host == other.host && ports == other.ports && udp == other.udp
    }
}
