import Foundation
import SluiceConfig

/// Turns translated server blocks into Sluice objects: listeners for config.yaml; stream routes, services,
/// upstreams and certificates for gateway.yaml, with readable ids, in input order.
struct GatewayAssembler {
    /// A listener of config.yaml and the options its server gave it.
    private struct ListenerDraft {
        var listen: Listen
        var passthrough: Bool
        var responses: Int?
        /// The server's own access log.
        var accessLog: AccessLogTranslation.Log?
    }

    /// A certificate for `ssls`.
    private struct SSLDraft {
        var id: String
        var snis: [String]
        var cert: String
        var key: String
        var protocols: [String]?
        var clientCA: String?
    }

    /// Most ports of one `listen` range that get routes of their own.
    static let maxRangePorts = 100

    private let upstreams: [UpstreamBlock]
    private let notes: ImportNotes
    private var routes: [RouteDraft] = []
    private var listeners: [ListenerDraft] = []
    private var ssls: [SSLDraft] = []
    private var servers = 0

    init(upstreams: [UpstreamBlock], notes: ImportNotes) {
        self.upstreams = upstreams
        self.notes = notes
    }

    /// Stream routes that came out.
    var routeCount: Int { routes.count }

    /// Adds a server block's listeners and routes (nothing when it has no usable listen or proxy_pass).
    mutating func add(_ server: ServerBlock) {
        servers += 1
        guard let destination = server.destination else { return }
        let targets: [(sni: String?, target: ProxyTarget)]
        switch destination {
        case .target(let t): targets = [(nil, t)]
        case .sniMap(let map): targets = map.entries.map { ($0.sni, $0.target) } + (map.fallback.map { [(nil, $0)] } ?? [])
        }
        for listen in server.listens {
            guard accept(listen, of: server) else { continue }
            let count = listen.ports.upper - listen.ports.lower + 1
            guard count <= Self.maxRangePorts else {
                notes.add(at: listen.location, .notTranslated, "listen \(listen.addressText)",
                       "ranges of more than \(Self.maxRangePorts) ports need routes per port; list fewer")
                continue
            }
            listeners.append(ListenerDraft(listen: listen, passthrough: server.settings.sslPreread && !listen.tls,
                                           responses: listen.udp ? server.settings.responses : nil,
                                           accessLog: server.accessLog))
            let wildcard = listen.host == nil || listen.host == "::" || listen.host == "0.0.0.0"
            for port in listen.ports.lower...listen.ports.upper {
                for (sni, target) in targets {
                    var draft = RouteDraft(server: servers, port: port, serverAddr: wildcard ? nil : listen.host,
                                           sni: sni, target: target, options: server.settings.options,
                                           location: listen.location, plugins: server.plugins,
                                           limitConn: server.limitConn)
                    if let i = routes.firstIndex(where: { $0.sameMatch(as: draft) }) { draft = routes.remove(at: i) }
                    if listen.udp { draft.udp = true } else { draft.tcp = true }
                    routes.append(draft)
                }
            }
        }
    }

    /// Checks a listen against the listeners so far and, for `ssl`, makes its certificate; false to skip it.
    private mutating func accept(_ listen: Listen, of server: ServerBlock) -> Bool {
        if listeners.contains(where: { $0.listen.sameSocket(as: listen) }) {
            notes.add(at: listen.location, .notTranslated, "listen \(listen.addressText)", "a duplicate listen")
            return false
        }
        guard listen.tls else { return true }
        let s = server.settings
        guard let cert = s.certificate, let key = s.certificateKey else {
            notes.add(at: listen.location, .notTranslated, "listen \(listen.addressText) ssl",
                   "needs ssl_certificate and ssl_certificate_key")
            return false
        }
        if ssls.contains(where: { $0.cert == cert }) { return true }
        let names = server.serverNames.isEmpty ? CertificateFiles.dnsNames(pem: cert) : server.serverNames
        guard !names.isEmpty else {
            notes.add(at: s.certificateAt ?? listen.location, .notTranslated, "ssl_certificate",
                   "Sluice chooses certificates by the client's server name (SNI), and this one has no DNS names")
            return false
        }
        notes.add(at: s.certificateAt ?? listen.location, .approximate, "ssl_certificate",
               "chosen by the client's server name (\(names.joined(separator: ", "))); clients that send no "
               + "name or another one are refused")
        if s.verifyClient && s.clientCA == nil {
            notes.add(at: s.verifyClientAt ?? listen.location, .notTranslated, "ssl_verify_client",
                      "needs ssl_client_certificate; clients are not asked for a certificate")
        }
        ssls.append(SSLDraft(id: "listen-\(listen.ports.lower)", snis: names, cert: cert, key: key,
                             protocols: s.protocols, clientCA: s.verifyClient ? s.clientCA : nil))
        return true
    }

