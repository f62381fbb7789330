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

    /// The exposition text of one scrape.
    public func text(_ snapshot: EngineSnapshot) -> String {
        let sink = MetricSink()
        apisixSeries(snapshot, into: sink)
        sluiceSeries(snapshot, into: sink)
        return sink.text
    }
}
