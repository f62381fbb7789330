import Logging
import NIOCore
import SluiceConfig
import Synchronization

/// What every connection shares: counters, the registry, the access log and the current routing table.
final class EngineContext: Sendable {
    let counters = CounterTable()
    let registry = ConnectionRegistry()
    /// Node health by upstream, kept across snapshots (issue 11).
    let health: HealthRegistry
    /// Node host names and their kept addresses (issue 11).
    let names: NodeNameResolver
    let logger: Logger
    private let tables = RoutingTableSlot()
    private let certificateBox: Mutex<CertificateStore?> = Mutex(nil)
    private let accessLogBox: Mutex<AccessLogs> = Mutex(AccessLogs())
    private let trustedProxiesBox: Mutex<[CIDR]> = Mutex([])

    /// `real_ip_from`: senders whose PROXY headers are believed.
    var trustedProxies: [CIDR] {
        get { trustedProxiesBox.withLock { $0 } }
        set { trustedProxiesBox.withLock { $0 = newValue } }
    }

    init(logger: Logger, group: EventLoopGroup) {
        self.logger = logger
        names = NodeNameResolver(loop: group.next(), logger: logger)
        health = HealthRegistry(group: group, logger: logger, names: names)
    }

    /// The table new connections route with; open connections keep the one they started with.
    var routingTable: RoutingTable? { tables.current }

    /// The TLS contexts new handshakes choose from.
    var certificates: CertificateStore? { certificateBox.withLock { $0 } }

    func publish(_ snapshot: ConfigSnapshot) {
        let logger = self.logger
        let health = self.health
        names.track(Self.nodeNames(of: snapshot.config))
        health.apply(snapshot.config)
        tables.replace {
            RoutingTable(snapshot: snapshot, previous: $0, counters: counters, health: health, logger: logger)
        }
        certificateBox.withLock { $0 = CertificateStore(snapshot.config.ssls, previous: $0, logger: logger) }
    }

    /// The host names among the configuration's upstream nodes (IP addresses need no lookup).
    static func nodeNames(of config: GatewayConfig) -> Set<String> {
        var names = Set<String>()
        for (_, upstream) in HealthRegistry.upstreams(of: config) {
            for node in upstream.nodes where IPAddress(node.host) == nil { names.insert(node.host) }
        }
        return names
    }

    /// Swaps the routing table for one made from the current one (tests give routes plugins this way).
    func replaceRoutingTable(_ transform: (RoutingTable?) -> RoutingTable?) { tables.replace(transform) }

    /// The main access log and the listeners' own.
    var accessLogs: AccessLogs {
        get { accessLogBox.withLock { $0 } }
        set { accessLogBox.withLock { $0 = newValue } }
    }

    /// Where a session accepted on `listener` (its name) is logged; nil when nowhere.
    func accessLog(forListener listener: String) -> AccessLogger? {
        accessLogBox.withLock { $0.logger(forListener: listener) }
    }
}
