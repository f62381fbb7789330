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
                let oracle = LinearRouter(routes)
                #expect(router.routes.map(\.route.id) == oracle.routes.map(\.route.id))
                #expect(router.routes.map(\.route.id) == Router(routes).routes.map(\.route.id))
                for _ in 0..<30 {
                    let facts = Gen.facts(using: &random)
                    let got = router.match(facts)?.route.id
                    let want = oracle.match(facts)?.route.id
                    #expect(got == want, "\(facts) in \(routes.map(\.route))")
                    if got != want { return }
                }
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

    /// The routes with ids made unique (the generator draws "7" and "r7" alike; a configuration never repeats one).
    static func uniqueIDs(_ routes: [CompiledRoute]) -> [CompiledRoute] {
        var seen = Set<String>()
        return routes.filter { seen.insert($0.route.id).inserted }
    }
}
