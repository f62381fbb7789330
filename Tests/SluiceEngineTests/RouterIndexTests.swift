import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// The routing index against the plain linear matcher: the same route for every connection.
struct RouterIndexTests {
    /// The matcher the index replaced, kept here as the oracle: sort by precedence, take the first that matches.
    struct LinearRouter {
        let routes: [CompiledRoute]

        init(_ routes: [CompiledRoute]) {
            self.routes = routes.sorted { RoutePrecedence($0.route) < RoutePrecedence($1.route) }
        }

        func match(_ facts: ConnectionFacts) -> CompiledRoute? { routes.first { $0.matches(facts) } }
    }

    @Test func randomRouteSetsMatchLikeTheLinearScan() {
        var random = SplitMix64(seed: 0x5eed_1234)
        var checked = 0
        for _ in 0..<3000 {
            let routes = (0..<Int.random(in: 1...30, using: &random)).map { Gen.route(id: $0, using: &random) }
            let index = Router(routes)
            let oracle = LinearRouter(routes)
            #expect(index.routes.map(\.route.id) == oracle.routes.map(\.route.id))
            for _ in 0..<40 {
                let facts = Gen.facts(using: &random)
                let got = index.match(facts)?.route.id
                let want = oracle.match(facts)?.route.id
                #expect(got == want, "\(facts) in \(routes.map(\.route))")
                if got != want { return }
                checked += 1
            }
        }
        #expect(checked == 120_000)
    }

    @Test func largeRouteSetMatchesLikeTheLinearScan() {
        var random = SplitMix64(seed: 42)
        let routes = (0..<1500).map { Gen.route(id: $0, using: &random) }
        let connections = (0..<3000).map { _ in Gen.facts(using: &random) }
        #expect(Self.matchesLikeTheLinearScan(routes, connections) > 1000)
    }

    /// Thousands of routes shaped like the benchmark's and like real sets — adjacent /24s, exact names, wildcards
    /// with CIDRs, a few catch-alls — so every list form (one member, runs) and the range directory are used.
    @Test func benchmarkShapedRouteSetMatchesLikeTheLinearScan() {
        func route(_ i: Int) -> CompiledRoute {
            var r = StreamRoute(id: "r\(i)", raw: .null)
            r.serverPort = i % 50 == 0 ? nil : 9100
            let block = CIDR(address: .v4(0x0a00_0000 | UInt32(i) << 8), prefixLength: i % 7 == 0 ? 16 : 24)
            switch i % 4 {
            case 0: r.remoteAddr = block.map { [$0] } ?? []
            case 1: r.sni = "svc-\(i % 900).example.com"
            case 2: r.sni = "*.zone-\(i % 300).example.net"; r.remoteAddr = block.map { [$0] } ?? []
            default: if i % 40 == 3 { r.sni = "*.example.net" } else { r.remoteAddr = block.map { [$0] } ?? [] }
            }
            r.priority = i % 11 == 0 ? 1 : 0
            return CompiledRoute(route: r, upstream: nil, transport: nil)
        }
        let routes = (0..<3000).map(route)
        var random = SplitMix64(seed: 99)
        let connections = (0..<600).map { _ in
            let i = Int.random(in: 0..<3100, using: &random)
            let host = UInt32.random(in: 0...255, using: &random)
            let sni: String? = switch Int.random(in: 0..<4, using: &random) {
            case 0: nil
            case 1: "svc-\(i % 900).example.com"
            case 2: "h\(host).zone-\(i % 300).example.net"
            default: "x.example.net"
            }
            return ConnectionFacts(remoteAddress: .v4(0x0a00_0000 | UInt32(i) << 8 | host), serverAddress: nil,
                                   serverPort: Bool.random(using: &random) ? 9100 : 9101, sni: sni)
        }
        #expect(Self.matchesLikeTheLinearScan(routes, connections) > 300)
    }

    /// Routes every connection with the index and with the linear matcher, records the first disagreement, and
    /// returns how many connections found a route.
    static func matchesLikeTheLinearScan(_ routes: [CompiledRoute], _ connections: [ConnectionFacts]) -> Int {
        let index = Router(routes)
        let oracle = LinearRouter(routes)
        var matched = 0
        for facts in connections {
            let want = oracle.match(facts)?.route.id
            let got = index.match(facts)?.route.id
            #expect(got == want, "\(facts)")
            if got != want { return matched }
            if want != nil { matched += 1 }
        }
        return matched
    }

    @Test func nestedWildcardsAndSeveralBlocksPerRoute() {
        func route(_ id: String, sni: String? = nil, remote: [String] = []) -> CompiledRoute {
            var r = StreamRoute(id: id, raw: .null)
            r.sni = sni
            r.remoteAddr = remote.compactMap(CIDR.init)
            return CompiledRoute(route: r, upstream: nil, transport: nil)
        }
        let router = Router([
            route("z-com", sni: "*.com"), route("deep", sni: "*.b.example.com", remote: ["10.0.0.0/8"]),
            route("mid", sni: "*.example.com"), route("two", remote: ["192.168.0.0/16", "10.1.0.0/16"]),
        ])
        func id(_ remote: String, _ sni: String?) -> String? {
            router.match(ConnectionFacts(remoteAddress: IPAddress(remote), serverAddress: nil, serverPort: 1,
                                         sni: sni))?.route.id
        }
        #expect(id("10.1.1.1", "a.b.example.com") == "deep")
        #expect(id("11.1.1.1", "a.b.example.com") == "mid")
        #expect(id("11.1.1.1", "a.b.example.org") == nil)
        #expect(id("11.1.1.1", "example.com") == "z-com")
        #expect(id("10.1.1.1", nil) == "two")
        #expect(id("192.168.3.3", nil) == "two")
        #expect(id("::ffff:192.168.3.3", nil) == "two")
        #expect(id("10.2.1.1", nil) == nil)
    }
}

