import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// `KeptRoutes`: which previous compiled routes a new configuration keeps, whatever moved where.
struct KeptRoutesTests {
    /// Compiled routes `r0`…, each with a document of its own.
    static func compiled(_ count: Int) -> [CompiledRoute] {
        (0..<count).map { CompiledRoute(route: route("r\($0)"), upstream: nil, transport: nil) }
    }

    static func route(_ id: String, port: Int = 1) -> StreamRoute {
        var r = StreamRoute(id: id, raw: .map([("id", .string(id)), ("server_port", .int(port))]))
        r.serverPort = port
        return r
    }

    /// What `KeptRoutes` keeps of `previous` for `routes`, by position (nil: compile it), and the ids it drops.
    static func keep(_ previous: [CompiledRoute], _ routes: [StreamRoute], onlyChanged: String? = nil)
        -> (kept: [CompiledRoute?], dropped: [String]) {
        var kept = KeptRoutes(previous, onlyChanged: onlyChanged)
        let found = routes.withUnsafeBufferPointer { buffer in buffer.indices.map { kept.route(at: $0, of: buffer) } }
        return (found, kept.dropped.map(\.id))
    }

    @Test func aPutKeepsEveryOtherRoute() {
        let previous = Self.compiled(50)
        var routes = previous.map(\.route)
        routes[20] = Self.route("r20", port: 2)
        let (kept, dropped) = Self.keep(previous, routes)
        #expect(kept[20] == nil)
        #expect(kept.indices.filter { $0 != 20 }.allSatisfy { kept[$0] === previous[$0] })
        #expect(dropped == ["r20"])
    }

    @Test func deletesAndCreatesKeepTheRest() {
        let previous = Self.compiled(50)
        var routes = previous.map(\.route)
        routes.removeSubrange(30...32)   // three neighbours: within the look-ahead
        routes.remove(at: 10)
        routes.append(Self.route("new"))
        let (kept, dropped) = Self.keep(previous, routes)
        #expect(kept.last! == nil)
        #expect(zip(kept.dropLast(), routes.dropLast()).allSatisfy { $0.0?.route == $0.1 })
        #expect(dropped == ["r10", "r30", "r31", "r32"])
    }

    @Test func reorderedRoutesAreFoundByID() {
        let previous = Self.compiled(40)
        var routes = previous.map(\.route)
        routes.reverse()
        let (kept, dropped) = Self.keep(previous, routes)
        #expect(zip(kept, routes).allSatisfy { $0.0?.route == $0.1 })
        #expect(dropped.isEmpty)
    }

    @Test func theStoresNamedRouteIsTheOnlyOneCompared() {
        let previous = Self.compiled(10)
        var routes = previous.map(\.route)
        routes[3] = Self.route("r3", port: 2)
        // Named: r3 compiles again, the others are taken as they are without comparing their documents.
        #expect(Self.keep(previous, routes, onlyChanged: "r3").kept.filter { $0 == nil }.count == 1)
        // Named but unchanged, it still compiles again (the store saw a put).
        #expect(Self.keep(previous, previous.map(\.route), onlyChanged: "r5").kept[5] == nil)
    }

    @Test func routesWithPluginsAreNeverKept() {
        let route = Self.route("p")
        let chain = PluginChain([IPRestrictionPlugin(config: IPRestrictionConfig(mode: .whitelist, addresses: [],
                                                                                 message: "no"))])
        let previous = [CompiledRoute(route: route, upstream: nil, transport: nil, plugins: chain)]
        let (kept, dropped) = Self.keep(previous, [route])
        #expect(kept.count == 1 && kept[0] == nil)
        #expect(dropped == ["p"])
    }
}
