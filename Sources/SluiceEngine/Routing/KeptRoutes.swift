import SluiceConfig

/// The previous snapshot's compiled routes that a new one may take as they are (`RoutingTable`): the same route
/// document (a route decodes from its document alone) and no plugins (whose state the plugin compiler carries
/// over itself), compiled against the same services and upstreams — the caller's check.
///
/// Walked in step with the new configuration, so a change costs an id comparison per route and no string hashing:
/// a put keeps positions, a create appends, a delete shifts the routes after it by one. Only a route found
/// neither in step nor a few places ahead (routes reordered, many deleted) has the previous routes indexed by id.
/// When the store says which one route changed since the previous snapshot
/// (`ConfigSnapshot.onlyStreamRouteChanged`), the others' documents are not compared either.
struct KeptRoutes {
    /// How far ahead of the step a route is looked for before indexing by id: deletes of neighbouring routes.
    static let lookahead = 4

    /// In the previous configuration's order.
    private let previous: [CompiledRoute]
    /// The one route that may differ from its previous document, when the others are known not to.
    private let onlyChanged: String?
    /// Which of `previous` were kept (same order).
    private var taken: [Bool]
    /// Where in `previous` the route at position `p` of the new configuration is expected: `p + shift`.
    private var shift = 0
    /// The previous routes without plugins by id, made at the first route found out of step.
    private var byID: [String: Int]?

    /// - Parameter onlyChanged: the id of the one route whose document may differ from the previous one; nil when
    ///   any may.
    init(_ previous: [CompiledRoute], onlyChanged: String? = nil) {
        self.previous = previous
        self.onlyChanged = onlyChanged
        taken = [Bool](repeating: false, count: previous.count)
    }

    /// The compiled route to keep for the route at `position` of the new configuration's `routes`, or nil to
    /// compile it. (Read in place: a `StreamRoute` is ~20 reference-counted fields to copy.)
    mutating func route(at position: Int, of routes: UnsafeBufferPointer<StreamRoute>) -> CompiledRoute? {
        let id = routes[position].id
        guard let index = find(id, at: position) else { return nil }
        shift = index - position
        let compiled = previous[index]
        guard compiled.plugins.isEmpty else { return nil }
        if let onlyChanged {
            guard id != onlyChanged else { return nil }
        } else {
            guard compiled.route.raw == routes[position].raw else { return nil }
        }
        taken[index] = true
        return compiled
    }

    /// The previous routes not kept: those changed or deleted, and every route with plugins.
    var dropped: some Sequence<CompiledRoute> {
        previous.indices.lazy.filter { !taken[$0] }.map { previous[$0] }
    }

    /// Where route `id` was among the previous routes, looked for in step first.
    private mutating func find(_ id: String, at position: Int) -> Int? {
        let expected = position + shift
        let end = min(expected + Self.lookahead, previous.count)
        if expected < end, let index = (expected..<end).first(where: { previous[$0].id == id }) {
            return index
        }
        if expected >= previous.count && byID == nil { return nil }  // appended: a create
        let index = byID ?? Dictionary(previous.indices.filter { previous[$0].plugins.isEmpty }
                                           .map { (previous[$0].id, $0) },
                                       uniquingKeysWith: { first, _ in first })
        byID = index
        return index[id]
    }
}
