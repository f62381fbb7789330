import Logging
import NIOEmbedded
import NIOPosix
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// traffic-split's `match` at run time: lua-resty-expr's comparisons over the session's variables, and the first
/// rule that holds choosing the upstream (no rule holding, or a rule of weight-0 entries, keeps the route's own).
struct TrafficSplitMatchTests {
    func session(_ client: String, port: Int = 9100, sni: String? = nil, clientID: String? = nil) -> PluginSession {
        var facts = ConnectionFacts(remoteAddress: IPAddress(client), serverAddress: IPAddress("127.0.0.1"),
                                    serverPort: port, sni: sni)
        facts.clientPort = 50000
        var s = PluginSession(facts: facts, routeID: "7", listenAddr: "127.0.0.1:\(port)")
        if let clientID { s.variables["mqtt_client_id"] = clientID }
        return s
    }

    /// Whether `vars` (YAML flow) holds for `s`.
    func holds(_ vars: String, _ s: PluginSession) throws -> Bool {
        let problems = Problems(file: nil)
        let value = try ConfigValue.parseYAML("v: \(vars)", file: "t")["v"]!
        let e = try #require(VarsExpression.decode(value, path: "vars", problems: problems), "\(problems.errors)")
        return VarsMatcher(e).holds(s.value(of:))
    }

    @Test func comparisonsFollowLuaRestyExpr() throws {
        let s = session("10.1.2.3", sni: "Api.example.com", clientID: "dev-42")
        // == as text or as a number; ~= its negation; null means absent.
        #expect(try holds(#"[[remote_addr, "==", "10.1.2.3"], [server_port, "==", 9100], [remote_port, "==", "50000"]]"#, s))
        #expect(try !holds(#"[[server_port, "==", "09100"]]"#, s), "text compares as text")
        #expect(try holds(#"[[server_port, "==", 9100.0]]"#, s), "a number compares as a number")
        #expect(try holds(#"[[route_id, "~=", "8"], [mqtt_client_id, "~=", null]]"#, s))
        #expect(try holds(#"[[ssl_server_name, "==", null]]"#, session("10.1.2.3")), "absent")
        #expect(try !holds(#"[[ssl_server_name, "~~", "."]]"#, session("10.1.2.3")), "absent fails a regex")
        #expect(try holds(#"[[ssl_server_name, "!", "~~", "."]]"#, session("10.1.2.3")))
        // Numeric order; a variable that is no number fails every order test.
        #expect(try holds(#"[[remote_port, ">", 49999], [remote_port, ">=", 50000], [remote_port, "<", "50001"], [remote_port, "<=", 50000]]"#, s))
        #expect(try !holds(#"[[remote_port, ">", 50000]]"#, s))
        #expect(try !holds(#"[[mqtt_client_id, ">", 0]]"#, s) && !holds(#"[[mqtt_client_id, "<=", 0]]"#, s))
        // Regexes: ~~ case-sensitive, ~* not; found anywhere in the value.
        #expect(try holds(#"[[ssl_server_name, "~~", "example\\.com$"]]"#, s))
        #expect(try !holds(#"[[ssl_server_name, "~~", "^api"]]"#, s) && holds(#"[[ssl_server_name, "~*", "^api"]]"#, s))
        #expect(try holds(#"[[mqtt_client_id, "~~", "[0-9]+"]]"#, s))
        // in: strings as text, numbers as numbers.
        #expect(try holds(#"[[server_port, "in", [9000, 9100]], [mqtt_client_id, "in", ["dev-1", "dev-42"]]]"#, s))
        #expect(try !holds(#"[[mqtt_client_id, "in", ["dev-4"]]]"#, s))
        // ipmatch over IPv4 and IPv6 blocks, also for the IPv4-mapped form.
        #expect(try holds(#"[[remote_addr, "ipmatch", ["192.168.0.0/16", "10.0.0.0/8"]]]"#, s))
        #expect(try !holds(#"[[remote_addr, "ipmatch", "10.1.2.4"]]"#, s))
        #expect(try holds(#"[[remote_addr, "ipmatch", "::1"]]"#, session("::1")))
        #expect(try holds(#"[[remote_addr, "ipmatch", "10.0.0.0/8"]]"#, session("::ffff:10.0.0.9")))
        #expect(try !holds(#"[[mqtt_client_id, "ipmatch", "10.0.0.0/8"]]"#, s), "not an address")
        // Logic operators; a plain list needs all.
        #expect(try holds(#"["OR", [remote_port, "==", 1], [route_id, "==", "7"]]"#, s))
        #expect(try !holds(#"[[remote_port, "==", 1], [route_id, "==", "7"]]"#, s))
        #expect(try holds(#"["!OR", [remote_port, "==", 1], [route_id, "==", "8"]]"#, s))
        #expect(try !holds(#"["!AND", [remote_port, "==", 50000], [route_id, "==", "7"]]"#, s))
        #expect(try holds(#"["AND", [route_id, "7"], ["OR", [remote_port, "==", 1], [remote_addr, "ipmatch", "10.0.0.0/8"]]]"#, s))
        #expect(try holds("[]", s))
    }

