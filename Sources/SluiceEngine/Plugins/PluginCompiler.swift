import Foundation
import Logging
import NIOCore
import SluiceConfig

/// Compiles configured plugins into `StreamPlugin`s for one snapshot. `limit-conn` counters and `limit-bandwidth`'s
/// route-shared buckets belong to the route and its configuration (`RouteStateCache`): a new snapshot in which a
/// route's plugin configuration is unchanged reuses them, so live connections keep counting; a changed one starts
/// afresh, and connections admitted under the old one free their slots there (never into the new one, so counts
/// neither leak nor underflow across a change). A route's `prometheus` counts carry over to the next snapshot that
/// still has the plugin on the route. A syslog sender is reused while its configuration is unchanged, so its queue
/// and connection survive a change that leaves it alone; the syslog plugin metadata (`log_format` for plugins
/// without one, `max_pending_entries` over all senders) is the snapshot's.
struct PluginCompiler: Sendable {
    private var limiters: RouteStateCache<LimitConnConfig, ConnectionLimiter>
    private var routeBuckets: RouteStateCache<LimitBandwidthConfig, RouteBuckets>
    /// prometheus counts belong to the route whatever its configuration: counters never go back.
    private let previousStatusCounts: [String: StreamStatusCounts]
    private var statusCounts: [String: StreamStatusCounts] = [:]
    private let previousSenders: [SyslogConfig: SyslogSender]
    /// One sender per syslog configuration (routes that say the same share it), kept while a snapshot uses it.
    private(set) var senders: [SyslogConfig: SyslogSender] = [:]
    /// The entries waiting across every sender; its limit is the snapshot's `max_pending_entries`.
    private let syslogBacklog: SyslogBacklog
    /// The syslog plugin metadata of this snapshot: the `log_format` of routes whose plugin has none.
    private let syslogMetadata: SyslogMetadata
    private let logger: Logger

    /// limit-bandwidth's shared buckets of one route.
    private struct RouteBuckets: Sendable {
        let upload: SharedTokenBucket?
        let download: SharedTokenBucket?
    }

    /// - Parameters:
    ///   - logger: the engine log, for the syslog senders (nil: the previous compiler's).
    ///   - syslogMetadata: the snapshot's syslog plugin metadata, applied to every syslog plugin compiled here.
    init(previous: PluginCompiler?, logger: Logger? = nil, syslogMetadata: SyslogMetadata = SyslogMetadata()) {
        self.logger = logger ?? previous?.logger ?? Logger(label: "sluice")
        previousSenders = previous?.senders ?? [:]
        limiters = RouteStateCache(previous: previous?.limiters)
        routeBuckets = RouteStateCache(previous: previous?.routeBuckets)
        previousStatusCounts = previous?.statusCounts ?? [:]
        self.syslogMetadata = syslogMetadata
        syslogBacklog = previous?.syslogBacklog ?? SyslogBacklog(limit: syslogMetadata.maxPendingEntries)
        syslogBacklog.setLimit(syslogMetadata.maxPendingEntries)
    }

    /// - Parameter upstream: the runtime of a traffic-split entry (its rule's index, its own index and its target);
    ///   nil for the route's own.
    mutating func chain(routeID: String, serviceID: String? = nil, _ configs: [StreamPluginConfig],
                        upstream: (Int, Int, TrafficSplitConfig.Target) -> UpstreamRuntime? = { _, _, _ in nil })
        -> PluginChain {
        guard !configs.isEmpty else { return .empty }
        return PluginChain(configs.map { config -> any StreamPlugin in
            switch config {
            case .ipRestriction(let c):
                return IPRestrictionPlugin(config: c)
            case .limitConn(let c):
                let limiter = limiters.state(routeID: routeID, config: c) {
                    ConnectionLimiter(conn: c.conn, burst: c.burst, defaultDelay: c.defaultConnDelay,
                                      adaptsDelay: !c.onlyUseDefaultDelay)
                }
                return LimitConnPlugin(config: c, limiter: limiter)
            case .prometheus(let c):
                let counts = statusCounts[routeID] ?? previousStatusCounts[routeID] ?? StreamStatusCounts()
                statusCounts[routeID] = counts
                return PrometheusPlugin(config: c, counts: counts)
            case .limitBandwidth(let c):
                let buckets = routeBuckets.state(routeID: routeID, config: c) {
                    let (upload, download) = LimitBandwidthPlugin.routeBuckets(c, now: NIODeadline.now().uptimeNanoseconds)
                    return RouteBuckets(upload: upload, download: download)
                }
                return LimitBandwidthPlugin(config: c, routeUpload: buckets.upload, routeDownload: buckets.download)
            case .syslog(let c):
                let sender = senders[c] ?? previousSenders[c]
                    ?? SyslogSender(config: c, backlog: syslogBacklog, logger: logger)
                senders[c] = sender
                let format = c.logFormat ?? syslogMetadata.logFormat
                return SyslogPlugin(config: c, entry: SyslogEntry(logFormat: format, serviceID: serviceID),
                                    sender: sender)
            case .mqttProxy(let c):
                return MQTTProxyPlugin(config: c)
            case .trafficSplit(let c):
                return TrafficSplitPlugin(config: c, choices: c.rules.enumerated().map { r, rule in
                    rule.weightedUpstreams.enumerated().map { upstream(r, $0.offset, $0.element.target) }
                })
            }
        })
    }

    /// Sends what every syslog sender holds, waiting at most `timeout` seconds in all (shutdown).
    func flushSenders(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        for sender in senders.values { sender.flush(timeout: max(0, deadline.timeIntervalSinceNow)) }
    }
}
