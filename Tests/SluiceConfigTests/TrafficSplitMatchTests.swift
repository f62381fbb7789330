import Testing
@testable import SluiceConfig

/// traffic-split's `rules[].match[].vars`: lua-resty-expr's forms (lists, logic operators, `!`, the short
/// `[var, value]`), every operator decoded, and every malformed expression refused with the element's path.
extension StreamPluginConfigTests {
    /// The `vars` of the first match entry of the first rule.
    func vars(_ flow: String) throws -> VarsExpression? {
        let config = try split("""
        stream_routes:
          - id: 1
            plugins: {traffic-split: {rules: [{match: [{vars: \(flow)}], weighted_upstreams: [{weight: 1}]}]}}
            upstream: {nodes: {"127.0.0.1:1": 1}}
        """)
        return config?.rules.first?.match?.first
    }

    func varsErrors(_ flow: String) -> [String] {
        errors(plugins: "{traffic-split: {rules: [{match: [{vars: \(flow)}]}]}}")
    }

    func cmp(_ variable: String, _ test: VarsExpression.Test, negated: Bool = false) -> VarsExpression {
        .comparison(.init(variable: variable, test: test, negated: negated))
    }

    @Test func matchDecodesEveryOperatorAndForm() throws {
        #expect(try vars(#"[[remote_addr, "==", "10.0.0.1"], [server_port, "==", 9100]]"#)
                == .all([cmp("remote_addr", .equals(.string("10.0.0.1"))), cmp("server_port", .equals(.number(9100)))]))
        #expect(try vars(#"[[remote_port, "~=", 1], [ssl_server_name, "==", null]]"#)
                == .all([cmp("remote_port", .equals(.number(1)), negated: true), cmp("ssl_server_name", .equals(.null))]))
        #expect(try vars(#"[[remote_port, ">", 1], [remote_port, ">=", "2"], [remote_port, "<", 3.5], [remote_port, "<=", 4]]"#)
                == .all([cmp("remote_port", .order(.greater, 1)), cmp("remote_port", .order(.greaterOrEqual, 2)),
                         cmp("remote_port", .order(.less, 3.5)), cmp("remote_port", .order(.lessOrEqual, 4))]))
        #expect(try vars(#"[[ssl_server_name, "~~", "^a\\."], [mqtt_client_id, "~*", "DEV"]]"#)
                == .all([cmp("ssl_server_name", .regex(pattern: "^a\\.", caseInsensitive: false)),
                         cmp("mqtt_client_id", .regex(pattern: "DEV", caseInsensitive: true))]))
        #expect(try vars(#"[[server_port, "IN", [9100, "9101"]], [remote_addr, "!", "ipmatch", ["10.0.0.0/8", "::1"]]]"#)
                == .all([cmp("server_port", .member([.number(9100), .string("9101")])),
                         cmp("remote_addr", .ipMatch([CIDR("10.0.0.0/8")!, CIDR("::1")!]), negated: true)]))
        // The short form compares with ==; route_id is a variable, as APISIX's stream test uses it.
        #expect(try vars(#"[[route_id, "1"]]"#) == .all([cmp("route_id", .equals(.string("1")))]))
        // Logic operators, nested; the empty list always holds.
        #expect(try vars(#"["OR", [remote_port, "==", 1], ["!AND", [server_port, "==", 2], [server_port, "==", 3]]]"#)
                == .any([cmp("remote_port", .equals(.number(1))),
                         .not(.all([cmp("server_port", .equals(.number(2))), cmp("server_port", .equals(.number(3)))]))]))
        #expect(try vars("[]") == .all([]))
    }

    @Test func matchRulesHoldAsAPISIXsLoopDoes() throws {
        let config = try split("""
        upstreams: [{id: a, nodes: {"127.0.0.1:2": 1}}]
        stream_routes:
          - id: 1
            plugins:
              traffic-split:
                rules:
                  - {match: [{vars: [[remote_addr, "==", "10.0.0.1"]]}, {vars: []}], weighted_upstreams: [{upstream_id: a}]}
                  - {match: [], weighted_upstreams: [{upstream_id: a}]}
                  - {weighted_upstreams: [{upstream_id: a}]}
        """)
        let rules = try #require(config?.rules)
        #expect(rules[0].holdsAlways(asRuleAt: 0) == true, "a match entry with empty vars always holds")
        #expect(rules[1].holdsAlways(asRuleAt: 1) == false, "match: [] holds only as the first rule")
        #expect(rules[1].holdsAlways(asRuleAt: 0) == true)
        #expect(rules[2].holdsAlways(asRuleAt: 2) == true)
        #expect(config?.routeUpstreamUse == nil, "every connection is sent to upstream a")
    }

    @Test func aRouteWhoseRulesMayAllFailNeedsItsOwnUpstream() {
        do {
            _ = try decode("""
            upstreams: [{id: a, nodes: {"127.0.0.1:2": 1}}]
            stream_routes:
              - id: 1
                plugins: {traffic-split: {rules: [{match: [{vars: [[server_port, "==", 1]]}], weighted_upstreams: [{upstream_id: a}]}]}}
            """)
            Issue.record("a route none of whose rules must hold loaded without an upstream")
        } catch let e as ConfigErrors {
            let why = "stream_routes[0]: needs an upstream (a connection no traffic-split rule holds for goes to the "
                + "route's own upstream)"
            #expect(e.errors.map(\.description).contains { $0.contains(why) }, "\(e.errors)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func malformedMatchesNameTheElement() {
        let m = "stream_routes[0].plugins.traffic-split.rules[0].match"
        let v = "\(m)[0].vars"
        #expect(varsErrors(#"[[http_host, "==", "a"]]"#) == ["\(v)[0][0]: unknown variable \"http_host\" (stream "
            + "variables: remote_addr, remote_port, server_addr, server_port, ssl_server_name, route_id, mqtt_client_id)"])
        #expect(varsErrors(#"[[remote_addr, "=~", "a"]]"#) == ["\(v)[0][1]: invalid operator \"=~\" (one of == ~= > "
            + ">= < <= ~~ ~* in has ipmatch, optionally after \"!\")"])
        #expect(varsErrors(#"[remote_addr, "==", "a"]"#) == ["\(v): rule should be wrapped inside brackets: write "
            + "[[\"remote_addr\", …]], a list of expressions"])
        #expect(varsErrors(#"[[remote_addr, "not", "==", "a"]]"#)
                == ["\(v)[0][1]: bad 'not' expression: four elements read [variable, \"!\", operator, value]"])
        #expect(varsErrors(#"[[remote_addr]]"#) == ["\(v)[0]: invalid expression: write [variable, operator, value] "
            + "or [variable, \"!\", operator, value], got 1 element"])
        #expect(varsErrors(#"[[remote_addr, "in"]]"#)
                == ["\(v)[0]: invalid expression: operator \"in\" needs a value after it"])
        #expect(varsErrors(#"[[remote_port, ">", "many"]]"#)
                == ["\(v)[0][2]: > compares numbers: must be a number, got \"many\""])
        #expect(varsErrors(#"[[ssl_server_name, "~~", "(a"]]"#) == ["\(v)[0][2]: is not a valid regular expression: (a"])
        #expect(varsErrors(#"[[remote_addr, "ipmatch", ["10.0.0.0/8", "nope"]]]"#)
                == ["\(v)[0][2]: ipmatch needs IP addresses or CIDRs, got \"nope\""])
        #expect(varsErrors(#"[[remote_addr, "has", "a"]]"#) == ["\(v)[0][2]: has tests a list variable, and no "
            + "stream variable is a list: it could never hold"])
        #expect(varsErrors(#"[[server_port, "in", [1, null]]]"#)
                == ["\(v)[0][2]: must be a string or a number, got null"])
        #expect(varsErrors(#"[[remote_addr, "==", true]]"#)
                == ["\(v)[0][2]: must be a string, a number or null, got a boolean"])
        #expect(varsErrors(#"["OR", [remote_port, "==", 1]]"#)
                == ["\(v): \"OR\" needs at least two expressions after it (rule too short)"])
        #expect(varsErrors(#"[[[]]]"#) == ["\(v)[0][0]: must not be empty (rule too short)"])
        #expect(varsErrors(#""remote_addr""#)
                == ["\(v): must be a list of expressions ([[variable, operator, value], …]), got a string"])
        #expect(errors(plugins: "{traffic-split: {rules: [{match: [{}]}]}}") == ["\(m)[0].vars: is required"])
        #expect(errors(plugins: "{traffic-split: {rules: [{match: {vars: []}}]}}")
                == ["\(m): must be a list of {vars: [...]}, got an object"])
        #expect(errors(plugins: "{traffic-split: {rules: [{match: [{vars: [], var: 1}]}]}}") == ["\(m)[0].var: unknown field"])
    }
}
