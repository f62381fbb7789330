import Testing
@testable import SluiceConfig

/// ip-restriction and limit-conn configurations: APISIX's schemas and defaults, every error naming its field,
/// `_meta.disable`, and the route-over-service merge.
struct StreamPluginConfigTests {
    func decode(_ yaml: String) throws -> GatewayConfig {
        try GatewayConfig.decode(try ConfigValue.parseYAML(yaml, file: "gateway.yaml"), file: "gateway.yaml")
    }

    /// The problems of one route carrying `plugins` (a YAML flow mapping), without file:line.
    func errors(plugins: String) -> [String] {
        do {
            _ = try decode("""
            stream_routes:
              - id: 1
                plugins: \(plugins)
                upstream: {nodes: {"127.0.0.1:1": 1}}
            """)
            return []
        } catch let e as ConfigErrors {
            return e.errors.map { String($0.description.split(separator: " ", maxSplits: 1).last ?? "") }
        } catch {
            return ["\(error)"]
        }
    }

    func plugins(_ yaml: String) throws -> [StreamPluginConfig] {
        let config = try decode(yaml)
        let route = config.streamRoutes[0]
        return route.plugins.merged(over: route.serviceID.flatMap { config.service($0)?.plugins })
    }

    @Test func ipRestrictionLoadsWithDefaults() throws {
        let got = try plugins("""
        stream_routes:
          - id: 1
            plugins:
              ip-restriction: {whitelist: ["127.0.0.1", "10.0.0.0/8", "::1", "fe80::/10"]}
            upstream: {nodes: {"127.0.0.1:1": 1}}
        """)
        guard case .ipRestriction(let c) = got.first else { Issue.record("not decoded: \(got)"); return }
        #expect(c.mode == .whitelist)
        #expect(c.addresses.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "fe80::/10"])
        #expect(c.message == "Your IP address is not allowed")
    }

