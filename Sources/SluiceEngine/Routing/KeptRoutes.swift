import SluiceConfig

/// The previous snapshot's compiled routes that a new one may take as they are (`RoutingTable`): the same route
/// document (a route decodes from its document alone) and no plugins (whose state the plugin compiler carries
/// over itself), compiled against the same services and upstreams — the caller's check.
struct KeptRoutes {
    /// In the previous configuration's order.
    private let previous: [CompiledRoute]
    /// The routes without plugins by id, made at the first route that moved.
    private var byID: [String: CompiledRoute]?

    init(_ previous: [CompiledRoute]) { self.previous = previous }

    /// The compiled route to keep for `route`, at `position` in the new configuration, or nil to compile it:
    /// looked for at the same position first (a put keeps positions, a create appends), else by id once a route
    /// moved (a delete shifts them).
    mutating func route(_ route: StreamRoute, at position: Int) -> CompiledRoute? {
        guard !previous.isEmpty else { return nil }
        if position < previous.count, Self.same(previous[position], route) { return previous[position] }
        if position >= previous.count && byID == nil { return nil }
        let index = byID ?? Dictionary(previous.filter(\.plugins.isEmpty).map { ($0.route.id, $0) },
                                       uniquingKeysWith: { first, _ in first })
        byID = index
        return index[route.id].flatMap { Self.same($0, route) ? $0 : nil }
    }

    private static func same(_ compiled: CompiledRoute, _ route: StreamRoute) -> Bool {
        compiled.plugins.isEmpty && compiled.route.id == route.id && compiled.route.raw == route.raw
    }
}
