/// Configurations that are valid but cannot work as written — saved, and shown as warnings: beside the field in
/// the console, as `warning:` lines of `sluice validate` (exit 0), as `warnings` in Admin API write responses.
///
/// - an upstream without nodes (its connections can only fail);
/// - a route whose `server_port`/`server_addr` no listener serves (it never matches);
/// - a route with `sni` where no TLS or passthrough listener serves it (plain TCP has no server name);
/// - a route shadowed by one the router tries first that matches every connection it does (`RouteShadowing`).
public enum ConfigWarnings {
    /// Every warning, in document order, with paths like the validator's (`stream_routes[2].server_port`) and the
    /// line of the field when the configuration came from a file.
    /// - Parameters:
    ///   - listeners: the listeners in force; nil when unknown (the listener checks are skipped then).
    ///   - file: the data file's name for the warnings' `file:line`, or nil.
    public static func find(in config: GatewayConfig, listeners: [ListenerSpec]?, file: String? = nil) -> [ConfigError] {
        var out: [ConfigError] = []
        func warn(_ path: String, _ value: ConfigValue?, _ message: String) {
            out.append(ConfigError(file: value?.line == nil ? nil : file, line: value?.line, path: path, message: message))
        }
        let shadows = Dictionary(RouteShadowing.find(in: config).map { ($0.route, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, route) in config.streamRoutes.enumerated() {
            let path = FieldPath.index(ResourceKind.streamRoutes.rawValue, i)
            let served = listeners.map { checkListeners(route, path: path, $0, warn) } ?? true
            if served, let shadow = shadows[i] { warnShadowed(shadow, config, path: path, warn) }
            if let up = route.upstream, up.nodes.isEmpty {
                warn("\(path).upstream.nodes", route.raw["upstream"]?["nodes"], noNodes)
            }
        }
        for (i, service) in config.services.enumerated() {
            if let up = service.upstream, up.nodes.isEmpty {
                warn("\(FieldPath.index(ResourceKind.services.rawValue, i)).upstream.nodes", service.raw["upstream"]?["nodes"],
                     noNodes)
            }
        }
        for (i, up) in config.upstreams.enumerated() where up.nodes.isEmpty {
            warn("\(FieldPath.index(ResourceKind.upstreams.rawValue, i)).nodes", up.raw["nodes"], noNodes)
        }
        return out
    }

    /// The warnings of one object, paths relative to it (`server_port`), as the form and the Admin API show them.
    public static func of(_ kind: ResourceKind, _ id: String, in config: GatewayConfig,
                          listeners: [ListenerSpec]?) -> [ConfigError] {
        guard let index = config.documents(kind).firstIndex(where: { $0.id == id }) else { return [] }
        let prefix = FieldPath.index(kind.rawValue, index)
        return find(in: config, listeners: listeners).compactMap { warning in
            guard warning.path.hasPrefix(prefix + ".") else { return nil }
            var relative = warning
            relative.path = String(warning.path.dropFirst(prefix.count + 1))
            return relative
        }
    }

    static let noNodes = "no nodes: every connection routed here will fail"

    /// Beside the field that would have to change: `priority` when the other route wins only on priority or id,
    /// else the first filter the route sets.
    private static func warnShadowed(_ shadow: RouteShadowing.Shadow, _ config: GatewayConfig, path: String,
                                     _ warn: (String, ConfigValue?, String) -> Void) {
        let route = config.streamRoutes[shadow.route]
        let other = config.streamRoutes[shadow.by]
        let name = "route \(other.id) (\(FieldPath.index(ResourceKind.streamRoutes.rawValue, shadow.by)))"
        if shadow.byPriority {
            let why = other.priority > route.priority ? "its priority \(other.priority) is higher"
                : "same priority, its id sorts first"
            warn("\(path).priority", route.raw["priority"] ?? route.raw,
                 "never chosen: \(name) matches every connection this route does and is tried first (\(why)); "
                    + "a priority above \(other.priority) makes this route win")
            return
        }
        let field = ["server_port", "sni", "server_addr", "remote_addr"].first { route.raw[$0] != nil } ?? "priority"
        warn("\(path).\(field)", route.raw[field] ?? route.raw,
             "never chosen: \(name) matches every connection this route does and is more specific in the router's order")
    }

    /// - Returns: false when no listener serves the route (warned: it never matches).
    @discardableResult
    private static func checkListeners(_ route: StreamRoute, path: String, _ listeners: [ListenerSpec],
                                       _ warn: (String, ConfigValue?, String) -> Void) -> Bool {
        let serving = listeners.filter { l in
            (route.serverPort == nil || l.port == route.serverPort)
                && (route.serverAddr.isEmpty || isWildcard(l.host)
                    || IPAddress(l.host).map { ip in route.serverAddr.contains { $0.contains(ip) } } == true)
        }
        let known = listeners.isEmpty ? "none configured" : listeners.map(\.description).joined(separator: ", ")
        if serving.isEmpty {
            if route.serverPort != nil {
                warn("\(path).server_port", route.raw["server_port"],
                     "no listener serves port \(route.serverPort ?? 0)\(route.serverAddr.isEmpty ? "" : " at server_addr") "
                        + "(listeners: \(known)): this route never matches")
            } else {
                warn("\(path).\(route.serverAddr.isEmpty ? "id" : "server_addr")", route.raw["server_addr"],
                     "no listener serves it (listeners: \(known)): this route never matches")
            }
            return false
        }
        if route.sni != nil, !serving.contains(where: { $0.tls || $0.tlsPassthrough }) {
            warn("\(path).sni", route.raw["sni"], "no listener it can match on terminates TLS or passes it through "
                + "(tls / tls_passthrough in config.yaml): plain TCP has no server name, so this route never matches")
        }
        return true
    }

    private static func isWildcard(_ host: String) -> Bool { host == "0.0.0.0" || host == "::" || host.isEmpty }
}
