/// sluice-bench: routing microbenchmarks (Benchmarks/README.md). Build with `swift build -c release`.
///
/// `sluice-bench [--quick]`: route match time for 1, 100 and 10,000 routes on one port (CIDR, SNI, mixed),
/// and a configuration change with 10,000 routes until it is in force. Prints Markdown tables; asserts only
/// that the routes found are the right ones.
/// `sluice-bench spin KIND ROUTES MATCHES`: only that many untimed matches, for `perf record` or valgrind.
/// `sluice-bench match [--quick]`: only the route match tables.
/// `sluice-bench change [--quick] [--changes N]`: only the configuration change; with `--changes`, N changes and
/// not the whole-document rows (for `perf record` of the change path).
import Foundation

let arguments = CommandLine.arguments
if arguments.count == 5, arguments[1] == "spin", let kind = MatchBench.Kind(rawValue: arguments[2]),
   let routes = Int(arguments[3]), let matches = Int(arguments[4]) {
    do { try MatchBench(kind: kind, count: routes).spin(matches: matches) } catch {
        FileHandle.standardError.write(Data("sluice-bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
let quick = arguments.contains("--quick")
let onlyChange = arguments.count > 1 && arguments[1] == "change"
let onlyMatch = arguments.count > 1 && arguments[1] == "match"
let samples = quick ? 50_000 : 400_000
let changes = arguments.firstIndex(of: "--changes").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil }
let iterations = changes ?? (quick ? 10 : 40)

func us(_ ns: UInt64) -> String { String(format: "%.2f", Double(ns) / 1000) }
func ms(_ ns: UInt64) -> String { String(format: "%.2f", Double(ns) / 1_000_000) }

func printMatchTables() throws {
    print("## Route match (\(samples) single calls per row, timer overhead \(Clock.overhead) ns subtracted; "
          + "batches of \(MatchBench.batch); a kind's rows measured in 10 interleaved rounds)\n")
    print("| routes | kind | p50 ns | p99 ns | max µs | batch mean ns | batch p99 ns | p50 / 1-route p50 |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in MatchBench.Kind.allCases {
        let results = try MatchBench.run(kind: kind, counts: [1, 100, 10_000], samples: samples)
        let base = Double(max(results[0].single.p50, 1))
        for r in results {
            let ratio = String(format: "%.2f×", Double(r.single.p50) / base)
            print("| \(r.routes) | \(kind.rawValue) | \(r.single.p50) | \(r.single.p99) | \(us(r.single.max)) | "
                  + String(format: "%.1f | %.1f", r.batchMean, r.batchP99) + " | \(ratio) |")
        }
    }
}

do {
    if !onlyChange { try printMatchTables() }
    if onlyMatch { exit(0) }
    let change = try ChangeBench(count: 10_000).run(iterations: iterations, wholeDocument: changes == nil)
    print("\n## Configuration change with \(change.routes) routes (\(iterations) changes, mixed routes)\n")
    print("| part | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|")
    let rows: [(String, Percentiles?)] = [
        ("apply → in force for the next connection", change.total),
        ("  of which the engine's publish (RoutingTable compile, node health and names)", change.compile),
        ("apply → acknowledged (data file and history durable)", change.acknowledged),
        ("whole document, timed alone: validate (GatewayConfig.decode)", change.decode),
        ("whole document, timed alone: YAML text", change.yaml),
        ("whole document, timed alone: atomic write (fsync, rename)", change.write),
    ]
    for (name, p) in rows {
        if let p { print("| \(name) | \(ms(p.p50)) | \(ms(p.p99)) | \(ms(p.max)) |") }
    }
} catch {
    FileHandle.standardError.write(Data("sluice-bench: \(error)\n".utf8))
    exit(1)
}
