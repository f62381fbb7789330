/// Configurations that are valid but cannot work as written — saved, and shown as warnings: beside the field in
/// the console, as `warning:` lines of `sluice validate` (exit 0), as `warnings` in Admin API write responses.
///
/// - an upstream without nodes (its connections can only fail);
/// - a route whose `server_port`/`server_addr` no listener serves (it never matches);
/// - a route with `sni` where no TLS or passthrough listener serves it (plain TCP has no server name).
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
        for (i, route) in config.streamRoutes.enumerated() {
            let path = FieldPath.index(ResourceKind.streamRoutes.rawValue, i)
            if let listeners { checkListeners(route, path: path, listeners, warn) }
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

    private static func checkListeners(_ route: StreamRoute, path: String, _ listeners: [ListenerSpec],
                                       _ warn: (String, ConfigValue?, String) -> Void) {
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
            return
        }
        if route.sni != nil, !serving.contains(where: { $0.tls || $0.tlsPassthrough }) {
            warn("\(path).sni", route.raw["sni"], "no listener it can match on terminates TLS or passes it through "
                + "(tls / tls_passthrough in config.yaml): plain TCP has no server name, so this route never matches")
        }
    }

    private static func isWildcard(_ host: String) -> Bool { host == "0.0.0.0" || host == "::" || host.isEmpty }
}