/// Random routes and connections over small pools of addresses and names, so that they often meet.
enum Gen {
    static let v4Pool: [UInt32] = [0x0a00_0000, 0x0a00_0001, 0x0a00_0100, 0x0a01_0000, 0xc0a8_0105, 0, 0xffff_ffff,
                                   0x7f00_0001]
    static let v6Pool: [(UInt64, UInt64)] = [(0, 0), (0, 1), (0x2001_0db8_0000_0000, 0), (0x2001_0db8_0000_0000, 1),
                                             (0x2001_0db8_0001_0000, 0), (0xfe80_0000_0000_0000, 1), (.max, .max),
                                             (0, 0xffff_0a00_0001)]
    static let patterns = ["*", "*.example.com", "*.b.example.com", "*.com", "*.", "a.example.com", "b.example.com",
                           "example.com", "x.b.example.com", "A.example.com", "\u{e9}.example.com",
                           "*.\u{e9}.example.com", "e\u{301}.example.com", "*.*.com", "**", "*.b.example.com."]
    static let names = ["", "a.example.com", "b.example.com", "example.com", "x.b.example.com", "z.a.b.example.com",
                        "com", ".example.com", "\u{e9}.example.com", "e\u{301}.example.com", "a\r\n.example.com",
                        "A.example.com", "A.EXAMPLE.COM", "example.com.", "x..example.com", "q.\u{e9}.example.com",
                        "a b.example.com", "*.com", "y.*.com", "**", "b.example.com."]

    static func pick<T>(_ items: [T], using random: inout SplitMix64) -> T {
        items[Int.random(in: 0..<items.count, using: &random)]
    }

    /// A pool address with a few random low bits flipped; IPv4-mapped IPv6 written unnormalized now and then.
    static func address(using random: inout SplitMix64) -> IPAddress {
        let flip = Int.random(in: 0..<4, using: &random) == 0
            ? UInt64(1) << UInt64.random(in: 0..<12, using: &random) : 0
        switch Int.random(in: 0..<5, using: &random) {
        case 0, 1: return .v4(pick(v4Pool, using: &random) ^ UInt32(flip))
        case 2: return .v6(0, 0xffff_0000_0000 | UInt64(pick(v4Pool, using: &random)) ^ flip)
        default:
            let (high, low) = pick(v6Pool, using: &random)
            return .v6(high, low ^ flip)
        }
    }

    static func cidrs(using random: inout SplitMix64) -> [CIDR] {
        guard Bool.random(using: &random) else { return [] }
        return (0..<Int.random(in: 1...3, using: &random)).compactMap { _ in
            let address = address(using: &random)
            let bits: Int = if case .v4 = address { 32 } else { 128 }
            // Lengths near the edges and in the middle alike.
            let length = Bool.random(using: &random) ? Int.random(in: 0...bits, using: &random)
                : bits - Int.random(in: 0...8, using: &random)
            return CIDR(address: address, prefixLength: length)
        }
    }

    static func route(id: Int, using random: inout SplitMix64) -> CompiledRoute {
        var r = StreamRoute(id: Bool.random(using: &random) ? "\(id)" : "r\(id)", raw: .null)
        r.remoteAddr = cidrs(using: &random)
        r.serverAddr = Int.random(in: 0..<3, using: &random) == 0 ? cidrs(using: &random) : []
        r.serverPort = pick([nil, 9100, 9101], using: &random)
        r.sni = Bool.random(using: &random) ? pick(patterns, using: &random) : nil
        r.priority = pick([-1, 0, 0, 1], using: &random)
        return CompiledRoute(route: r, upstream: nil, transport: pick([nil, nil, .tcp, .udp], using: &random))
    }

    static func facts(using random: inout SplitMix64) -> ConnectionFacts {
        ConnectionFacts(remoteAddress: Int.random(in: 0..<20, using: &random) == 0 ? nil : address(using: &random),
                        serverAddress: Int.random(in: 0..<20, using: &random) == 0 ? nil : address(using: &random),
                        serverPort: pick([9100, 9101, 9102], using: &random),
                        sni: Bool.random(using: &random) ? pick(names, using: &random) : nil,
                        transport: Bool.random(using: &random) ? .tcp : .udp)
    }
}

/// A small seeded generator, so every run draws the same cases.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// The shadowing warning against the router itself: a route reported as never chosen is never the router's answer.
struct RouteShadowingAgainstTheRouterTests {
    @Test func aShadowedRouteIsNeverChosen() {
        var random = SplitMix64(seed: 0x5ad0_0e)
        var shadowed = 0
        for _ in 0..<2000 {
            let routes = (0..<Int.random(in: 2...12, using: &random)).map { Gen.route(id: $0, using: &random) }
            let shadows = RouteShadowing.find(routes.map(\.route), transports: routes.map {
                $0.transport.map { $0 == .udp ? ServiceScheme.udp : .tcp }
            })
            shadowed += shadows.count
            let never = Set(shadows.map { routes[$0.route].route.id })
            let router = Router(routes)
            for _ in 0..<60 {
                let facts = Gen.facts(using: &random)
                if let id = router.match(facts)?.route.id, never.contains(id) {
                    Issue.record("\(id) reported never chosen, but chosen for \(facts) among \(routes.map(\.route))")
                    return
                }
            }
        }
        #expect(shadowed > 300, "the generator makes shadowed routes")
    }
}
