import Logging
import NIOEmbedded
import NIOPosix
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// Route precedence: the documented table of which route wins.
struct RouterTests {
    func router(_ yaml: String) throws -> Router {
        let config = try GatewayConfig.decode(try ConfigValue.parseYAML(yaml, file: "t"), file: "t")
        let snapshot = ConfigSnapshot(revision: 1, config: config, objectRevisions: [:])
        let logger = Logger(label: "test")
        return RoutingTable(snapshot: snapshot, previous: nil, counters: CounterTable(),
                            health: HealthRegistry(group: EmbeddedEventLoop(), logger: logger, names: NodeNameResolver(loop: MultiThreadedEventLoopGroup.singleton.next(), logger: logger)), logger: logger).router
    }

    func facts(_ remote: String, _ server: String = "127.0.0.1", port: Int = 9100, sni: String? = nil,
               transport: ListenerSpec.Transport = .tcp) -> ConnectionFacts {
        ConnectionFacts(remoteAddress: IPAddress(remote), serverAddress: IPAddress(server), serverPort: port, sni: sni,
                        transport: transport)
    }

    static let up = "upstream: {nodes: {\"127.0.0.1:1\": 1}}"

    @Test func moreSpecificFiltersWin() throws {
        let r = try router("""
        stream_routes:
          - {id: all, \(Self.up)}
          - {id: lan, remote_addr: "10.0.0.0/8", \(Self.up)}
          - {id: host, remote_addr: "10.1.2.3", \(Self.up)}
          - {id: list, remote_addr: ["192.168.0.0/16", "172.16.0.0/12"], \(Self.up)}
          - {id: port, server_port: 9200, \(Self.up)}
          - {id: portlan, server_port: 9200, remote_addr: "10.0.0.0/8", \(Self.up)}
          - {id: addr, server_addr: "127.0.0.2", \(Self.up)}
          - {id: v6, remote_addr: "::1", \(Self.up)}
        """)
        #expect(r.match(facts("8.8.8.8"))?.route.id == "all")
        #expect(r.match(facts("10.9.9.9"))?.route.id == "lan")
        #expect(r.match(facts("10.1.2.3"))?.route.id == "host")
        #expect(r.match(facts("172.20.0.1"))?.route.id == "list")
        #expect(r.match(facts("8.8.8.8", port: 9200))?.route.id == "port")
        #expect(r.match(facts("10.1.2.3", port: 9200))?.route.id == "portlan")
        #expect(r.match(facts("10.1.2.3", "127.0.0.2"))?.route.id == "addr")
        #expect(r.match(facts("::1"))?.route.id == "v6")
        #expect(r.match(facts("::ffff:10.1.2.3"))?.route.id == "host")
    }

    @Test func priorityThenIDBreakTies() throws {
        let r = try router("""
        stream_routes:
          - {id: 10, remote_addr: "10.0.0.0/8", \(Self.up)}
          - {id: 9, remote_addr: "10.0.0.0/8", \(Self.up)}
          - {id: b, server_port: 9100, \(Self.up)}
          - {id: a, server_port: 9100, priority: -1, \(Self.up)}
        """)
        #expect(r.match(facts("10.0.0.1", port: 9300))?.route.id == "9")
        #expect(r.match(facts("10.0.0.1", port: 9100))?.route.id == "b")
    }

    @Test func noMatchIsNil() throws {
        let r = try router("""
        stream_routes:
          - {id: 1, remote_addr: "10.0.0.0/8", \(Self.up)}
          - {id: 2, server_port: 9200, \(Self.up)}
        """)
        #expect(r.match(facts("127.0.0.1")) == nil)
        #expect(r.match(facts("127.0.0.1", port: 9200))?.route.id == "2")
    }

    @Test func sniExactBeatsWildcardBeatsNone() throws {
        let r = try router("""
        stream_routes:
          - {id: none, \(Self.up)}
          - {id: star, sni: "*", \(Self.up)}
          - {id: wild, sni: "*.example.com", \(Self.up)}
          - {id: exact, sni: "a.example.com", \(Self.up)}
        """)
        #expect(r.match(facts("127.0.0.1", sni: "a.example.com"))?.route.id == "exact")
        #expect(r.match(facts("127.0.0.1", sni: "b.c.example.com"))?.route.id == "wild")
        #expect(r.match(facts("127.0.0.1", sni: "other.org"))?.route.id == "star")
        #expect(r.match(facts("127.0.0.1"))?.route.id == "none")
    }

    @Test func serviceSchemeLimitsTheTransport() throws {
        let r = try router("""
        services:
          - {id: dns, scheme: udp, \(Self.up)}
        stream_routes:
          - {id: 1, service_id: dns}
        """)
        #expect(r.match(facts("127.0.0.1", transport: .tcp)) == nil)
        #expect(r.match(facts("127.0.0.1", transport: .udp))?.route.id == "1")
    }
}

/// The chash key rule TCP connections and UDP sessions share.
struct HashKeyTests {
    @Test func keysFollowTheUpstreamsChoice() {
        let facts = ConnectionFacts(remoteAddress: IPAddress("10.0.0.1"), serverAddress: IPAddress("127.0.0.1"),
                                    serverPort: 9100, transport: .udp)
        #expect(facts.hashKey(nil) == "10.0.0.1")
        #expect(facts.hashKey("remote_addr") == "10.0.0.1")
        #expect(facts.hashKey("server_addr") == "127.0.0.1")
        #expect(facts.hashKey("server_port") == "9100")
    }

    @Test func addressesAreWrittenOneWay() {
        #expect(HostPort(host: "::1", port: 53).description == "[::1]:53")
        #expect(UpstreamNode(host: "127.0.0.1", port: 6379).address == "127.0.0.1:6379")
        #expect(ListenerSpec(transport: .tcp, host: "::1", port: 9100).description == "tcp [::1]:9100")
    }
}
