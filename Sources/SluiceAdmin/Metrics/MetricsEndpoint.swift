import SluiceConfig
import SluiceEngine

/// The Prometheus export server's requests: `GET` (or `HEAD`) of the export URI (`/apisix/prometheus/metrics`)
/// or `/metrics` answers the text format; other paths 404, other methods 405. No key: like APISIX's export
/// server, it is protected by where it listens (loopback by default).
public struct MetricsEndpoint: HTTPResponder {
    /// Prometheus' text format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let paths: Set<String>
    private let exporter: MetricsExporter
    private let snapshot: @Sendable () -> EngineSnapshot
    private let etcd: @Sendable () -> MirrorStatus?

    /// - Parameter etcd: the state of the etcd the configuration comes from; nil when the data file is the store.
    package init(settings: PrometheusSettings, exporter: MetricsExporter,
                snapshot: @escaping @Sendable () -> EngineSnapshot,
                etcd: @escaping @Sendable () -> MirrorStatus? = { nil }) {
        self.paths = [settings.exportURI, "/metrics"]
        self.exporter = exporter
        self.snapshot = snapshot
        self.etcd = etcd
    }

    public func refusal(for request: AdminRequest) -> AdminResponse? {
        guard paths.contains(request.path) else { return .error(404, "not found; metrics are at \(paths.sorted())") }
        guard request.method == "GET" else {
            var response = AdminResponse.error(405, "method not allowed; use GET")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        return nil
    }

    public func handle(_ request: AdminRequest) -> AdminResponse {
        if let refused = refusal(for: request) { return refused }
        var response = AdminResponse(status: 200, plainText: exporter.text(snapshot(), etcd: etcd()))
        response.contentType = Self.contentType
        return response
    }
}
