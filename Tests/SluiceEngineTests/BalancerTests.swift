import Logging
import NIOEmbedded
import SluiceConfig
import Testing
@testable import SluiceEngine

/// Nodes named a, b, c… on port 80, with the given weights (and priorities, default 0).
private func nodes(_ weights: [Int], priorities: [Int]? = nil) -> [UpstreamNode] {
    weights.enumerated().map { i, weight in
        UpstreamNode(host: String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i))), port: 80,
                     weight: weight, priority: priorities?[i] ?? 0)
    }
}

/// A fresh (healthy) health object per node.
func healthy(_ nodes: [UpstreamNode]) -> [NodeHealth] {
    nodes.map {
        NodeHealth(upstreamKey: "test", address: $0.address, settings: HealthSettings(),
                   eventLoop: EmbeddedEventLoop(), logger: Logger(label: "test"))
    }
}

/// A balancer whose nodes are all healthy.
private func makeBalancer(_ type: BalancerType, nodes: [UpstreamNode]) -> any Balancer {
    SluiceEngine.makeBalancer(type, nodes: nodes, health: healthy(nodes))
}

/// Picks `count` times and returns how often each index was chosen.
private func counts(_ balancer: any Balancer, _ count: Int, _ context: PickContext = PickContext()) -> [Int: Int] {
    var out: [Int: Int] = [:]
    for _ in 0..<count {
        if let i = balancer.pick(context) { out[i, default: 0] += 1 }
    }
    return out
}

struct BalancerCommonTests {
    @Test func algorithmNames() {
        #expect(BalancerType.allCases.map(\.rawValue) == ["roundrobin", "chash", "least_conn", "ewma"])
        #expect(BalancerType(rawValue: "least_conn") == .leastConn)
    }

    @Test(arguments: BalancerType.allCases)
    func exposesNodes(algorithm: BalancerType) {
        let list = nodes([1, 2, 0])
        #expect(makeBalancer(algorithm, nodes: list).nodes == list)
    }

    @Test(arguments: BalancerType.allCases)
    func noNodesGivesNil(algorithm: BalancerType) {
        #expect(makeBalancer(algorithm, nodes: []).pick(PickContext()) == nil)
    }

    @Test(arguments: BalancerType.allCases)
    func weightZeroIsNeverChosen(algorithm: BalancerType) {
        let balancer = makeBalancer(algorithm, nodes: nodes([0, 3, 0, 1]))
        for key in 0..<500 {
            let pick = balancer.pick(PickContext(hashKey: "10.0.0.\(key)"))
            #expect(pick == 1 || pick == 3)
        }
    }

    @Test(arguments: BalancerType.allCases)
    func onlyWeightZeroGivesNil(algorithm: BalancerType) {
        let balancer = makeBalancer(algorithm, nodes: nodes([0, 0], priorities: [1, 0]))
        #expect(balancer.pick(PickContext(hashKey: "k")) == nil)
    }

    @Test(arguments: BalancerType.allCases)
    func excludedIsNeverChosen(algorithm: BalancerType) {
        let balancer = makeBalancer(algorithm, nodes: nodes([5, 1, 1, 2]))
        for key in 0..<500 {
            let pick = balancer.pick(PickContext(hashKey: "key\(key)", excluded: [0, 2]))
            #expect(pick == 1 || pick == 3)
        }
    }

    @Test(arguments: BalancerType.allCases)
    func allExcludedGivesNil(algorithm: BalancerType) {
        let balancer = makeBalancer(algorithm, nodes: nodes([1, 2, 3], priorities: [2, 1, 0]))
        #expect(balancer.pick(PickContext(hashKey: "k", excluded: [0, 1, 2])) == nil)
        // Indices that do not exist are harmless.
        #expect(balancer.pick(PickContext(hashKey: "k", excluded: [7, -1])) == 0)
    }

