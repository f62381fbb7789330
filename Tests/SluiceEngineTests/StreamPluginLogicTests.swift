import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// ip-restriction and limit-conn decisions, the limiter's counting and APISIX's delay, and the compiler keeping a
/// route's limiter across snapshots that leave its configuration unchanged.
struct StreamPluginLogicTests {
    func session(_ client: String, port: Int = 9000, server: String = "127.0.0.1") -> PluginSession {
        var facts = ConnectionFacts(remoteAddress: IPAddress(client), serverAddress: IPAddress(server),
                                    serverPort: port)
        facts.clientPort = 50000
        return PluginSession(facts: facts, routeID: "r", listenAddr: "127.0.0.1:\(port)")
    }

    func record(seconds: Double) -> AccessLogRecord {
        let start = Date()
        return AccessLogRecord(connectionID: 1, remoteAddr: "-", remotePort: 0, serverAddr: "-", serverPort: 0,
                               start: start, end: start.addingTimeInterval(seconds), closeReason: "client_closed")
    }

    func ipRestriction(_ mode: IPRestrictionConfig.Mode, _ cidrs: [String]) -> IPRestrictionPlugin {
        IPRestrictionPlugin(config: IPRestrictionConfig(mode: mode, addresses: cidrs.compactMap { CIDR($0) },
                                                        message: "no"))
    }

    @Test func ipRestrictionWhitelistAndBlacklist() {
        let white = ipRestriction(.whitelist, ["127.0.0.1", "::1", "10.0.0.0/8"])
        for allowed in ["127.0.0.1", "::1", "10.9.8.7", "::ffff:10.1.1.1"] {
            var s = session(allowed)
            let verdict = white.access(&s)
            #expect(verdict == .allow, "\(allowed)")
        }
        var outsider = session("127.0.0.2")
        guard case .refuse(.ipRestricted, let why) = white.access(&outsider) else {
            Issue.record("127.0.0.2 not refused"); return
        }
        #expect(why == "no: 127.0.0.2 is not in the whitelist")
        let black = ipRestriction(.blacklist, ["127.0.0.2/32", "::1"])
        var a = session("127.0.0.1"), b = session("127.0.0.2"), c = session("::1")
        let verdicts = [black.access(&a), black.access(&b), black.access(&c)]
        #expect(verdicts == [.allow, .refuse(.ipRestricted, why: "no: 127.0.0.2 is in the blacklist"),
                             .refuse(.ipRestricted, why: "no: ::1 is in the blacklist")])
    }

    @Test func limiterCountsDelaysAndRefusesAsRestyLimitConn() {
        let limiter = ConnectionLimiter(conn: 2, burst: 3, defaultDelay: 0.5, adaptsDelay: false)
        let got = (1...6).map { _ in limiter.incoming("k") }
        // ⌊(count − 1) / conn⌋ units: 0, 0, 1, 1, 2, then beyond conn + burst.
        #expect(got == [.admitted(delay: 0), .admitted(delay: 0), .admitted(delay: 0.5), .admitted(delay: 0.5),
                        .admitted(delay: 1.0), .rejected(count: 6)])
        #expect(limiter.count("k") == 5)
        #expect(limiter.incoming("other") == .admitted(delay: 0))
        for _ in 1...7 { limiter.leaving("k", latency: 10) }
        #expect(limiter.count("k") == 0)
        #expect(limiter.count("other") == 1)
        _ = limiter.incoming("k"); _ = limiter.incoming("k")
        #expect(limiter.incoming("k") == .admitted(delay: 0.5))  // only the default delay: unchanged by latency
    }

    @Test func limiterDelayUnitFollowsLatencyUnlessOnlyDefault() {
        let limiter = ConnectionLimiter(conn: 1, burst: 1, defaultDelay: 1, adaptsDelay: true)
        _ = limiter.incoming("k")
        limiter.leaving("k", latency: 3)  // (3 + 1) / 2
        _ = limiter.incoming("k")
        #expect(limiter.incoming("k") == .admitted(delay: 2))
    }

    @Test func limitConnMarksTheSessionAndFreesOnlyWhatItTook() {
        let config = LimitConnConfig(conn: 1, burst: 1, defaultConnDelay: 0.2, onlyUseDefaultDelay: true,
                                     key: [.variable("remote_addr"), .literal(":"), .variable("server_port")])
        let plugin = LimitConnPlugin(config: config,
                                     limiter: ConnectionLimiter(conn: 1, burst: 1, defaultDelay: 0.2, adaptsDelay: false))
        var first = session("127.0.0.1"), second = session("127.0.0.1"), third = session("127.0.0.1")
        let verdicts = [plugin.access(&first), plugin.access(&second)]
        #expect(verdicts == [.allow, .delay(.milliseconds(200))])
        #expect(first.variables[LimitConnPlugin.keyVariable] == "127.0.0.1:9000")
        guard case .refuse(.limitConn, _) = plugin.access(&third) else { Issue.record("third admitted"); return }
        #expect(third.variables[LimitConnPlugin.keyVariable] == nil)
        plugin.log(record(seconds: 1), session: third)  // refused: frees nothing
        #expect(plugin.limiter.count("127.0.0.1:9000") == 2)
        plugin.log(record(seconds: 1), session: first)
        plugin.log(record(seconds: 1), session: second)
        #expect(plugin.limiter.count("127.0.0.1:9000") == 0)
        var otherClient = session("127.0.0.2")
        let other = plugin.access(&otherClient)
        #expect(other == .allow)  // its own key
    }

    @Test func keyFallsBackToTheClientAddress() {
        #expect(LimitConnPlugin.key([.variable("ssl_server_name")], session: session("10.0.0.1")) == "10.0.0.1")
        #expect(LimitConnPlugin.key([.variable("remote_port")], session: session("10.0.0.1")) == "50000")
        #expect(LimitConnPlugin.key([.variable("server_addr")], session: session("10.0.0.1")) == "127.0.0.1")
    }

    @Test func compilerKeepsAnUnchangedLimiterAcrossSnapshots() {
        let config = LimitConnConfig(conn: 1, burst: 0, defaultConnDelay: 1, key: [.variable("remote_addr")])
        func limiter(_ chain: PluginChain) -> ConnectionLimiter? { (chain.accessors.first as? LimitConnPlugin)?.limiter }
        var first = PluginCompiler(previous: nil)
        let a = limiter(first.chain(routeID: "r", [.limitConn(config)]))
        var second = PluginCompiler(previous: first)
        let b = limiter(second.chain(routeID: "r", [.limitConn(config)]))
        var changed = config
        changed.conn = 2
        var third = PluginCompiler(previous: second)
        let c = limiter(third.chain(routeID: "r", [.limitConn(changed)]))
        let d = limiter(third.chain(routeID: "other", [.limitConn(config)]))
        #expect(a != nil && a === b)
        #expect(c != nil && c !== b && d !== b)
        #expect(third.chain(routeID: "x", []).isEmpty)
    }
}
