import Testing
@testable import SluiceConfig

/// traffic-split configurations: APISIX's defaults, upstream_id references checked like any other, a route that
/// needs no upstream of its own when every entry names one, and every error naming its field.
extension StreamPluginConfigTests {
    func split(_ yaml: String) throws -> TrafficSplitConfig? {
        try decode(yaml).streamRoutes[0].plugins.trafficSplit
    }

    @Test func trafficSplitLoadsWithDefaults() throws {
        let got = try split("""
        upstreams: [{id: canary, nodes: {"127.0.0.1:2": 1}}]
        stream_routes:
          - id: 1
            plugins:
              traffic-split:
                rules:
                  - weighted_upstreams:
                      - {upstream_id: canary, weight: 1}
                      - {upstream: {nodes: {"127.0.0.1:3": 1}}}
                      - {weight: 9}
            upstream: {nodes: {"127.0.0.1:1": 1}}
        """)
        let entries = got?.rules.first?.weightedUpstreams
        #expect(got?.rules.count == 1 && got?.rules[0].match == nil)
        #expect(entries?.map(\.weight) == [1, 1, 9])
        #expect(got?.upstreamIDs == ["canary"])
        #expect(entries?[2].target == .route)
        guard case .inline(let up)? = entries?[1].target else {
            Issue.record("not inline: \(String(describing: got))")
            return
        }
        #expect(up.nodes == [UpstreamNode(host: "127.0.0.1", port: 3)])
        // A rule without weighted_upstreams is APISIX's default [{weight: 1}]; no rules change nothing.
        let defaulted = try split("""
        stream_routes: [{id: 1, plugins: {traffic-split: {rules: [{}]}}, upstream: {nodes: {"127.0.0.1:1": 1}}}]
        """)
        #expect(defaulted?.rules == [.init(weightedUpstreams: [.init(.route, weight: 1)])])
        #expect(try split("""
        stream_routes: [{id: 1, plugins: {traffic-split: {}}, upstream: {nodes: {"127.0.0.1:1": 1}}}]
        """)?.rules == [])
    }

    @Test func trafficSplitErrorsNameTheField() {
        let p = "stream_routes[0].plugins.traffic-split"
        let w = "\(p).rules[0].weighted_upstreams"
        #expect(errors(plugins: "{traffic-split: {rules: [{weighted_upstreams: [{upstream_id: nope}]}]}}")
                == ["\(w)[0].upstream_id: upstream \"nope\" does not exist"])
        #expect(errors(plugins: "{traffic-split: {rules: [{weighted_upstreams: []}]}}")
                == ["\(w): must be a list of 1 to 20 weighted upstreams, got 0 items"])
        #expect(errors(plugins: "{traffic-split: {rules: [{weighted_upstreams: [{weight: -1}]}]}}")
                == ["\(w)[0].weight: must be 0…2147483647, got -1"])
        let both = #"{upstream_id: a, upstream: {nodes: {"127.0.0.1:1": 1}}}"#
        #expect(errors(plugins: "{traffic-split: {rules: [{weighted_upstreams: [\(both)]}]}}")
                == ["\(w)[0].upstream: give upstream_id or upstream, not both"])
        #expect(errors(plugins: "{traffic-split: {rules: [{weighted_upstreams: [{upstream: {nodes: {x: 1}}}]}]}}")
                .first?.hasPrefix("\(w)[0].upstream.nodes[0]") == true)
        #expect(errors(plugins: "{traffic-split: {rules: [{weighted_upstreams: [{weigth: 1}]}]}}")
                == ["\(w)[0].weigth: unknown field"])
        #expect(errors(plugins: "{traffic-split: {rules: {}}}") == ["\(p).rules: must be a list, got an object"])
    }

    @Test func trafficSplitNamingEveryUpstreamNeedsNoRouteUpstream() throws {
        let config = try decode("""
        upstreams: [{id: a, nodes: {"127.0.0.1:2": 1}}]
        stream_routes:
          - id: 1
            plugins: {traffic-split: {rules: [{weighted_upstreams: [{upstream_id: a}, {upstream_id: a, weight: 0}]}]}}
        """)
        #expect(config.resolvedUpstream(for: config.streamRoutes[0]) == nil)
        // An entry that means the route's own upstream needs one.
        #expect(throws: ConfigErrors.self) {
            try decode("""
            upstreams: [{id: a, nodes: {"127.0.0.1:2": 1}}]
            stream_routes:
              - id: 1
                plugins: {traffic-split: {rules: [{weighted_upstreams: [{upstream_id: a}, {weight: 1}]}]}}
            """)
        }
        do {
            _ = try decode("""
            stream_routes: [{id: 1, plugins: {traffic-split: {rules: [{weighted_upstreams: [{weight: 1}]}]}}}]
            """)
            Issue.record("a route whose traffic-split means its own upstream loaded without one")
        } catch let e as ConfigErrors {
            let why = "stream_routes[0]: needs an upstream (its traffic-split sends connections to the route's own "
                + "upstream)"
            #expect(e.errors.map(\.description).contains { $0.contains(why) }, "\(e.errors)")
        }
    }
}