    @Test(arguments: BalancerType.allCases)
    func higherPriorityTierFirst(algorithm: BalancerType) {
        // a, b: priority 0; c, d: priority 10 (used first); e: priority -5 (last resort).
        let balancer = makeBalancer(algorithm, nodes: nodes([1, 1, 1, 1, 1], priorities: [0, 0, 10, 10, -5]))
        for key in 0..<200 {
            let k = "client-\(key)"
            let top = balancer.pick(PickContext(hashKey: k))
            #expect(top == 2 || top == 3)
            #expect(balancer.pick(PickContext(hashKey: k, excluded: [2])) == 3)
            let middle = balancer.pick(PickContext(hashKey: k, excluded: [2, 3]))
            #expect(middle == 0 || middle == 1)
            #expect(balancer.pick(PickContext(hashKey: k, excluded: [0, 2, 3])) == 1)
            #expect(balancer.pick(PickContext(hashKey: k, excluded: [0, 1, 2, 3])) == 4)
        }
    }

    @Test(arguments: BalancerType.allCases)
    func weightZeroTierFallsThrough(algorithm: BalancerType) {
        let balancer = makeBalancer(algorithm, nodes: nodes([0, 0, 1], priorities: [5, 5, 1]))
        #expect(balancer.pick(PickContext(hashKey: "x")) == 2)
    }

    @Test(arguments: BalancerType.allCases)
    func concurrentPicksAreSafe(algorithm: BalancerType) async {
        let balancer = makeBalancer(algorithm, nodes: nodes([5, 1]))
        let total = await withTaskGroup(of: [Int: Int].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var local: [Int: Int] = [:]
                    for i in 0..<750 {
                        if let n = balancer.pick(PickContext(hashKey: "\(task)-\(i)")) { local[n, default: 0] += 1 }
                    }
                    return local
                }
            }
            var sum: [Int: Int] = [:]
            for await part in group { sum.merge(part, uniquingKeysWith: +) }
            return sum
        }
        #expect(total.values.reduce(0, +) == 6000)
        if algorithm != .chash {
            // Smooth WRR (and least_conn's tie-break with no connections) is exact per cycle of 6.
            #expect(total == [0: 5000, 1: 1000])
        }
    }
}

struct RoundRobinTests {
    @Test func smoothSequence() {
        let balancer = makeBalancer(.roundrobin, nodes: nodes([5, 1, 1]))
        let sequence = (0..<14).compactMap { _ in balancer.pick(PickContext()) }
        // a a b a c a a, repeating.
        #expect(sequence == [0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0])
    }

    @Test func exactShares() {
        #expect(counts(makeBalancer(.roundrobin, nodes: nodes([5, 1])), 600) == [0: 500, 1: 100])
        #expect(counts(makeBalancer(.roundrobin, nodes: nodes([1, 1, 1])), 300) == [0: 100, 1: 100, 2: 100])
    }

    @Test func equalWeightsAlternate() {
        let balancer = makeBalancer(.roundrobin, nodes: nodes([1, 1, 1]))
        #expect((0..<6).compactMap { _ in balancer.pick(PickContext()) } == [0, 1, 2, 0, 1, 2])
    }

    @Test func excludedNodeDoesNotSkewTheRest() {
        let balancer = makeBalancer(.roundrobin, nodes: nodes([5, 1, 1]))
        #expect(counts(balancer, 600, PickContext(excluded: [0])) == [1: 300, 2: 300])
    }

    @Test func hashKeyIsIgnored() {
        let balancer = makeBalancer(.roundrobin, nodes: nodes([1, 1]))
        let picks = (0..<4).compactMap { _ in balancer.pick(PickContext(hashKey: "same")) }
        #expect(picks == [0, 1, 0, 1])
    }

    @Test func hugeWeightsDoNotOverflow() {
        let balancer = makeBalancer(.roundrobin, nodes: nodes([Int.max, Int.max, 1]))
        #expect(counts(balancer, 1000).values.reduce(0, +) == 1000)
    }
}