    // MARK: - documents

    /// `stream_proxy.tcp` and `.udp` entries. A specific address whose port is also listened on every address is
    /// left to the wildcard listener (its routes keep `server_addr`), as nginx does; call once (it notes that).
    func listenerSections() -> (tcp: [ConfigValue], udp: [ConfigValue]) {
        var tcp: [ConfigValue] = []
        var udp: [ConfigValue] = []
        for draft in listeners {
            let l = draft.listen
            if let host = l.host, !Self.isWildcard(host), let wildcard = listeners.first(where: {
                $0.listen.udp == l.udp && Self.isWildcard($0.listen.host) && Self.sameFamily($0.listen.host, host)
                    && $0.listen.ports.lower <= l.ports.upper && l.ports.lower <= $0.listen.ports.upper
            }) {
                notes.add(at: l.location, .approximate, "listen \(l.addressText)",
                       "served by the listener on every address of this port; the route matches this address"
                       + (draft.accessLog == wildcard.accessLog ? "" : ", and its sessions are logged where that "
                          + "listener's are (Sluice chooses the access log by listener)"))
                continue
            }
            let addr: ConfigValue = l.host == nil && l.ports.lower == l.ports.upper ? .int(l.ports.lower)
                : .string(l.addressText)
            var options = MapBuilder()
            options.set("tls", l.tls ? .bool(true) : nil)
            options.set("tls_passthrough", draft.passthrough ? .bool(true) : nil)
            options.set("proxy_protocol", l.proxyProtocol ? .bool(true) : nil)
            options.set("proxy_responses", draft.responses.map { .int($0) })
            options.set("access_log", draft.accessLog?.listenerValue)
            let entry: ConfigValue = options.entries.isEmpty ? addr : .map([("addr", addr)] + options.entries)
            if l.udp { udp.append(entry) } else { tcp.append(entry) }
        }
        return (tcp, udp)
    }

    private static func isWildcard(_ host: String?) -> Bool { host == nil || host == "::" || host == "0.0.0.0" }

    private static func sameFamily(_ a: String?, _ b: String) -> Bool { (a ?? "0.0.0.0").contains(":") == b.contains(":") }