    @Test func theFirstRuleThatHoldsChooses() throws {
        let yaml = """
        stream_routes:
          - id: 7
            upstream: {nodes: {"127.0.0.1:1": 1}}
            plugins:
              traffic-split:
                rules:
                  - match: [{vars: [[remote_addr, "ipmatch", "10.0.0.0/8"]]}, {vars: [[server_port, "==", 9200]]}]
                    weighted_upstreams: [{upstream: {nodes: {"127.0.0.1:2": 1}}}]
                  - match: [{vars: [[remote_addr, "==", "192.168.0.1"]]}]
                    weighted_upstreams: [{upstream: {nodes: {"127.0.0.1:3": 1}}, weight: 0}]
                  - match: []
                    weighted_upstreams: [{upstream: {nodes: {"127.0.0.1:4": 1}}}]
                  - match: [{vars: [[remote_addr, "==", "172.16.0.1"]]}]
                    weighted_upstreams: [{upstream: {nodes: {"127.0.0.1:5": 1}}, weight: 1}, {weight: 1}]
        """
        let config = try GatewayConfig.decode(try ConfigValue.parseYAML(yaml, file: "t"), file: "t")
        let logger = Logger(label: "test")
        let table = RoutingTable(snapshot: ConfigSnapshot(revision: 1, config: config, objectRevisions: [:]),
                                 previous: nil, counters: CounterTable(),
                                 health: HealthRegistry(group: EmbeddedEventLoop(), logger: logger,
                                                        names: NodeNameResolver(loop: MultiThreadedEventLoopGroup.singleton.next(),
                                                                                logger: logger)),
                                 logger: logger)
        let route = try #require(table.router.match(session("10.0.0.1").facts))
        func chosen(_ s: PluginSession) -> String? { route.plugins.balance(s).upstream?.key }
        #expect(chosen(session("10.0.0.1")) == "stream_routes/7/traffic-split/0/0")
        #expect(chosen(session("127.0.0.9", port: 9200)) == "stream_routes/7/traffic-split/0/0", "second match entry")
        #expect(chosen(session("192.168.0.1")) == nil, "its rule holds, its only entry weighs 0: the route's own")
        #expect(chosen(session("127.0.0.9")) == nil, "match: [] after the first rule never holds; no rule: own")
        let split = (0..<4).map { _ in chosen(session("172.16.0.1")) }
        // An entry without an upstream chooses the route's own.
        #expect(split.filter { $0 == "stream_routes/7/traffic-split/3/0" }.count == 2
                && split.filter { $0 == "stream_routes/7" }.count == 2, "\(split)")
    }
}
