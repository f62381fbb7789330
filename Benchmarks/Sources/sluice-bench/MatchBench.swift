import Logging
import NIOPosix
import SluiceConfig
import SluiceEngine

/// Route match time for route sets of one kind and size, all on one `server_port`.
struct MatchBench {
    enum Kind: String, CaseIterable {
        /// Every route has its own `remote_addr` /24.
        case cidr = "CIDR"
        /// Every route has its own exact `sni`.
        case sni = "SNI"
        /// A third CIDR only, a third exact SNI only, a third `*.domain` plus a CIDR.
        case mixed
    }

    struct Result {
        let kind: Kind
        let routes: Int
        /// Single calls, timer overhead subtracted.
        let single: Percentiles
        /// Mean ns per match over batches of `batch` calls.
        let batchMean: Double
        let batchP99: Double
    }

    static let port = 9100
    static let batch = 64

    let kind: Kind
    let count: Int

    /// The YAML of `count` routes of `kind`, all to upstream `u`.
    func routesYAML() -> String {
        var lines = ["upstreams:", "  - {id: u, nodes: {\"127.0.0.1:1\": 1}}", "stream_routes:"]
        for i in 0..<count {
            let block = "10.\(i >> 8 & 255).\(i & 255).0/24"
            let filter: String = switch (kind, i % 3) {
            case (.cidr, _), (.mixed, 0): "remote_addr: \"\(block)\""
            case (.sni, _), (.mixed, 1): "sni: \"svc-\(i).example.com\""
            default: "sni: \"*.zone-\(i).example.net\", remote_addr: \"\(block)\""
            }
            lines.append("  - {id: r\(i), server_port: \(Self.port), \(filter), upstream_id: u}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A connection that route `i` accepts.
    func facts(for i: Int, host: Int) -> ConnectionFacts {
        let remote = IPAddress.v4(0x0a00_0000 | UInt32(i >> 8 & 255) << 16 | UInt32(i & 255) << 8 | UInt32(host & 255))
        let sni: String? = switch (kind, i % 3) {
        case (.cidr, _), (.mixed, 0): nil
        case (.sni, _), (.mixed, 1): "svc-\(i).example.com"
        default: "h\(host).zone-\(i).example.net"
        }
        return ConnectionFacts(remoteAddress: remote, serverAddress: .v4(0x7f00_0001), serverPort: Self.port,
                               sni: sni, transport: .tcp)
    }

    /// The router of `count` routes of `kind`, compiled as the engine does, and 4,096 connections for it, each
    /// checked to route to the route it was made for.
    func setUp() throws -> (Router, [ConnectionFacts]) {
        let config = try GatewayConfig.decode(try ConfigValue.parseYAML(routesYAML(), file: "bench"), file: "bench")
        let engine = EngineContext(logger: Logger(label: "bench"), group: MultiThreadedEventLoopGroup.singleton)
        engine.publish(ConfigSnapshot(revision: 1, config: config, objectRevisions: [:]))
        guard let router = engine.routingTable?.router else { throw BenchError.wrongRoute("no routing table") }
        var random = SystemRandomNumberGenerator()
        let pool = (0..<4096).map { _ in
            let i = Int.random(in: 0..<count, using: &random)
            return (facts(for: i, host: Int.random(in: 1...254, using: &random)), "r\(i)")
        }
        for (facts, id) in pool where router.match(facts)?.route.id != id {
            let got = router.match(facts)?.route.id ?? "nothing"
            throw BenchError.wrongRoute("\(kind.rawValue) × \(count): \(facts) matched \(got), want \(id)")
        }
        return (router, pool.map(\.0))
    }

    /// `matches` untimed matches, for a profiler or valgrind: the set-up is the same whatever `matches` is.
    func spin(matches: Int) throws {
        let (router, pool) = try setUp()
        var sink = 0
        for n in 0..<matches { sink &+= router.match(pool[n & 4095])?.route.priority ?? 1 }
        if sink == Int.min { print("") }
    }

    /// The routers of `kind` with `counts` routes, measured in turns — `rounds` rounds, each taking its share of
    /// single calls and batches from every router — so that the box changing speed during the run (on a shared
    /// machine whole runs move by 2×) touches every size alike, and the ratio of one size to another is the
    /// router's, not the minute's.
    static func run(kind: Kind, counts: [Int], samples: Int, rounds: Int = 10) throws -> [Result] {
        let prepared = try counts.map { try MatchBench(kind: kind, count: $0).setUp() }
        var sink = 0
        var singles = [[UInt64]](repeating: [], count: counts.count)
        var batches = [[UInt64]](repeating: [], count: counts.count)
        let overhead = Clock.overhead
        let perRound = samples / rounds
        for round in 0..<rounds {
            for (i, (router, pool)) in prepared.enumerated() {
                for facts in pool { sink &+= router.match(facts)?.route.priority ?? 1 }  // warm up
                for s in 0..<perRound {
                    let facts = pool[(round * perRound + s) & 4095]
                    let start = Clock.now()
                    let route = router.match(facts)
                    let elapsed = Clock.now() - start
                    sink &+= route?.route.priority ?? 1
                    singles[i].append(elapsed > overhead ? elapsed - overhead : 0)
                }
                for b in 0..<perRound / batch {
                    let first = round * perRound + b * batch
                    let start = Clock.now()
                    for k in 0..<batch { sink &+= router.match(pool[(first + k) & 4095])?.route.priority ?? 1 }
                    batches[i].append(Clock.now() - start)
                }
            }
        }
        if sink == Int.min { print("") }  // keeps the matches from being optimised away
        return counts.indices.map { i in
            let perMatch = batches[i].map { Double($0) / Double(batch) }
            return Result(kind: kind, routes: counts[i], single: Percentiles(singles[i]),
                          batchMean: perMatch.reduce(0, +) / Double(perMatch.count),
                          batchP99: perMatch.sorted()[perMatch.count * 99 / 100])
        }
    }
}

enum BenchError: Error, CustomStringConvertible {
    case wrongRoute(String)
    case notInForce(String)

    var description: String {
        switch self {
        case .wrongRoute(let why): "wrong route: \(why)"
        case .notInForce(let why): "change not in force: \(why)"
        }
    }
}
