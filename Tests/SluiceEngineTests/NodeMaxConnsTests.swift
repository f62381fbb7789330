import Logging
@testable import SluiceConfig
import Testing
@testable import SluiceEngine

/// `max_conns`: a node at its limit is skipped by the pick, every node full fails it, and a session gives its place
/// back when its attempt fails or it ends.
struct NodeMaxConnsTests {
    private func runtime(_ nodes: [UpstreamNode]) -> UpstreamRuntime {
        var upstream = Upstream(raw: .map([]))
        upstream.nodes = nodes
        return UpstreamRuntime(resolved: ResolvedUpstream(key: "upstreams/u", upstream: upstream),
                               counterTable: CounterTable(), health: healthy(nodes), logger: Logger(label: "test"))
    }

    private func session(_ runtime: UpstreamRuntime) -> SessionAccounting {
        let accounting = SessionAccounting(registry: ConnectionRegistry(), listener: TrafficCounters())
        accounting.use(runtime)
        return accounting
    }

    @Test func aNodeAtItsLimitIsSkippedAndAllFullFailsThePick() {
        let r = runtime([UpstreamNode(host: "10.0.0.1", port: 1, maxConns: 1),
                         UpstreamNode(host: "10.0.0.2", port: 1, maxConns: 2)])
        let picks = (0..<3).compactMap { _ in r.pick(hashKey: nil, excluding: []) }
        #expect(picks.sorted() == [0, 1, 1])
        #expect(r.pick(hashKey: nil, excluding: []) == nil)
        r.release(node: 0)
        #expect(r.pick(hashKey: nil, excluding: []) == 0)
    }

    @Test func nodesWithoutALimitCountNoPlaces() {
        let r = runtime([UpstreamNode(host: "10.0.0.1", port: 1)])
        for _ in 0..<100 { #expect(r.pick(hashKey: nil, excluding: []) == 0) }
        #expect(r.nodeCounters[0].places.load(ordering: .relaxed) == 0)
    }

    @Test func aSessionGivesThePlaceBackWhenItsAttemptFailsAndWhenItEnds() {
        let r = runtime([UpstreamNode(host: "10.0.0.1", port: 1, maxConns: 1)])
        let first = session(r)
        let second = session(r)
        #expect(first.pick(hashKey: nil, excluding: []) == 0)
        #expect(second.pick(hashKey: nil, excluding: []) == nil)
        first.connectFailed(node: 0)
        #expect(second.pick(hashKey: nil, excluding: []) == 0)
        second.finish(bytesFromClient: 0, bytesToClient: 0, reason: .clientClosed)
        second.finish(bytesFromClient: 0, bytesToClient: 0, reason: .clientClosed)
        #expect(r.nodeCounters[0].places.load(ordering: .relaxed) == 0)
        #expect(first.pick(hashKey: nil, excluding: []) == 0)
    }
}
