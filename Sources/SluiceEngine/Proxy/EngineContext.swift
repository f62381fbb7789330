import Logging
import NIOCore
import SluiceConfig
import Synchronization

/// What every connection shares: counters, the registry, the access log and the current routing table.
/// `package` for the benchmarks, which follow a store through `publish` as the engine does.
package final class EngineContext: Sendable {
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

    package init(logger: Logger, group: EventLoopGroup) {
        self.logger = logger
        names = NodeNameResolver(loop: group.next(), logger: logger)
        health = HealthRegistry(group: group, logger: logger, names: names)
    }

    /// The table new connections route with; open connections keep the one they started with.
    package var routingTable: RoutingTable? { tables.current }

    /// The TLS contexts new handshakes choose from.
    var certificates: CertificateStore? { certificateBox.withLock { $0 } }

    /// Follows `snapshot`: node names and health, the routing table (in force for the next connection when this
    /// returns), the TLS certificates.
    package func publish(_ snapshot: ConfigSnapshot) {
        let logger = self.logger
        let health = self.health
        let upstreams = HealthRegistry.upstreams(of: snapshot.config)
        names.track(Self.nodeNames(of: upstreams))
        health.apply(upstreams)
        tables.replace {
            RoutingTable(snapshot: snapshot, previous: $0, counters: counters, health: health, logger: logger)
        }
        certificateBox.withLock { $0 = CertificateStore(snapshot.config.ssls, previous: $0, logger: logger) }
    }

    /// The host names among the nodes of `upstreams` (IP addresses need no lookup).
    static func nodeNames(of upstreams: [(String, Upstream)]) -> Set<String> {
        var names = Set<String>()
        for (_, upstream) in upstreams {
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