    @Test func ipRestrictionErrorsNameTheField() {
        let p = "stream_routes[0].plugins.ip-restriction"
        #expect(errors(plugins: "{ip-restriction: {}}") == ["\(p): must have one of whitelist or blacklist"])
        #expect(errors(plugins: #"{ip-restriction: {whitelist: ["1.1.1.1"], blacklist: ["2.2.2.2"]}}"#)
                == ["\(p): must have only one of whitelist or blacklist, not both"])
        #expect(errors(plugins: #"{ip-restriction: {blacklist: ["1.1.1.1", "1.2.3.4/33", 7]}}"#)
                == ["\(p).blacklist[1]: must be an IP address or CIDR, got \"1.2.3.4/33\"",
                    "\(p).blacklist[2]: must be an IP address or CIDR, got 7"])
        #expect(errors(plugins: "{ip-restriction: {whitelist: []}}") == ["\(p).whitelist: must have at least 1 item"])
        #expect(errors(plugins: #"{ip-restriction: {whitelist: "1.1.1.1"}}"#)
                == ["\(p).whitelist: must be a list of IP addresses or CIDRs, got a string"])
        #expect(errors(plugins: #"{ip-restriction: {whitelist: ["::1"], message: ""}}"#)
                == ["\(p).message: must not be empty"])
        #expect(errors(plugins: #"{ip-restriction: {whitelist: ["::1"], response_code: 404}}"#)
                == ["\(p).response_code: a stream connection is refused with status 403; got 404"])
        #expect(errors(plugins: #"{ip-restriction: {whitelist: ["::1"], colour: red}}"#)
                == ["\(p).colour: unknown field"])
        #expect(errors(plugins: "{ip-restriction: [1]}") == ["\(p): must be an object, got a list"])
    }

    @Test func limitConnLoadsWithDefaults() throws {
        let got = try plugins("""
        stream_routes:
          - id: 1
            plugins:
              limit-conn: {conn: 2, burst: 1, default_conn_delay: 0.1, key: remote_addr, rejected_code: 503}
            upstream: {nodes: {"127.0.0.1:1": 1}}
        """)
        #expect(got == [.limitConn(LimitConnConfig(conn: 2, burst: 1, defaultConnDelay: 0.1,
                                                   key: [.variable("remote_addr")]))])
    }

    @Test func limitConnKeyCombination() throws {
        let key = try #require(LimitConnConfig.parseKey("$remote_addr-$server_port", combination: true) { _ in })
        #expect(key == [.variable("remote_addr"), .literal("-"), .variable("server_port")])
        var reported: [String] = []
        #expect(LimitConnConfig.parseKey("$nope x", combination: true) { reported.append($0) } == nil)
        #expect(LimitConnConfig.parseKey("plain", combination: true) { reported.append($0) } == nil)
        #expect(reported.count == 2)
    }

    @Test func limitConnErrorsNameTheField() {
        let p = "stream_routes[0].plugins.limit-conn"
        func errs(_ fields: String) -> [String] { errors(plugins: "{limit-conn: {\(fields)}}") }
        let ok = "default_conn_delay: 1, key: remote_addr"
        #expect(errs("conn: 0, burst: 0, \(ok)") == ["\(p).conn: must be > 0, got 0"])
        #expect(errs("conn: 1.5, burst: 0, \(ok)") == ["\(p).conn: must be an integer, got a number"])
        #expect(errs("conn: 1, burst: -1, \(ok)") == ["\(p).burst: must be >= 0, got -1"])
        #expect(errs("conn: 1, burst: 0, default_conn_delay: 0, key: remote_addr")
                == ["\(p).default_conn_delay: must be > 0, got 0"])
        #expect(errs("burst: 0, \(ok)") == ["\(p).conn: is required"])
        #expect(errs("conn: 1, burst: 0, default_conn_delay: 1") == ["\(p).key: is required"])
        #expect(errs("conn: 1, burst: 0, default_conn_delay: 1, key: host")
                == ["\(p).key: must be one of remote_addr, remote_port, server_addr, server_port, ssl_server_name, got \"host\""])
        #expect(errs("conn: 1, burst: 0, default_conn_delay: 1, key: \"$host\", key_type: var_combination")
                == ["\(p).key: unknown variable \"$host\" (known: remote_addr, remote_port, server_addr, server_port, ssl_server_name)"])
        #expect(errs("conn: 1, burst: 0, \(ok), key_type: lua") == ["\(p).key_type: must be one of var, var_combination, got \"lua\""])
        #expect(errs("conn: 1, burst: 0, \(ok), only_use_default_delay: 1")
                == ["\(p).only_use_default_delay: must be true or false, got an integer"])
        #expect(errs("conn: 1, burst: 0, \(ok), rejected_code: 429")
                == ["\(p).rejected_code: a stream connection beyond the limit is refused with status 503; got 429"])
        #expect(errs("conn: 1, burst: 0, \(ok), policy: redis")
                == ["\(p).policy: only \"local\" is supported (counting within this Sluice), got \"redis\""])
        #expect(errs("conn: 1, burst: 0, \(ok), _meta: {disable: yes please}")
                == ["\(p)._meta.disable: must be true or false, got a string"])
        #expect(errs("conn: 1, burst: 0, \(ok), _meta: {priority: 3}") == ["\(p)._meta.priority: unknown field"])
    }

    @Test func prometheusLoadsWithAPISIXDefaults() throws {
        let route = { (plugin: String) in "stream_routes:\n  - id: 1\n    plugins: {prometheus: \(plugin)}\n"
            + "    upstream: {nodes: {\"127.0.0.1:1\": 1}}\n" }
        #expect(try plugins(route("{}")) == [.prometheus(PrometheusConfig(preferName: false))])
        #expect(try plugins(route("{prefer_name: true}")) == [.prometheus(PrometheusConfig(preferName: true))])
        #expect(errors(plugins: "{prometheus: {prefer_name: 1}}")
                == ["stream_routes[0].plugins.prometheus.prefer_name: must be true or false, got an integer"])
        #expect(errors(plugins: "{prometheus: {export_uri: /x}}")
                == ["stream_routes[0].plugins.prometheus.export_uri: unknown field"])
    }

    @Test func unknownPluginsAreRefused() {
        #expect(errors(plugins: "{key-auth: {}}") == ["stream_routes[0].plugins.key-auth: unknown stream plugin"])
    }

    @Test func routeOverridesServiceAndMetaDisableSkips() throws {
        let yaml = """
        services:
          - id: s
            plugins:
              ip-restriction: {blacklist: ["10.0.0.1"]}
              limit-conn: {conn: 9, burst: 0, default_conn_delay: 1, key: remote_addr}
            upstream: {nodes: {"127.0.0.1:1": 1}}
        stream_routes:
          - id: 1
            service_id: s
            plugins:
              limit-conn: {conn: 1, burst: 0, default_conn_delay: 1, key: server_addr}
          - id: 2
            service_id: s
            plugins:
              ip-restriction: {whitelist: ["::1"], _meta: {disable: true}}
        """
        let config = try decode(yaml)
        let service = config.service("s")?.plugins
        let first = config.streamRoutes[0].plugins.merged(over: service)
        #expect(first.map(\.name) == ["ip-restriction", "limit-conn"])
        #expect(first.last == .limitConn(LimitConnConfig(conn: 1, burst: 0, defaultConnDelay: 1,
                                                         key: [.variable("server_addr")])))
        let second = config.streamRoutes[1].plugins.merged(over: service)
        #expect(second.map(\.name) == ["limit-conn"])
    }
}
