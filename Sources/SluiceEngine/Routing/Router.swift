import SluiceConfig

/// Finds the route for a new connection: the first in precedence order (`RoutePrecedence`) that accepts it.
///
/// A router compiled from nothing indexes every route (`RouterIndex`). One compiled from the previous router
/// while few routes differ from that index (at most `maxChanges`) shares it and lays the difference over it:
/// the routes no longer there are skipped, and the routes new to it — the changed ones — are tried in precedence
/// order beside it, each placed where it sorts among the index's routes. A change to one route of ten thousand
/// then costs a pass over the routes rather than a new index; `compacted()` rebuilds the index, off the path of
/// the change (`RoutingTableSlot`).
package struct Router: Sendable {
    /// How many routes a router may differ from its index by; beyond it the index is built again at once.
    static let maxChanges = 32

    private let index: RouterIndex
    private let retired: RetiredRoutes
    /// The routes not in `index`, in precedence order.
    private let added: [AddedRoute]
    /// Every route, in precedence order.
    package let routes: [CompiledRoute]

    /// A route laid over the index, and the index position it sorts before.
    private struct AddedRoute: Sendable {
        let route: CompiledRoute
        let before: Int32
    }

    /// Indexes `routes` from nothing.
    package init(_ routes: [CompiledRoute]) {
        index = RouterIndex(routes)
        retired = .none
        added = []
        self.routes = index.routes
    }

    /// `routes` over `previous`'s index when they differ from it by at most `maxChanges` routes (route objects
    /// are compared by identity: `RoutingTable` keeps the unchanged ones), else indexed from nothing.
    init(_ routes: [CompiledRoute], previous: Router?) {
        if let index = previous?.index, let overlay = Overlay(routes, over: index, limit: Self.maxChanges) {
            self.init(index: index, overlay: overlay)
        } else {
            self.init(routes)
        }
    }

    private init(index: RouterIndex, overlay: Overlay) {
        self.index = index
        retired = overlay.retired
        added = overlay.added
        routes = overlay.routes
    }

    /// How `routes` differ from an index: the index's routes they lack, the routes it lacks, and all of them in
    /// precedence order.
    private struct Overlay {
        let retired: RetiredRoutes
        let added: [AddedRoute]
        let routes: [CompiledRoute]

        /// Nil when they differ by more than `limit` routes.
        init?(_ routes: [CompiledRoute], over index: RouterIndex, limit: Int) {
            guard routes.count <= index.routes.count + limit else { return nil }
            var present = [Bool](repeating: false, count: index.routes.count)
            var new: [CompiledRoute] = []
            for route in routes {
                if let position = index.positions[ObjectIdentifier(route)], !present[Int(position)] {
                    present[Int(position)] = true
                } else {
                    new.append(route)
                    if new.count > limit { return nil }
                }
            }
            retired = RetiredRoutes(absentIn: present)
            guard new.count + retired.count <= limit else { return nil }
            let keyed = new.map { (key: RoutePrecedence($0.route), route: $0) }.sorted { $0.key < $1.key }
            added = keyed.map { AddedRoute(route: $0.route, before: index.insertionPoint($0.key)) }
            var all: [CompiledRoute] = []
            all.reserveCapacity(routes.count)
            var pending = added[...]
            for (position, route) in index.routes.enumerated() {
                while let a = pending.first, Int(a.before) <= position {
                    all.append(a.route)
                    pending = pending.dropFirst()
                }
                if !retired.contains(Int32(position)) { all.append(route) }
            }
            all.append(contentsOf: pending.map(\.route))
            self.routes = all
        }
    }

    /// True once enough changes lie over the index that rebuilding it is worth doing (off the change's path).
    var wantsCompaction: Bool { !added.isEmpty || retired.count > 0 }

    /// The same routes, indexed from nothing.
    func compacted() -> Router { Router(routes) }

    /// The route for a new connection, or nil (the connection is then closed with `no_route`).
    package func match(_ facts: ConnectionFacts) -> CompiledRoute? {
        let hit = index.first(facts, skipping: retired)
        for a in added where a.route.matches(facts) {
            return a.before <= hit ? a.route : index.routes[Int(hit)]
        }
        return hit == RouteLists.none ? nil : index.routes[Int(hit)]
    }
}
