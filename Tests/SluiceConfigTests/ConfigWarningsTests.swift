import Testing
@testable import SluiceConfig

/// Valid but cannot work: upstreams without nodes, routes no listener serves, sni on plain listeners.
struct ConfigWarningsTests {
    func config(_ yaml: String) throws -> GatewayConfig { try Store.decodeFile(yaml, name: "gateway.yaml") }

    func listener(_ host: String, _ port: Int, tls: Bool = false, passthrough: Bool = false) -> ListenerSpec {
        var l = ListenerSpec(transport: .tcp, host: host, port: port)
        l.tls = tls
        l.tlsPassthrough = passthrough
        return l
    }

    @Test func eachKindIsFoundWithItsLine() throws {
        let c = try config("""
        stream_routes:
          - id: a
            server_port: 9999
            upstream_id: u
          - id: b
            sni: db.example.com
            server_port: 9100
            upstream_id: u
          - id: c
            server_addr: 10.0.0.1
            upstream: {nodes: {}}
        upstreams:
          - id: u
            nodes: {}
        """)
        let found = ConfigWarnings.find(in: c, listeners: [listener("127.0.0.1", 9100)], file: "gateway.yaml")
        #expect(found.map(\.path) == ["stream_routes[0].server_port", "stream_routes[1].sni", "stream_routes[2].server_addr",
                                      "stream_routes[2].upstream.nodes", "upstreams[0].nodes"])
        #expect(found[0].description.hasPrefix("gateway.yaml:3: stream_routes[0].server_port: no listener serves port 9999"))
        #expect(found[1].description.hasPrefix("gateway.yaml:6: stream_routes[1].sni: no listener it can match on terminates TLS"))
        #expect(found[4].description == "gateway.yaml:14: upstreams[0].nodes: no nodes: every connection routed here will fail")
        #expect(ConfigWarnings.of(.streamRoutes, "a", in: c, listeners: [listener("127.0.0.1", 9100)]).map(\.path)
                == ["server_port"])
        #expect(ConfigWarnings.find(in: c, listeners: nil).map(\.path) == ["stream_routes[2].upstream.nodes", "upstreams[0].nodes"],
                "listeners unknown: only what the configuration alone shows")
    }

    @Test func workingRoutesHaveNone() throws {
        let c = try config("""
        stream_routes:
          - {id: a, server_port: 9100, upstream_id: u}
          - {id: b, server_addr: 10.0.0.1, server_port: 9443, sni: "*.example.com", upstream_id: u}
          - {id: c, sni: x.example.com, upstream_id: u}
          - {id: d, upstream_id: u}
        upstreams:
          - {id: u, nodes: {"127.0.0.1:1": 1}}
        """)
        let listeners = [listener("127.0.0.1", 9100), listener("0.0.0.0", 9443, tls: true), listener("127.0.0.1", 9444, passthrough: true)]
        #expect(ConfigWarnings.find(in: c, listeners: listeners).isEmpty)
    }
}