struct ConsistentHashTests {
    @Test func stableHashVectors() {
        // Published FNV-1a 64 test vectors: the hash must not depend on the process.
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func sameKeySameNodeAcrossInstances() {
        let first = makeBalancer(.chash, nodes: nodes([1, 1, 1, 1]))
        let second = makeBalancer(.chash, nodes: nodes([1, 1, 1, 1]))
        for key in 0..<1000 {
            let context = PickContext(hashKey: "10.1.\(key / 256).\(key % 256)")
            let pick = first.pick(context)
            #expect(pick != nil)
            #expect(first.pick(context) == pick)
            #expect(second.pick(context) == pick)
        }
    }

    @Test func missingKeyIsStable() {
        let balancer = makeBalancer(.chash, nodes: nodes([1, 1, 1]))
        let pick = balancer.pick(PickContext())
        #expect(pick != nil)
        #expect(balancer.pick(PickContext()) == pick)
        #expect(balancer.pick(PickContext(hashKey: "")) == pick)
    }

    @Test func excludedNodeWalksOnToTheNextStableNode() throws {
        let balancer = makeBalancer(.chash, nodes: nodes([1, 1, 1, 1]))
        var moved: [Int: Int] = [:]
        for key in 0..<2000 {
            let k = "key-\(key)"
            let home = try #require(balancer.pick(PickContext(hashKey: k)))
            let next = try #require(balancer.pick(PickContext(hashKey: k, excluded: [home])))
            #expect(next != home)
            #expect(balancer.pick(PickContext(hashKey: k, excluded: [home])) == next)
            // Excluding some other node does not move the key.
            #expect(balancer.pick(PickContext(hashKey: k, excluded: [(home + 1) % 4])) == home)
            if home == 0 { moved[next, default: 0] += 1 }
        }
        // Keys of a down node spread over the others rather than all landing on one.
        #expect(moved.count == 3)
    }

    @Test func evenDistribution() {
        let balancer = makeBalancer(.chash, nodes: nodes([1, 1, 1, 1]))
        var tally: [Int: Int] = [:]
        for key in 0..<10_000 {
            if let i = balancer.pick(PickContext(hashKey: "192.168.\(key / 256).\(key % 256)")) { tally[i, default: 0] += 1 }
        }
        for i in 0..<4 {
            #expect(abs((tally[i] ?? 0) - 2500) <= 750, "node \(i) got \(tally[i] ?? 0) of 10000")
        }
    }

    @Test func weightedDistribution() {
        let balancer = makeBalancer(.chash, nodes: nodes([3, 1]))
        var tally: [Int: Int] = [:]
        for key in 0..<10_000 {
            if let i = balancer.pick(PickContext(hashKey: "user-\(key)")) { tally[i, default: 0] += 1 }
        }
        #expect(abs((tally[0] ?? 0) - 7500) <= 750, "\(tally)")
    }

    @Test func addingANodeMovesFewKeysAndOnlyToIt() {
        let before = makeBalancer(.chash, nodes: nodes([1, 1, 1, 1]))
        let after = makeBalancer(.chash, nodes: nodes([1, 1, 1, 1, 1]))
        var moved = 0
        for key in 0..<10_000 {
            let context = PickContext(hashKey: "10.\(key % 7).\(key / 256).\(key % 256)")
            let old = before.pick(context)
            let new = after.pick(context)
            if old != new {
                moved += 1
                #expect(new == 4)
            }
        }
        #expect(moved <= 2500, "\(moved) of 10000 keys moved")
        #expect(moved >= 1000, "\(moved) of 10000 keys moved: the new node should take about a fifth")
    }

    @Test func nodeIdentityIsItsAddressNotItsIndex() {
        let list = nodes([1, 1, 1])
        let forward = makeBalancer(.chash, nodes: list)
        let reversed = makeBalancer(.chash, nodes: list.reversed())
        for key in 0..<500 {
            let context = PickContext(hashKey: "k\(key)")
            let a = forward.pick(context).map { list[$0] }
            let b = reversed.pick(context).map { reversed.nodes[$0] }
            #expect(a == b)
        }
    }

    @Test func hugeWeightsAreScaledDown() {
        let balancer = makeBalancer(.chash, nodes: nodes([Int(Int32.max), Int(Int32.max) / 2]))
        var tally: [Int: Int] = [:]
        for key in 0..<3000 {
            if let i = balancer.pick(PickContext(hashKey: "k\(key)")) { tally[i, default: 0] += 1 }
        }
        #expect(abs((tally[0] ?? 0) - 2000) <= 300, "\(tally)")
    }
}

struct LeastConnectionsTests {
    @Test func picksFewestConnections() {
        let active = [7, 2, 5]
        let balancer = makeBalancer(.leastConn, nodes: nodes([1, 1, 1]))
        #expect(balancer.pick(PickContext(activeConnections: { active[$0] })) == 1)
        #expect(balancer.pick(PickContext(excluded: [1], activeConnections: { active[$0] })) == 2)
    }

