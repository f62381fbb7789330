import Testing
@testable import SluiceConfig

/// Decoding `gateway.yaml` and Admin API bodies: APISIX's shapes load, and every error names its field and line.
struct GatewayDecodingTests {
    func decode(_ yaml: String) throws -> GatewayConfig {
        try GatewayConfig.decode(try ConfigValue.parseYAML(yaml, file: "gateway.yaml"), file: "gateway.yaml")
    }

    func errors(_ yaml: String) -> [String] {
        do {
            _ = try decode(yaml)
            return []
        } catch let e as ConfigErrors {
            return e.errors.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func apisixStreamRouteExamplesLoad() throws {
        let config = try decode("""
        stream_routes:
          - id: 1
            remote_addr: "127.0.0.1"
            upstream:
              nodes:
                "127.0.0.1:1995": 1
              type: roundrobin
          - id: 2
            server_addr: "127.0.0.10"
            server_port: 2000
            upstream_id: 1
          - id: 3
            sni: "a.test.com"
            upstream:
              type: chash
              key: remote_addr
              nodes:
                - {host: 127.0.0.1, port: 5991, weight: 1, priority: 1}
                - {host: 127.0.0.2, port: 5991, weight: 2}
        upstreams:
          - id: 1
            nodes:
              "127.0.0.1:3306": 1
        """)
        #expect(config.streamRoutes.map(\.id) == ["1", "2", "3"])
        #expect(config.streamRoutes[0].remoteAddr.map(\.prefixLength) == [32])
        #expect(config.streamRoutes[1].serverPort == 2000)
        #expect(config.streamRoutes[2].upstream?.nodes.map(\.weight) == [1, 2])
        #expect(config.streamRoutes[2].upstream?.nodes[0].priority == 1)
        #expect(config.upstreams[0].maxAttempts == 1)
        #expect(config.resolvedUpstream(for: config.streamRoutes[1])?.key == "upstreams/1")
    }

    @Test func jsonAndYAMLDecodeToTheSameModel() throws {
        let json = #"{"stream_routes":[{"id":"r","server_port":9100,"upstream":{"type":"roundrobin","nodes":{"127.0.0.1:6379":2},"timeout":{"connect":1.5,"send":3,"read":4}}}]}"#
        let fromJSON = try GatewayConfig.decode(try ConfigValue.parseJSON(Array(json.utf8)), file: nil)
        let fromYAML = try decode("""
        stream_routes:
          - id: r
            server_port: 9100
            upstream: {type: roundrobin, nodes: {"127.0.0.1:6379": 2}, timeout: {connect: 1.5, send: 3, read: 4}}
        """)
        #expect(fromJSON.streamRoutes[0].upstream == fromYAML.streamRoutes[0].upstream)
        #expect(fromJSON.streamRoutes[0].upstream?.timeout.idle == 4)
    }

    @Test func badPortNamesFileLineAndPath() {
        let errs = errors("""
        stream_routes:
          - id: 1
            upstream:
              nodes:
                "127.0.0.1:6379": 1
          - id: 2
            upstream:
              nodes:
                "127.0.0.1:6380": 1
                "127.0.0.1:70000": 1
        """)
        #expect(errs == ["gateway.yaml:10: stream_routes[1].upstream.nodes[1].port: must be 1…65535, got 70000"])
    }

    @Test func everyErrorIsReported() {
        let errs = errors("""
        stream_routes:
          - id: 1
            server_port: 0
            remote_addr: "300.1.1.1"
            colour: blue
            upstream:
              type: fastest
              nodes:
                - {host: 127.0.0.1, port: 80, weight: -1}
        """)
        #expect(errs.contains("gateway.yaml:3: stream_routes[0].server_port: must be 1…65535, got 0"))
        #expect(errs.contains("gateway.yaml:4: stream_routes[0].remote_addr: must be an IP address or CIDR, got \"300.1.1.1\""))
        #expect(errs.contains("gateway.yaml:5: stream_routes[0].colour: unknown field"))
        #expect(errs.contains { $0.hasPrefix("gateway.yaml:7: stream_routes[0].upstream.type: must be one of") })
        #expect(errs.contains { $0.contains("stream_routes[0].upstream.nodes[0].weight: must be 0…") })
        #expect(errs.count == 5)
    }

    @Test func referencesMustExist() {
        let errs = errors("""
        stream_routes:
          - id: 1
            upstream_id: nope
          - id: 2
            service_id: web
          - id: 3
        services:
          - id: web
            type: http
            upstream: {nodes: {"127.0.0.1:80": 1}}
        """)
        #expect(errs.contains("gateway.yaml:3: stream_routes[0].upstream_id: upstream \"nope\" does not exist"))
        #expect(errs.contains { $0.hasPrefix("gateway.yaml:5: stream_routes[1].service_id: service \"web\" is an http service") })
        #expect(errs.contains { $0.hasPrefix("gateway.yaml:6: stream_routes[2]: needs an upstream") })
    }

    @Test func duplicateIDsAreRefused() {
        let errs = errors("""
        upstreams:
          - {id: a, nodes: {"127.0.0.1:1": 1}}
          - {id: a, nodes: {"127.0.0.1:2": 1}}
        """)
        #expect(errs == ["gateway.yaml:3: upstreams[1].id: duplicate id \"a\", also used by upstreams[0]"])
    }

    @Test func chashNeedsAKeyAndRetriesDefaultToNodesMinusOne() throws {
        #expect(errors("stream_routes:\n  - id: 1\n    upstream: {type: chash, nodes: {\"127.0.0.1:1\": 1}}\n")
            .contains { $0.contains("upstream.key: is required when type is chash") })
        let config = try decode("""
        upstreams:
          - {id: a, nodes: {"127.0.0.1:1": 1, "127.0.0.1:2": 1, "127.0.0.1:3": 0}}
          - {id: b, retries: 0, nodes: {"127.0.0.1:1": 1, "127.0.0.1:2": 1}}
        """)
        #expect(config.upstreams[0].maxAttempts == 3)
        #expect(config.upstreams[1].maxAttempts == 1)
    }

    @Test func socketKeepaliveIsABooleanForTCPUpstreams() throws {
        let config = try decode("""
        upstreams:
          - {id: a, socket_keepalive: true, nodes: {"127.0.0.1:1": 1}}
          - {id: b, nodes: {"127.0.0.1:1": 1}}
        """)
        #expect(config.upstreams.map(\.socketKeepalive) == [true, false])
        #expect(errors("upstreams:\n  - {id: a, socket_keepalive: 1, nodes: {\"127.0.0.1:1\": 1}}\n")
            == ["gateway.yaml:2: upstreams[0].socket_keepalive: must be true or false, got an integer"])
        #expect(errors("upstreams:\n  - {id: a, scheme: udp, socket_keepalive: true, nodes: {\"127.0.0.1:1\": 1}}\n")
            == ["gateway.yaml:2: upstreams[0].socket_keepalive: is for TCP connections; scheme udp has none"])
    }

    @Test func maxConnsIsANodeFieldOfTheListForm() throws {
        let config = try decode("""
        upstreams:
          - {id: a, nodes: [{host: 127.0.0.1, port: 1, max_conns: 5}, {host: 127.0.0.1, port: 2}]}
        """)
        #expect(config.upstreams[0].nodes.map(\.maxConns) == [5, 0])
        #expect(errors("upstreams:\n  - {id: a, nodes: [{host: 127.0.0.1, port: 1, max_conns: -1}]}\n")
            == ["gateway.yaml:2: upstreams[0].nodes[0].max_conns: must be 0…2147483647, got -1"])
    }

    @Test func servicesDefaultToStreamTCPAndKeepOtherAPISIXSections() throws {
        let config = try decode("""
        services:
          - id: s
            upstream: {nodes: {"127.0.0.1:1": 1}}
          - id: u
            scheme: udp
            upstream: {nodes: {"127.0.0.1:53": 1}}
        routes:
          - uri: /hello
            upstream: {nodes: {"127.0.0.1:80": 1}}
        """)
        #expect(config.services[0].type == .stream && config.services[0].scheme == .tcp)
        #expect(config.services[1].scheme == .udp)
        #expect(config.otherSections.map(\.key) == ["routes"])
        #expect(config.document()["routes"] != nil)
    }

    @Test func unknownPluginsAreRefusedNotIgnored() {
        let errs = errors("""
        stream_routes:
          - id: 1
            plugins:
              limit-bandwidth: {upload_rate: 1024}
              teleport: {}
            upstream: {nodes: {"127.0.0.1:1": 1}}
        """)
        #expect(errs == ["gateway.yaml:5: stream_routes[0].plugins.teleport: unknown stream plugin"])
    }

    @Test func malformedYAMLGivesALine() {
        let errs = errors("stream_routes:\n  - id: 1\n   bad: [\n")
        #expect(errs.count == 1)
        #expect(errs.first?.hasPrefix("gateway.yaml:") == true)
        #expect(errs.first?.contains("invalid YAML") == true)
    }
}
