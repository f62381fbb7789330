/// Matches connections to an upstream (APISIX `stream_routes`). All filters must match; none means all.
public struct StreamRoute: Sendable, Equatable {
    public var id: String
    public var name: String?
    /// Client address filter (APISIX takes one IP or CIDR; Sluice also takes a list).
    public var remoteAddr: [CIDR] = []
    /// Listener address filter.
    public var serverAddr: [CIDR] = []
    public var serverPort: Int?
    /// TLS server name (exact, `*.example.com`, or `*`), lower-cased.
    public var sni: String?
    /// Its own (inline) upstream, kept out of line (`OutOfLine`): most routes name one by `upstream_id`.
    @OutOfLine public var upstream: Upstream? = nil
    public var upstreamID: String?
    public var serviceID: String?
    public var plugins = PluginSet()
    /// Breaks ties between equally specific routes: higher first (Sluice extension).
    public var priority: Int = 0
    /// The document as written.
    public var raw: ConfigValue

    public init(id: String, raw: ConfigValue) {
        self.id = id
        self.raw = raw
    }

    /// Decodes a stream route, reporting every problem under `path`.
    static func decode(_ value: ConfigValue, path: String, problems: Problems) -> StreamRoute? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        let id = r.id("id", required: true)
        var route = StreamRoute(id: id ?? "", raw: value)
        route.name = r.string("name", maxLength: 100)
        route.remoteAddr = decodeCIDRs(&r, "remote_addr")
        route.serverAddr = decodeCIDRs(&r, "server_addr")
        route.serverPort = r.int("server_port", in: 1...65535)
        if let sni = r.string("sni", maxLength: 253) {
            if sni.isEmpty || sni.contains(" ") {
                r.report("sni", "must be a host name, *.domain or *, got \"\(sni)\"")
            } else {
                route.sni = sni.lowercased()
            }
        }
        if let up = r.raw("upstream") {
            route.upstream = Upstream.decode(up, path: r.child("upstream"), inline: true, problems: problems)
        }
        route.upstreamID = r.id("upstream_id")
        route.serviceID = r.id("service_id")
        if let plugins = r.raw("plugins") {
            route.plugins = PluginSet.decode(plugins, path: r.child("plugins"), problems: problems)
            let ownUpstream = route.upstream != nil || route.upstreamID != nil
            if let broker = route.plugins.mqttBrokerUpstream(path: r.child("plugins"), ownUpstream: ownUpstream,
                                                            problems: problems) {
                route.upstream = broker
            }
        }
        route.priority = r.int("priority", in: FieldReader.priorityRange) ?? 0
        if r.raw("protocol") != nil {
            r.report("protocol", "xRPC protocols are not supported; stream routes proxy raw bytes")
        }
        r.accept("desc", "labels", "create_time", "update_time")
        r.rejectUnknownFields()
        return id == nil ? nil : route
    }

    private static func decodeCIDRs(_ r: inout FieldReader, _ key: String) -> [CIDR] {
        guard let items = r.stringOrList(key) else { return [] }
        var out: [CIDR] = []
        for (text, line) in items {
            if let cidr = CIDR(text) {
                out.append(cidr)
            } else {
                r.problems.add(r.child(key), "must be an IP address or CIDR, got \"\(text)\"", line: line)
            }
        }
        return out
    }
}

extension StreamRoute {
    /// Whether an `sni` pattern accepts a server name: exact, `*.example.com` (any depth below example.com), or
    /// `*`. Given a pattern as the name, it tells whether the first pattern accepts every name the second does.
    @inlinable
    public static func sni(_ pattern: String, matches name: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasPrefix("*.") { return name.hasSuffix(pattern.dropFirst()) }
        return pattern == name
    }
}