    @Test func comparesConnectionsPerWeight() {
        // a: 10 / 5 = 2 per weight, b: 3 / 1 = 3 per weight, c: 5 / 2 = 2.5 per weight.
        let active = [10, 3, 5]
        let balancer = makeBalancer(.leastConn, nodes: nodes([5, 1, 2]))
        #expect(balancer.pick(PickContext(activeConnections: { active[$0] })) == 0)
        #expect(balancer.pick(PickContext(excluded: [0], activeConnections: { active[$0] })) == 2)
    }

    @Test func tiesRotate() {
        let balancer = makeBalancer(.leastConn, nodes: nodes([1, 1, 1]))
        #expect((0..<6).compactMap { _ in balancer.pick(PickContext()) } == [0, 1, 2, 0, 1, 2])
    }

    @Test func tiesFollowWeights() {
        // a: 4/2 and b: 2/1 are tied; c has more per weight. Ties go 2:1.
        let active = [4, 2, 9]
        let balancer = makeBalancer(.leastConn, nodes: nodes([2, 1, 1]))
        #expect(counts(balancer, 300, PickContext(activeConnections: { active[$0] })) == [0: 200, 1: 100])
    }

    @Test func followsChangingLoad() {
        var active = [0, 0]
        let balancer = makeBalancer(.leastConn, nodes: nodes([1, 1]))
        for _ in 0..<100 {
            let snapshot = active
            if let i = balancer.pick(PickContext(activeConnections: { snapshot[$0] })) { active[i] += 1 }
        }
        #expect(active == [50, 50])
    }

    @Test func negativeCountsCountAsZero() {
        let active = [-5, 0]
        let balancer = makeBalancer(.leastConn, nodes: nodes([1, 1]))
        #expect(Set((0..<4).compactMap { _ in balancer.pick(PickContext(activeConnections: { active[$0] })) }) == [0, 1])
    }

    @Test func hugeCountsDoNotOverflow() {
        let active = [Int.max, Int.max - 1]
        let balancer = makeBalancer(.leastConn, nodes: nodes([Int(Int32.max), Int(Int32.max)]))
        #expect(balancer.pick(PickContext(activeConnections: { active[$0] })) == 1)
    }
}

struct BalancerHealthTests {
    /// Health objects for `list`, with the nodes at `down` failed once (max_fails 1 ⇒ suspended).
    func health(_ list: [UpstreamNode], down: Set<Int>) -> [NodeHealth] {
        let h = healthy(list)
        for i in down { h[i].connectFailed(cause: .refused) }
        return h
    }

