import Foundation
import SluiceConfig
import SluiceEngine

/// The read-only endpoints about the running gateway: `/apisix/admin/status` and `/v1/healthcheck`.
struct InfoEndpoints: Sendable {
    let store: Store
    let engineSnapshot: @Sendable () -> EngineSnapshot?

    /// `{"revision", "data_file", "data_file_error", "data_file_errors", "etcd", "syslog"}`: the error fields say why
    /// a hand edit of the data file is not in force (`file:line: path: why`); null / empty when the file is applied.
    /// `etcd` (null without etcd): `reachable`, `since`, the `revision` served, whether it comes from the
    /// `last_known_good` file, the last `error`, the values `skipped` as invalid, and the lag: etcd's own
    /// revision (`etcd_revision`), the revisions of changes under the prefix not served yet (`lag_revisions`), the
    /// seconds since the last change was applied while behind (`lag_seconds`), and when (`last_applied`). `syslog` lists the syslog
    /// plugin's servers with their entries sent, waiting and dropped.
    func status() -> AdminResponse {
        let errors = store.dataFileErrors?.errors.map(\.description) ?? []
        return AdminResponse(status: 200, json: .map([
            ("revision", .int(store.snapshot.revision)),
            ("data_file", .string(store.dataFile)),
            ("data_file_error", errors.isEmpty ? .null : .string(errors.joined(separator: "; "))),
            ("data_file_errors", .list(errors.map { .string($0) })),
            ("etcd", store.mirrorStatus.map(Self.etcd) ?? .null),
            ("syslog", .list((engineSnapshot()?.syslogSinks ?? []).map(Self.sink))),
        ]))
    }

    private static func etcd(_ s: MirrorStatus) -> ConfigValue {
        let time = ISO8601DateFormatter()
        let lagSeconds: Double = (s.lagSeconds(at: Date()) * 10).rounded() / 10
        let lastApplied: ConfigValue = s.lastApplied.map { ConfigValue.string(time.string(from: $0)) } ?? .null
        let error: ConfigValue = s.error.map { ConfigValue.string($0) } ?? .null
        return .map([
            ("source", .string(s.source)), ("reachable", .bool(s.reachable)),
            ("since", .string(time.string(from: s.since))), ("revision", .int(s.revision)),
            ("last_known_good", .bool(s.fromLastKnownGood)), ("error", error),
            ("skipped", .list(s.skipped.map { ConfigValue.string($0) })),
            ("etcd_revision", .int(s.sourceRevision)), ("lag_revisions", .int(s.lagRevisions)),
            ("lag_seconds", ConfigValue(.double(lagSeconds))), ("last_applied", lastApplied),
        ])
    }

    private static func sink(_ s: SyslogSinkInfo) -> ConfigValue {
        .map([
            ("name", .string(s.name)), ("server", .string(s.target)), ("connected", .bool(s.connected)),
            ("sent", .int(Int(clamping: s.sent))), ("dropped", .int(Int(clamping: s.dropped))),
            ("failed_sends", .int(Int(clamping: s.failedSends))), ("queued_entries", .int(s.queuedEntries)),
            ("queued_bytes", .int(s.queuedBytes)),
        ])
    }

    /// APISIX control API shape: one entry per upstream in use, its nodes with `status` (healthy, unhealthy,
    /// draining, maint) and `counter`s, plus Sluice's `since`, `why` and `last_check_latency`.
    func healthcheck() -> AdminResponse {
        AdminResponse(status: 200, json: .list((engineSnapshot()?.upstreams ?? []).map(Self.entry)))
    }

    /// One upstream's entry (`upstreams/1`), or nil when no route uses it.
    func healthcheck(key: String) -> AdminResponse? {
        guard let up = engineSnapshot()?.upstreams.first(where: { $0.key == key }) else { return nil }
        return AdminResponse(status: 200, json: Self.entry(up))
    }

    private static func entry(_ up: EngineSnapshot.Upstream) -> ConfigValue {
        .map([
            ("name", .string("/apisix/\(up.key)")),
            ("type", .string(up.checkType)),
            ("nodes", .list(up.nodes.map { node in
                let (host, port) = split(node.address)
                let h = node.health
                return .map([
                    ("ip", .string(host)), ("port", .int(port)), ("weight", .int(node.weight)),
                    ("status", .string(h.status.rawValue)),
                    ("counter", .map([("success", .int(h.successes)), ("tcp_failure", .int(h.tcpFailures)),
                                      ("timeout_failure", .int(h.timeouts)), ("http_failure", .int(0))])),
                    ("since", .string(ISO8601DateFormatter().string(from: h.since))),
                    ("why", h.why.map { .string($0) } ?? .null),
                    ("last_check", h.lastCheck.map { .string($0) } ?? .null),
                    ("last_check_latency", h.lastCheckLatency.map { ConfigValue(.double($0)) } ?? .null),
                    ("connect_latency", h.connectLatency.map { ConfigValue(.double($0)) } ?? .null),
                ])
            })),
        ])
    }

    /// `127.0.0.1:80` / `[::1]:80` ⇒ host and port.
    static func split(_ address: String) -> (String, Int) {
        guard let colon = address.lastIndex(of: ":") else { return (address, 0) }
        let host = address[..<colon].filter { $0 != "[" && $0 != "]" }
        return (String(host), Int(address[address.index(after: colon)...]) ?? 0)
    }
}