    /// The whole gateway.yaml document; call once (it notes the upstreams it copies).
    func gatewayDocument() -> ConfigValue {
        let restrictedPorts = Set(routes.filter { r in
            routes.contains { $0.port == r.port && $0.server != r.server && ($0.udp != r.udp || $0.tcp != r.tcp) }
        }.map(\.port))
        var routeIDs = IDAllocator()
        var variants = UpstreamVariants(upstreams, notes: notes)
        var routeDocs: [ConfigValue] = []
        var serviceDocs: [ConfigValue] = []
        for r in routes {
            let restricted = restrictedPorts.contains(r.port)
            let id = routeIDs.take(preferredID(r, restricted: restricted))
            let fields = ConfigValue.map(r.options.upstreamFields(tcp: r.tcp, udp: r.udp))
            let upstreamRef: (String, ConfigValue)
            switch r.target {
            case .address(let hp):
                let nodes = ConfigValue(.map([ConfigEntry(key: hp.description, value: .int(1))]))
                upstreamRef = ("upstream", ConfigValue(.map((fields.entries ?? []) + [ConfigEntry(key: "nodes", value: nodes)])))
            case .upstream(let name):
                let (uid, isCopy) = variants.id(of: name, fields: fields, routeID: id)
                if isCopy {
                    notes.add(at: r.location, .approximate, "proxy_pass \(name)",
                              "copied as upstream \(uid): this server's proxy settings differ from another's "
                              + "(the copies balance separately)")
                }
                upstreamRef = ("upstream_id", .string(uid))
            }
            var route = MapBuilder()
            route.set("id", .string(id))
            route.set("server_port", .int(r.port))
            route.set("server_addr", r.serverAddr.map { .string($0) })
            route.set("sni", r.sni.map { .string($0) })
            if restricted {
                serviceDocs.append(.map([("id", .string(id)), ("scheme", .string(r.udp ? "udp" : "tcp")), upstreamRef]))
                route.set("service_id", .string(id))
            } else {
                route.set(upstreamRef.0, upstreamRef.1)
            }
            if !r.plugins.isEmpty { route.set("plugins", .map(r.plugins)) }
            routeDocs.append(route.value)
        }
        noteSharedZones()
        var upstreamDocs: [ConfigValue] = []
        var written: Set<String> = []
        for block in upstreams where written.insert(block.name).inserted {
            for v in variants.objects(of: block) { upstreamDocs.append(upstreamDocument(block, id: v.id, fields: v.fields)) }
        }
        var doc = MapBuilder()
        doc.set("stream_routes", routeDocs.isEmpty ? nil : .list(routeDocs))
        doc.set("services", serviceDocs.isEmpty ? nil : .list(serviceDocs))
        doc.set("upstreams", upstreamDocs.isEmpty ? nil : .list(upstreamDocs))
        doc.set("ssls", ssls.isEmpty ? nil : .list(ssls.map(sslDocument)))
        return doc.value
    }

    /// nginx counts a zone across every server using it; Sluice's limit-conn counts per route.
    private func noteSharedZones() {
        var seen: Set<String> = []
        for r in routes {
            guard let limit = r.limitConn, seen.insert(limit.zone).inserted else { continue }
            let count = routes.filter { $0.limitConn?.zone == limit.zone }.count
            if count > 1 {
                notes.add(at: limit.location, .approximate, "limit_conn \(limit.zone) \(limit.conn)",
                          "counted per route in Sluice (\(count) routes use this zone); nginx counts the zone's "
                          + "connections of all of them together")
            }
        }
    }

    /// `listen[-ADDR]-PORT[-udp][-SNI]`: the address when another route of the port has another one, `-udp` when
    /// the port's routes are split by transport, the server name for SNI routes (`*.x` as `any.x`).
    private func preferredID(_ r: RouteDraft, restricted: Bool) -> String {
        var name = "listen"
        if let a = r.serverAddr, routes.contains(where: { $0.port == r.port && $0.serverAddr != r.serverAddr }) {
            name += "-" + a.replacingOccurrences(of: ":", with: ".")
        }
        name += "-\(r.port)"
        if restricted && r.udp && !r.tcp { name += "-udp" }
        if let sni = r.sni { name += "-" + (sni.hasPrefix("*.") ? "any" + sni.dropFirst() : sni) }
        return name
    }

    private func upstreamDocument(_ block: UpstreamBlock, id: String, fields: ConfigValue) -> ConfigValue {
        var b = MapBuilder()
        b.set("id", .string(id))
        b.set("type", .string(block.type))
        b.set("key", block.key.map { .string($0) })
        for entry in fields.entries ?? [] { b.set(entry.key, entry.value) }
        b.set("nodes", block.nodesValue)
        return b.value
    }

    private func sslDocument(_ s: SSLDraft) -> ConfigValue {
        var b = MapBuilder()
        b.set("id", .string(s.id))
        b.set("snis", .list(s.snis.map { .string($0) }))
        b.set("cert", .string(s.cert))
        b.set("key", .string(s.key))
        b.set("client", s.clientCA.map { .map([("ca", .string($0))]) })
        b.set("ssl_protocols", s.protocols.map { .list($0.map { .string($0) }) })
        return b.value
    }
}