    @Test(arguments: BalancerType.allCases)
    func unhealthyNodesAreSkipped(type: BalancerType) {
        let list = nodes([1, 1, 1])
        let balancer = SluiceEngine.makeBalancer(type, nodes: list, health: health(list, down: [0, 2]))
        #expect(Set((0..<30).compactMap { _ in balancer.pick(PickContext(hashKey: "k\(Int.random(in: 0..<99))")) })
            == [1])
    }

    @Test(arguments: BalancerType.allCases)
    func aTierFallsToTheNextOnlyWhenItIsWhollyDown(type: BalancerType) {
        let list = nodes([1, 1, 1], priorities: [1, 1, 0])
        let partly = SluiceEngine.makeBalancer(type, nodes: list, health: health(list, down: [0]))
        #expect(partly.pick(PickContext(hashKey: "x")) == 1)
        let wholly = SluiceEngine.makeBalancer(type, nodes: list, health: health(list, down: [0, 1]))
        #expect(wholly.pick(PickContext(hashKey: "x")) == 2)
    }

    @Test(arguments: BalancerType.allCases)
    func allDownMeansAllAreTried(type: BalancerType) {
        let list = nodes([1, 1])
        let balancer = SluiceEngine.makeBalancer(type, nodes: list, health: health(list, down: [0, 1]))
        let first = balancer.pick(PickContext(hashKey: "x"))
        #expect(first != nil)
        let second = balancer.pick(PickContext(hashKey: "x", excluded: [first ?? 0]))
        #expect(second != nil && second != first)
    }

    @Test(arguments: BalancerType.allCases)
    func drainedAndMaintNodesAreNeverChosenEvenWhenTheRestIsDown(type: BalancerType) {
        var list = nodes([1, 1, 1])
        list[0].state = .drain
        list[1].state = .maint
        let balancer = SluiceEngine.makeBalancer(type, nodes: list, health: health(list, down: [2]))
        #expect(balancer.pick(PickContext(hashKey: "x")) == 2)
        #expect(balancer.pick(PickContext(hashKey: "x", excluded: [2])) == nil)
    }
}

struct EWMABalancerTests {
    @Test func theLowestConnectTimeWins() {
        let balancer = makeBalancer(.ewma, nodes: nodes([1, 1, 1]))
        let times = [0.050, 0.002, 0.010]
        #expect(counts(balancer, 20, PickContext(connectTime: { times[$0] })) == [1: 20])
    }

    @Test func nodesWithinFivePercentTieAndGoToTheLeastLoaded() {
        let balancer = makeBalancer(.ewma, nodes: nodes([1, 1, 1]))
        let times = [0.0100, 0.0104, 0.020]
        let active = [3, 1, 0]
        #expect(balancer.pick(PickContext(activeConnections: { active[$0] }, connectTime: { times[$0] })) == 1)
    }

    @Test func unmeasuredNodesAreTriedFirstAndShareByRoundRobin() {
        let balancer = makeBalancer(.ewma, nodes: nodes([1, 1, 1]))
        let times = [0.0, 0.0, 0.001]
        #expect(counts(balancer, 10, PickContext(connectTime: { times[$0] })) == [0: 5, 1: 5])
    }

    @Test func triedNodesAreSkipped() {
        let balancer = makeBalancer(.ewma, nodes: nodes([1, 1]))
        let times = [0.001, 0.5]
        #expect(balancer.pick(PickContext(excluded: [0], connectTime: { times[$0] })) == 1)
    }

    @Test func aNodesAverageStartsAtItsFirstSampleAndFadesWithAge() {
        let health = healthy(nodes([1]))[0]
        #expect(health.connectTime == 0)
        health.connectSucceeded(latency: .milliseconds(20))
        let first = health.connectTime
        #expect(first > 0.0199 && first <= 0.020)
        // A sample right after the first barely moves the average (APISIX weighs by the time between samples).
        health.connectSucceeded(latency: .milliseconds(500))
        #expect(health.connectTime < 0.03)
    }
}
