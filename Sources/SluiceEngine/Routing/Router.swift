import SluiceConfig

/// Finds the route for a new connection: the first in precedence order (`RoutePrecedence`) that accepts it.
///
/// A router compiled from nothing indexes every route (`RouterIndex`). One compiled from the previous router
/// while few routes differ from that index (at most `maxChanges`) shares it and lays the difference over it:
/// the routes no longer there are skipped, and the routes new to it — the changed ones — are tried in precedence
/// order beside it, each placed where it sorts among the index's routes. A change to one route of ten thousand
/// then costs that route rather than a new index (told which routes changed) or a pass over the routes (left to
/// find them by identity); `compacted()` rebuilds the index, off the path of the change (`RoutingTableSlot`).
package struct Router: Sendable {
    /// How many routes a router may differ from its index by; beyond it the index is built again at once.
    static let maxChanges = 32

    private let index: RouterIndex
    private let retired: RetiredRoutes
    /// The routes not in `index`, in precedence order.
    private let added: [AddedRoute]

    /// A route laid over the index, its precedence, and the index position it sorts before.
    private struct AddedRoute: Sendable {
        let route: CompiledRoute
        let key: RoutePrecedence
        let before: Int32

        init(_ route: CompiledRoute, over index: RouterIndex) {
            self.route = route
            key = RoutePrecedence(route.route)
            before = index.insertionPoint(key)
        }
    }

    /// Indexes `routes` from nothing.
    package init(_ routes: [CompiledRoute]) {
        self.init(index: RouterIndex(routes), retired: .none, added: [])
    }

    private init(index: RouterIndex, retired: RetiredRoutes, added: [AddedRoute]) {
        self.index = index
        self.retired = retired
        self.added = added
    }

    /// `routes` over `previous`'s index when they differ from it by at most `maxChanges` routes (route objects
    /// are compared by identity: `RoutingTable` keeps the unchanged ones), else indexed from nothing.
    init(_ routes: [CompiledRoute], previous: Router?) {
        if let index = previous?.index, let overlay = Self.overlay(routes, over: index) {
            self.init(index: index, retired: overlay.retired, added: overlay.added)
        } else {
            self.init(routes)
        }
    }

    /// `previous`'s routes less `removed` and with `new`, which are `routes`: laid over `previous`'s index as
    /// `previous`'s own changes are, with these, while that makes at most `maxChanges`; else `routes` indexed
    /// from nothing. What a change costs is then that of the routes it changed, not of the routes there are.
    init(_ routes: [CompiledRoute], previous: Router, removing removed: [CompiledRoute], adding new: [CompiledRoute]) {
        let index = previous.index
        var retired = previous.retired
        var added = previous.added
        if !removed.isEmpty {
            let gone = Set(removed.map(ObjectIdentifier.init))
            added.removeAll { gone.contains(ObjectIdentifier($0.route)) }
            for route in removed {
                if let position = index.positions[ObjectIdentifier(route)] { retired.insert(position, of: index) }
            }
        }
        added += new.map { AddedRoute($0, over: index) }
        guard added.count + retired.count <= Self.maxChanges else {
            self.init(routes)
            return
        }
        self.init(index: index, retired: retired, added: added.sorted { $0.key < $1.key })
    }

    /// How `routes` differ from `index` — the index's routes they lack, and the routes it lacks — or nil when by
    /// more than `maxChanges` routes.
    private static func overlay(_ routes: [CompiledRoute], over index: RouterIndex)
        -> (retired: RetiredRoutes, added: [AddedRoute])? {
        guard routes.count <= index.routes.count + maxChanges else { return nil }
        var present = [Bool](repeating: false, count: index.routes.count)
        var new: [CompiledRoute] = []
        for route in routes {
            if let position = index.positions[ObjectIdentifier(route)], !present[Int(position)] {
                present[Int(position)] = true
            } else {
                new.append(route)
                if new.count > maxChanges { return nil }
            }
        }
        let retired = RetiredRoutes(absentIn: present)
        guard new.count + retired.count <= maxChanges else { return nil }
        return (retired, new.map { AddedRoute($0, over: index) }.sorted { $0.key < $1.key })
    }

    /// Every route, in precedence order: the index's that are not retired, with the added ones where they sort
    /// (merged at each call: the change path does not need it).
    package var routes: [CompiledRoute] {
        guard !added.isEmpty || retired.count > 0 else { return index.routes }
        var all: [CompiledRoute] = []
        all.reserveCapacity(index.routes.count - retired.count + added.count)
        var pending = added[...]
        for (position, route) in index.routes.enumerated() {
            while let a = pending.first, Int(a.before) <= position {
                all.append(a.route)
                pending = pending.dropFirst()
            }
            if !retired.contains(Int32(position)) { all.append(route) }
        }
        all.append(contentsOf: pending.map(\.route))
        return all
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
