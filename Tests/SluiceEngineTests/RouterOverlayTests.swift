import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// A router laid over its predecessor's index (`Router(_:previous:)`) against the linear matcher and against a
/// router indexed from nothing: the same route for every connection, the same routes in the same order.
struct RouterOverlayTests {
    typealias LinearRouter = RouterIndexTests.LinearRouter

    @Test func changesLaidOverAnIndexMatchLikeTheLinearScan() {
        var random = SplitMix64(seed: 0x0e7a_1a7)
        var overlaid = 0
        for _ in 0..<300 {
            var routes = (0..<Int.random(in: 1...60, using: &random)).map { Gen.route(id: $0, using: &random) }
            var router = Router(routes)
            var next = routes.count
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                // A few puts (new objects for old ids), creates and deletes, as one snapshot after another.
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let i = Int.random(in: 0..<max(routes.count, 1), using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0 where !routes.isEmpty:
                        let number = Int(routes[i].route.id.filter(\.isNumber)) ?? i
                        routes[i] = Gen.route(id: number, using: &random)
                    case 1 where !routes.isEmpty:
                        routes.remove(at: i)
                    default:
                        routes.append(Gen.route(id: next, using: &random))
                        next += 1
                    }
                }
                routes = Self.uniqueIDs(routes)
                router = Router(routes, previous: router)
                if router.wantsCompaction { overlaid += 1 }
                guard Self.matchesLikeTheLinearScan(router, routes, using: &random) else { return }
                if Int.random(in: 0..<4, using: &random) == 0 { router = router.compacted() }
            }
        }
        #expect(overlaid > 1000)
    }

    @Test func tooManyChangesIndexAgain() {
        var random = SplitMix64(seed: 9)
        let routes = (0..<100).map { Gen.route(id: $0, using: &random) }
        let fresh = (100..<200).map { Gen.route(id: $0, using: &random) }
        let few = Router(Array(routes.dropFirst(Router.maxChanges)), previous: Router(routes))
        #expect(few.wantsCompaction)
        let many = Router(Array(routes.dropFirst(Router.maxChanges / 2)) + fresh, previous: Router(routes))
        #expect(!many.wantsCompaction)
        #expect(many.routes.map(\.route.id) == RouterIndexTests.LinearRouter(many.routes).routes.map(\.route.id))
    }

    /// A router extended by each change (`Router(_:previous:removing:adding:)`, as `RoutingTable` makes them)
    /// against the linear matcher and a router indexed from nothing, through chains of changes over one index.
    @Test func changesAddedToThePreviousOverlayMatchLikeTheLinearScan() {
        var random = SplitMix64(seed: 0x0c4a_4e6e)
        var overlaid = 0
        for _ in 0..<200 {
            var routes = Self.uniqueIDs((0..<Int.random(in: 1...60, using: &random)).map {
                Gen.route(id: $0, using: &random)
            })
            var router = Router(routes)
            var next = 1000
            for _ in 0..<Int.random(in: 1...16, using: &random) {
                var removed: [CompiledRoute] = []
                var added: [CompiledRoute] = []
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let i = Int.random(in: 0..<max(routes.count, 1), using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0 where !routes.isEmpty:
                        removed.append(routes[i])
                        routes[i] = Gen.route(id: next, using: &random)
                        added.append(routes[i])
                    case 1 where !routes.isEmpty:
                        removed.append(routes.remove(at: i))
                    default:
                        routes.append(Gen.route(id: next, using: &random))
                        added.append(routes[routes.count - 1])
                    }
                    next += 1
                }
                // A route added and removed within the same change was never in the previous router.
                let gone = Set(removed.map(ObjectIdentifier.init))
                let new = added.filter { !gone.contains(ObjectIdentifier($0)) }
                let previous = Set(router.routes.map(ObjectIdentifier.init))
                router = Router(routes, previous: router,
                                removing: removed.filter { previous.contains(ObjectIdentifier($0)) },
                                adding: new.filter { a in routes.contains { $0 === a } })
                if router.wantsCompaction { overlaid += 1 }
                guard Self.matchesLikeTheLinearScan(router, routes, using: &random) else { return }
                if Int.random(in: 0..<6, using: &random) == 0 { router = router.compacted() }
            }
        }
        #expect(overlaid > 500)
    }

    /// Whether `router` holds `routes` in the linear matcher's order, as one indexed from nothing does, and
    /// answers 30 random connections as the linear matcher does (each difference recorded).
    static func matchesLikeTheLinearScan(_ router: Router, _ routes: [CompiledRoute],
                                         using random: inout SplitMix64) -> Bool {
        let oracle = LinearRouter(routes)
        #expect(router.routes.map(\.route.id) == oracle.routes.map(\.route.id))
        #expect(router.routes.map(\.route.id) == Router(routes).routes.map(\.route.id))
        for _ in 0..<30 {
            let facts = Gen.facts(using: &random)
            let got = router.match(facts)?.route.id
            let want = oracle.match(facts)?.route.id
            #expect(got == want, "\(facts) in \(routes.map(\.route))")
            if got != want { return false }
        }
        return true
    }

    /// The routes with ids made unique (the generator draws "7" and "r7" alike; a configuration never repeats one).
    static func uniqueIDs(_ routes: [CompiledRoute]) -> [CompiledRoute] {
        var seen = Set<String>()
        return routes.filter { seen.insert($0.route.id).inserted }
    }
}
