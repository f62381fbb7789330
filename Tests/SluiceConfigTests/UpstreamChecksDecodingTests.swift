import Testing
@testable import SluiceConfig

/// `checks` and the node fields of health: APISIX's defaults, Sluice's extensions, and a clear error for every
/// field that is not enforced.
struct UpstreamChecksDecodingTests {
    func upstream(_ yaml: String) throws -> Upstream {
        let config = try GatewayConfig.decode(try ConfigValue.parseYAML("upstreams:\n  - id: 1\n" + yaml,
                                                                        file: "gateway.yaml"), file: "gateway.yaml")
        return try #require(config.upstreams.first)
    }

    func errors(_ yaml: String) -> [String] {
        do {
            _ = try upstream(yaml)
            return []
        } catch let e as ConfigErrors {
            return e.errors.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    let nodes = "    nodes: {\"127.0.0.1:1\": 1}\n"

    @Test func activeDefaultsAreAPISIXs() throws {
        let up = try upstream(nodes + "    checks: {active: {type: tcp}}\n")
        let a = try #require(up.checks.active)
        #expect(a.kind == .tcp)
        #expect(a.timeout == 1)
        #expect(a.concurrency == 10)
        #expect((a.healthyInterval, a.healthySuccesses) == (1, 2))
        #expect((a.unhealthyInterval, a.unhealthyTCPFailures, a.unhealthyTimeouts) == (1, 2, 3))
        #expect(up.checks.passive == nil)
    }

    @Test func activeFieldsAndExtensions() throws {
        let up = try upstream(nodes + """
                checks:
                  active:
                    timeout: 0.5
                    concurrency: 3
                    port: 6380
                    send: "PING\\r\\n"
                    expect: "+PONG"
                    healthy: {interval: 2, successes: 3}
                    unhealthy: {interval: 1, tcp_failures: 4, timeouts: 5}
                  passive:
                    healthy: {successes: 1}
                    unhealthy: {tcp_failures: 0, timeouts: 2}

            """)
        let a = try #require(up.checks.active)
        #expect(a.timeout == 0.5 && a.concurrency == 3 && a.port == 6380)
        #expect(a.send == Array("PING\r\n".utf8))
        #expect(a.expect == Array("+PONG".utf8))
        #expect((a.healthyInterval, a.healthySuccesses, a.unhealthyTCPFailures, a.unhealthyTimeouts) == (2, 3, 4, 5))
        #expect(up.checks.passive == { var p = PassiveCheck(); p.healthySuccesses = 1; p.unhealthyTCPFailures = 0
            p.unhealthyTimeouts = 2; return p }())
    }

    @Test func udpUpstreamsProbeWithUDPAndNeedAPayload() throws {
        let up = try upstream(nodes + "    scheme: udp\n    checks: {active: {send: \"x\"}}\n")
        #expect(up.checks.active?.kind == .udp)
        #expect(errors(nodes + "    scheme: udp\n    checks: {active: {}}\n")
            == ["gateway.yaml:5: upstreams[0].checks.active.send: is required for a udp check (the datagram to send)"])
    }

    @Test func fieldsThatAreNotEnforcedAreRefused() {
        let errs = errors(nodes + """
                checks:
                  active: {type: http, http_path: /, healthy: {http_statuses: [200]}, unhealthy: {http_failures: 1},
                           bogus: 1}
                  passive: {type: http}

            """)
        #expect(errs.contains { $0.contains("checks.active.type: stream upstreams are checked with tcp or udp") })
        #expect(errs.contains { $0.contains("checks.active.http_path: HTTP checks do not apply") })
        #expect(errs.contains { $0.contains("checks.active.healthy.http_statuses: HTTP checks do not apply") })
        #expect(errs.contains { $0.contains("checks.active.unhealthy.http_failures: HTTP checks do not apply") })
        #expect(errs.contains { $0.contains("checks.active.bogus: unknown field") })
        #expect(errs.contains { $0.contains("checks.passive.type: stream upstreams are checked passively") })
    }

    @Test func passiveAloneIsRefused() {
        #expect(errors(nodes + "    checks: {passive: {}}\n").first?.contains(
            "checks.passive: needs checks.active too") == true)
    }

    @Test func countsAreInRange() {
        #expect(errors(nodes + "    checks: {active: {unhealthy: {tcp_failures: 0}}}\n").first?.contains(
            "checks.active.unhealthy.tcp_failures: must be 1…254, got 0") == true)
        #expect(errors(nodes + "    checks: {active: {healthy: {interval: 0.5}}}\n").first?.contains(
            "checks.active.healthy.interval: must be an integer") == true)
    }

    @Test func nodeFieldsHaveNginxDefaults() throws {
        let up = try upstream("""
                nodes:
                  - {host: 127.0.0.1, port: 1}
                  - {host: 127.0.0.1, port: 2, max_fails: 3, fail_timeout: 30, state: drain}
                  - {host: 127.0.0.1, port: 3, max_fails: 0, state: maint}

            """)
        #expect(up.nodes.map(\.maxFails) == [1, 3, 0])
        #expect(up.nodes.map(\.failTimeout) == [10, 30, 10])
        #expect(up.nodes.map(\.state) == [.ready, .drain, .maint])
    }

    @Test func nodeFieldsAreValidated() {
        let errs = errors("""
                nodes:
                  - {host: 127.0.0.1, port: 1, max_fails: -1, fail_timeout: 0, state: down}

            """)
        #expect(errs.contains { $0.contains("nodes[0].max_fails: must be 0…1000000, got -1") })
        #expect(errs.contains { $0.contains("nodes[0].fail_timeout: must be more than 0") })
        #expect(errs.contains { $0.contains("nodes[0].state: must be one of ready, drain, maint, got \"down\"") })
    }
}
