/// Routes that can never be chosen. The router tries routes in `RoutePrecedence` order and the first that
/// matches wins, so a route is never chosen when a route tried before it matches every connection it matches:
/// the same or a wider transport (a route's service scheme), the same `server_port` or none, `server_addr` and
/// `remote_addr` blocks that contain each of its blocks (or none), and an `sni` pattern that accepts every name
/// its pattern does (or none). Only single routes are compared: a route covered by several together (one per
/// half of its `remote_addr`) is not reported — a warning is given only when it is certain.
package enum RouteShadowing {
    /// One route that is never chosen.
    package struct Shadow {
        /// Positions in `config.streamRoutes`.
        package var route: Int
        package var by: Int
        /// True when the two are equally specific and `by` wins on `priority` or id: raising the priority helps.
        package var byPriority: Bool
    }

    /// Every shadowed route, each with the first route (in the router's order) that shadows it.
    static func find(in config: GatewayConfig) -> [Shadow] {
        let schemes = Dictionary(config.services.map { ($0.id, $0.scheme) }, uniquingKeysWith: { a, _ in a })
        return find(config.streamRoutes, transports: config.streamRoutes.map { route in
            route.serviceID.flatMap { schemes[$0] ?? nil }
        })
    }

    /// - Parameter transports: each route's service scheme (nil: any transport).
    package static func find(_ routes: [StreamRoute], transports: [ServiceScheme?]) -> [Shadow] {
        let order = routes.map(RoutePrecedence.init)
        let sorted = routes.indices.sorted { order[$0] < order[$1] }
        var candidates = Candidates()
        var out: [Shadow] = []
        for b in sorted {
            // Everything already in `candidates` is tried before `b`.
            let shadow = candidates.lookup(routes[b]).filter { a in
                covers(routes[a], transports[a], routes[b], transports[b])
            }.min { order[$0] < order[$1] }
            if let a = shadow {
                out.append(Shadow(route: b, by: a, byPriority: RoutePrecedence.equallySpecific(order[a], order[b])))
            }
            candidates.add(b, routes[b])
        }
        return out.sorted { $0.route < $1.route }
    }

    /// Whether route `a` accepts every connection route `b` accepts.
    static func covers(_ a: StreamRoute, _ aScheme: ServiceScheme?, _ b: StreamRoute, _ bScheme: ServiceScheme?) -> Bool {
        if let aScheme, aScheme != bScheme { return false }
        if let port = a.serverPort, port != b.serverPort { return false }
        guard blocks(a.serverAddr, contain: b.serverAddr), blocks(a.remoteAddr, contain: b.remoteAddr) else { return false }
        guard let pattern = a.sni else { return true }
        guard let other = b.sni else { return false }
        return StreamRoute.sni(pattern, matches: other)
    }

    /// Whether the blocks `outer` (none: every address) hold every address of `inner` (none: every address).
    private static func blocks(_ outer: [CIDR], contain inner: [CIDR]) -> Bool {
        if outer.isEmpty { return true }
        if inner.isEmpty { return false }
        return inner.allSatisfy { b in outer.contains { $0.prefixLength <= b.prefixLength && $0.contains(b.address) } }
    }

    /// The routes seen so far, indexed by what a route that covers another must have: its port (or none), its
    /// `sni` (none, `*`, the same, or a wildcard suffix) and one of its `remote_addr` blocks containing the other's
    /// first block (or none) — so a large route set is not compared pair by pair.
    private struct Candidates {
        private struct Key: Hashable {
            var port: Int?
            var sni: String?
            var remote: CIDR?
        }

        private var routes: [Key: [Int]] = [:]
        /// The prefix lengths of the blocks seen, IPv4 and IPv6 apart: only those are looked up.
        private var lengths: [Bool: Set<Int>] = [:]

        mutating func add(_ index: Int, _ route: StreamRoute) {
            let blocks: [CIDR?] = route.remoteAddr.isEmpty ? [nil] : route.remoteAddr
            for block in Set(blocks) {
                routes[Key(port: route.serverPort, sni: route.sni, remote: block), default: []].append(index)
                if let block { lengths[Self.isV4(block), default: []].insert(block.prefixLength) }
            }
        }

        private static func isV4(_ block: CIDR) -> Bool { if case .v4 = block.address { true } else { false } }

        func lookup(_ route: StreamRoute) -> [Int] {
            let ports: [Int?] = route.serverPort.map { [nil, $0] } ?? [nil]
            var names: [String?] = [nil]
            if let sni = route.sni {
                names += ["*", sni]
                var rest = Substring(sni.hasPrefix("*.") ? sni.dropFirst(2) : Substring(sni))
                while let dot = rest.firstIndex(of: ".") {
                    names.append("*" + rest[dot...])
                    rest = rest[rest.index(after: dot)...]
                }
            }
            var remotes: [CIDR?] = [nil]
            if let first = route.remoteAddr.first {
                remotes += (lengths[Self.isV4(first)] ?? []).filter { $0 <= first.prefixLength }
                    .compactMap { CIDR(address: first.address, prefixLength: $0) }
            }
            var found: [Int] = []
            for port in ports {
                for name in names {
                    for remote in remotes {
                        found += routes[Key(port: port, sni: name, remote: remote)] ?? []
                    }
                }
            }
            return found
        }
    }
}
