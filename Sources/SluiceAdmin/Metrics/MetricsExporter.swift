import Foundation
import SluiceConfig
import SluiceEngine

/// Turns an `EngineSnapshot` into the Prometheus text format: APISIX's stream series (under `metric_prefix`,
/// `apisix_` by default) and Sluice's own (`sluice_`).
public struct MetricsExporter: Sendable {
    /// What `sluice_build_info` says.
    public struct Build: Sendable {
        public var version: String
        public var commit: String
        public var swift: String
        public init(version: String, commit: String, swift: String) {
            self.version = version
            self.commit = commit
            self.swift = swift
        }
    }

    let prefix: String
    let build: Build
    let hostname: String

    public init(metricPrefix: String, build: Build, hostname: String = ProcessInfo.processInfo.hostName) {
        self.prefix = metricPrefix
        self.build = build
        self.hostname = hostname
    }

    /// The exposition text of one scrape; `etcd` is the state of the etcd the configuration comes from, if any.
    package func text(_ snapshot: EngineSnapshot, etcd: MirrorStatus? = nil) -> String {
        let sink = MetricSink()
        apisixSeries(snapshot, into: sink)
        sluiceSeries(snapshot, into: sink)
        if let etcd { etcdSeries(etcd, into: sink) }
        return sink.text
    }

    /// APISIX's etcd gauges (`etcd_reachable`, `etcd_modify_indexes{key}`: `x_etcd_index` is etcd's revision as
    /// last asked, `max_modify_index` the one served), whether a last-known-good file is what is served, and the lag
    /// (`sluice_etcd_lag_revisions`, `sluice_etcd_lag_seconds`).
    func etcdSeries(_ etcd: MirrorStatus, into sink: MetricSink, now: Date = Date()) {
        sink.gauge(prefix + "etcd_reachable", "Config server etcd can be reached or not", [],
                   etcd.reachable ? 1 : 0)
        for (key, value) in [("x_etcd_index", max(etcd.sourceRevision, etcd.revision)), ("max_modify_index", etcd.revision)] {
            sink.gauge(prefix + "etcd_modify_indexes", "Etcd modify index for APISIX keys", [("key", key)], Double(value))
        }
        sink.gauge("sluice_etcd_lag_revisions", "Revisions of changes under the prefix in etcd not served yet", [],
                   Double(etcd.lagRevisions))
        sink.gauge("sluice_etcd_lag_seconds", "While behind etcd, seconds since the last change was applied", [],
                   etcd.lagSeconds(at: now))
        sink.gauge("sluice_etcd_last_known_good", "1 while the configuration served is the last-known-good file",
                   [], etcd.fromLastKnownGood ? 1 : 0)
        sink.gauge("sluice_etcd_skipped_values", "Values in etcd that failed validation and are not served", [],
                   Double(etcd.skipped.count))
    }
}
