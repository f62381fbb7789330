import Foundation
import Logging
import NIOPosix
import SluiceConfig
import SluiceEngine
import Synchronization

/// A configuration change with many routes: `Store.apply` of one changed route (validate, publish, persist)
/// with the engine's own subscriber (`EngineContext.publish`) compiling the new `RoutingTable`, until the next
/// connection routes by it.
struct ChangeBench {
    struct Result {
        let routes: Int
        /// From `apply` called to the new table in force (the subscriber has swapped it in).
        let total: Percentiles
        /// From `apply` called to its return: the data file and the history durable, what the Admin API waits for.
        let acknowledged: Percentiles
        /// The engine's publish inside it (`EngineContext.publish`: mostly the `RoutingTable` compile).
        let compile: Percentiles
        /// The whole-document paths (a hand edit, SIGHUP, a diff), timed alone on the same document: validation,
        /// YAML text, atomic write (nil when not timed).
        let decode: Percentiles?
        let yaml: Percentiles?
        let write: Percentiles?
    }

    let count: Int

    /// - Parameter wholeDocument: whether to time the whole-document paths too (not for a profile of changes).
    func run(iterations: Int, wholeDocument: Bool = true) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataFile = dir.appendingPathComponent("gateway.yaml").path
        let routes = MatchBench(kind: .mixed, count: count)
        try routes.routesYAML().write(toFile: dataFile, atomically: true, encoding: .utf8)
        let store = try Store(dataFile: dataFile)
        let engine = EngineSide()
        store.subscribe { snapshot in
            let start = Clock.now()
            engine.context.publish(snapshot)
            let end = Clock.now()
            engine.compileTimes.withLock { $0.append(end - start) }
            engine.installed.withLock { $0 = end }
        }
        engine.compileTimes.withLock { $0.removeAll() }
        var totals: [UInt64] = []
        var acknowledged: [UInt64] = []
        for n in 0..<iterations {
            // Move route r0 (a CIDR route) to a new /24 each time; the next connection from there must take it.
            let block = "172.16.\(n % 256).0/24"
            let value = ConfigValue.map([("id", .string("r0")), ("server_port", .int(MatchBench.port)),
                                         ("remote_addr", .string(block)), ("upstream_id", .string("u"))])
            let start = Clock.now()
            try store.apply(.put(.streamRoutes, id: "r0", value: value), source: .adminAPI)
            acknowledged.append(Clock.now() - start)
            let router = engine.context.routingTable?.router
            totals.append(engine.installed.withLock { $0 } - start)
            let facts = ConnectionFacts(remoteAddress: .v4(0xac10_0001 | UInt32(n % 256) << 8),
                                        serverAddress: .v4(0x7f00_0001), serverPort: MatchBench.port)
            guard router?.match(facts)?.route.id == "r0" else { throw BenchError.notInForce("revision \(n)") }
        }
        var (decode, yaml, write): (Percentiles?, Percentiles?, Percentiles?)
        if wholeDocument {
            let doc = store.snapshot.config.document()
            decode = try Self.time(iterations) { _ = try GatewayConfig.decode(doc, file: nil) }
            yaml = try Self.time(iterations) { _ = doc.yamlText() }
            let text = doc.yamlText()
            write = try Self.time(iterations) { try AtomicFile.write(text, to: dataFile) }
        }
        return Result(routes: count, total: Percentiles(totals), acknowledged: Percentiles(acknowledged),
                      compile: Percentiles(engine.compileTimes.withLock { $0 }),
                      decode: decode, yaml: yaml, write: write)
    }

    /// The engine's side of each snapshot (`EngineContext.publish`: node names and health, the routing table with
    /// its index rebuilt in the background after each change, certificates), and how long publishing took.
    private final class EngineSide: Sendable {
        let context = EngineContext(logger: Logger(label: "bench"), group: MultiThreadedEventLoopGroup.singleton)
        let compileTimes = Mutex<[UInt64]>([])
        /// When the last table was swapped in.
        let installed = Mutex<UInt64>(0)
    }

    private static func time(_ iterations: Int, _ body: () throws -> Void) throws -> Percentiles {
        var samples: [UInt64] = []
        for _ in 0..<iterations {
            let start = Clock.now()
            try body()
            samples.append(Clock.now() - start)
        }
        return Percentiles(samples)
    }
}
