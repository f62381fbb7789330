import Logging
import NIOCore
import SluiceAdmin
import SluiceConfig
import SluiceEngine
import Synchronization

/// The Prometheus export server as config.yaml asks for it (none without a `prometheus` section): started with
/// the node, rebound by a SIGHUP that changes its settings, stopped at the end.
final class MetricsExport: Sendable {
    private let engine: Engine
    private let store: Store
    private let group: EventLoopGroup
    private let logger: Logger
    private let running = Mutex<(settings: PrometheusSettings?, server: AdminServer?)>((nil, nil))

    init(engine: Engine, store: Store, group: EventLoopGroup, logger: Logger) {
        self.engine = engine
        self.store = store
        self.group = group
        self.logger = logger
    }

    /// Starts the server `settings` ask for, or stops it (nil); unchanged settings leave it alone.
    /// - Throws: the bind error; after a failed change the previous server is started again where it can be.
    func apply(_ settings: PrometheusSettings?) throws {
        try running.withLock { running in
            guard running.settings != settings || (settings != nil && running.server == nil) else { return }
            running.server?.stop()
            running.server = nil
            do {
                running.server = try settings.map(start)
                running.settings = settings
            } catch {
                running.server = try? running.settings.map(start)
                throw error
            }
        }
    }

    func stop() { running.withLock { $0.server?.stop() } }

    private func start(_ settings: PrometheusSettings) throws -> AdminServer {
        let engine = self.engine
        let store = self.store
        let exporter = MetricsExporter(metricPrefix: settings.metricPrefix, build: .init(
            version: VersionText.release, commit: BuildInfo.commit, swift: BuildInfo.swiftVersion))
        let server = AdminServer(responder: MetricsEndpoint(settings: settings, exporter: exporter,
                                                            snapshot: { engine.snapshot() },
                                                            etcd: { store.mirrorStatus }),
                                 listen: settings.listen, what: "Prometheus endpoint", field: settings.listenField,
                                 group: group, logger: logger)
        try server.start()
        return server
    }
}
