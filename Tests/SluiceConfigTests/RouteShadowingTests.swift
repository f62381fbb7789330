import Testing
@testable import SluiceConfig

/// A route that can never be chosen because one the router tries first matches every connection it does.
struct RouteShadowingTests {
    func config(_ yaml: String) throws -> GatewayConfig { try Store.decodeFile(yaml, name: "gateway.yaml") }

    @Test func theWarningSaysWhichRouteWinsAndWhy() throws {
        let c = try config("""
        stream_routes:
          - {id: "1", server_port: 9100, upstream_id: u}
          - {id: "2", server_port: 9100, remote_addr: 10.0.0.0/8, upstream_id: u}
          - {id: "3", server_port: 9100, priority: 5, upstream_id: u}
          - id: "4"
            server_port: 9100
            sni: a.example.com
            upstream_id: u
          - {id: "5", server_port: 9100, sni: "*.example.com", upstream_id: u}
          - {id: "6", server_addr: [10.0.0.0/8, 192.168.1.0/24], upstream_id: u}
          - {id: "7", server_addr: 10.1.0.0/16, upstream_id: u}
        upstreams:
          - {id: u, nodes: {"127.0.0.1:1": 1}}
        """)
        let found = ConfigWarnings.find(in: c, listeners: nil, file: "gateway.yaml")
        #expect(found.map(\.description) == [
            "gateway.yaml:2: stream_routes[0].priority: never chosen: route 3 (stream_routes[2]) matches every "
                + "connection this route does and is tried first (its priority 5 is higher); a priority above 5 makes "
                + "this route win",
            "gateway.yaml:11: stream_routes[6].server_addr: never chosen: route 6 (stream_routes[5]) matches every "
                + "connection this route does and is more specific in the router's order",
        ], "2 is narrower than 3 (tried first: more specific), 4 and 5 have an sni, 3 wins over 1")
        #expect(ConfigWarnings.of(.streamRoutes, "1", in: c, listeners: nil).map(\.path) == ["priority"])
    }

    @Test(arguments: [
        // (earlier route, later route, shadowed?)
        ("{server_port: 9100}", "{server_port: 9100}", true),                       // same: id 1 wins
        ("{}", "{server_port: 9100}", false),                                       // a port route is tried first
        ("{server_port: 9100}", "{}", false),                                       // other ports still reach 2
        ("{remote_addr: 10.0.0.0/8}", "{remote_addr: 10.0.0.0/8, priority: -1}", true),
        ("{remote_addr: [10.0.0.0/8, 172.16.0.0/12]}", "{remote_addr: [172.16.1.0/24, 10.1.0.0/16]}", false), // 2 is more specific
        ("{remote_addr: [10.0.0.0/24, 172.16.0.0/12]}", "{remote_addr: 172.16.1.0/24, priority: -1}", true),
        ("{remote_addr: 10.0.0.0/8, priority: 1}", "{remote_addr: [10.0.0.0/8, 11.0.0.0/8]}", false),  // 11/8 reaches 2
        ("{remote_addr: \"::/0\", priority: 1}", "{remote_addr: \"::/0\"}", true),
        ("{remote_addr: \"::/0\", priority: 1}", "{remote_addr: 0.0.0.0/0}", false),  // IPv6 blocks hold no IPv4
        ("{sni: \"*\"}", "{sni: \"*\"}", true),
        ("{sni: \"*.example.com\", priority: 1}", "{sni: \"*.example.com\"}", true),
        ("{sni: \"*.example.com\"}", "{sni: \"*.a.example.com\"}", true),  // wildcards rank alike: id 1 first
        ("{sni: \"*.a.example.com\"}", "{sni: \"*.example.com\"}", false),
        ("{priority: 1}", "{sni: \"a.example.com\"}", false),                       // an sni route is tried first
        ("{sni: \"a.example.com\", priority: 1}", "{sni: \"a.example.com\"}", true),
        ("{sni: \"a.example.com\", priority: 1}", "{}", false),
        ("{service_id: tcp, priority: 1}", "{}", false),                             // 2 still gets UDP
        ("{service_id: tcp, priority: 1}", "{service_id: tcp}", true),
        ("{service_id: udp, priority: 1}", "{service_id: tcp}", false),
        ("{priority: 1}", "{service_id: udp}", true),
    ]) func coverage(first: String, second: String, shadowed: Bool) throws {
        let c = try config("""
        stream_routes:
          - \(first.dropLast()), id: "1", upstream_id: u}
          - \(second.dropLast()), id: "2", upstream_id: u}
        services:
          - {id: tcp, scheme: tcp}
          - {id: udp, scheme: udp}
        upstreams:
          - {id: u, nodes: {"127.0.0.1:1": 1}}
        """.replacingOccurrences(of: "{, ", with: "{"))
        let shadows = RouteShadowing.find(in: c)
        #expect(shadows.map(\.route) == (shadowed ? [1] : []), "\(first) then \(second): \(shadows)")
    }

    @Test func manyRoutesAreCheckedWithoutComparingEveryPair() throws {
        // 20,000 routes on one port (distinct /24 blocks, and distinct names) and one shadowed route.
        func route(_ id: String, remote: String? = nil, sni: String? = nil, priority: Int = 0) -> StreamRoute {
            var r = StreamRoute(id: id, raw: .null)
            r.serverPort = 9100
            r.remoteAddr = remote.flatMap(CIDR.init).map { [$0] } ?? []
            r.sni = sni
            r.priority = priority
            return r
        }
        var routes: [StreamRoute] = []
        for i in 0..<10_000 {
            routes.append(route("c\(i)", remote: "10.\(i / 256).\(i % 256).0/24"))
            routes.append(route("s\(i)", sni: "svc-\(i).example.com"))
        }
        routes.append(route("late", remote: "10.0.7.0/24", priority: -1))
        let clock = ContinuousClock()
        var shadows: [RouteShadowing.Shadow] = []
        let took = clock.measure { shadows = RouteShadowing.find(routes, transports: routes.map { _ in nil }) }
        #expect(shadows.map { "\(routes[$0.route].id) by \(routes[$0.by].id)" } == ["late by c7"])
        #expect(took < .seconds(30), "pair by pair would take minutes: \(took)")
    }
}
