import Dispatch
import Foundation
import Logging
import SluiceConfig
import SluiceEngine
import Synchronization

/// Signals and the end of a run, for both modes: SIGHUP reloads both files; SIGUSR1 reopens the access log and the
/// log file (log rotation); the first SIGTERM/SIGINT asks to stop (a second closes open connections at once);
/// `drain` stops accepting and waits for open connections. Each step is told to systemd when it supervises.
/// SIGWINCH is left alone: ncurses needs it for resizes.
final class Lifecycle: Sendable {
    private let configPath: String
    private let engine: Engine
    private let metrics: MetricsExport
    private let store: Store
    private let logger: Logger
    private let notifier = SystemdNotifier()
    private let reopenLogFile: @Sendable () -> Void
    private let queue = DispatchQueue(label: "sluice.signals")
    private let stops = Atomic<Int>(0)
    private let stopRequested = DispatchSemaphore(value: 0)
    /// Written once, by `installSignalHandlers` on the main thread; kept only so the sources stay alive.
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []

    /// - Parameter reopenLogFile: reopens the log file, if the run writes one (SIGUSR1).
    init(configPath: String, engine: Engine, metrics: MetricsExport, store: Store, logger: Logger,
         reopenLogFile: @escaping @Sendable () -> Void) {
        self.configPath = configPath
        self.engine = engine
        self.metrics = metrics
        self.store = store
        self.logger = logger
        self.reopenLogFile = reopenLogFile
    }

    /// Tells systemd the service is up (call once every listener is bound).
    func announceReady() { notifier.ready() }

    /// True once SIGTERM or SIGINT arrived.
    var stopWasRequested: Bool { stops.load(ordering: .relaxed) > 0 }

    func installSignalHandlers() {
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGUSR1] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [self] in
                if sig == SIGHUP {
                    reload()
                } else if sig == SIGUSR1 {
                    reopenLogs()
                } else if stops.add(1, ordering: .relaxed).newValue == 1 {
                    stopRequested.signal()
                } else {
                    logger.warning("Second stop signal: closing open connections now")
                    engine.registry.closeAll(reason: .shutdown)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Blocks the calling thread until SIGTERM/SIGINT (headless mode).
    func waitForStopSignal() { stopRequested.wait() }

    /// Stops accepting, then waits up to `timeout` seconds for open connections before closing them; `progress`
    /// hears how many are left and for how long (the console shows it).
    func drain(timeout: Double, progress: (_ open: Int, _ secondsLeft: Double) -> Void = { _, _ in }) {
        notifier.stopping()
        logger.info("Stopping: no new connections; draining", metadata: [
            "connections.open": "\(engine.registry.count)", "drain.timeout": "\(timeout)",
        ])
        engine.stopAccepting()
        let closed = engine.drain(timeout: timeout, progress: progress)
        if closed > 0 { logger.warning("Drain timeout: closed open connections", metadata: ["connections": "\(closed)"]) }
    }

    /// SIGUSR1 (logrotate's postrotate): lines before the signal end the old file, later ones start the new one.
    private func reopenLogs() {
        reopenLogFile()
        engine.reopenAccessLog()
        logger.info("SIGUSR1: log files reopened")
    }

    private func reload() {
        notifier.reloading()
        defer { notifier.ready() }
        logger.info("SIGHUP: reloading configuration")
        do {
            let settings = try ConfigFiles.loadSettings(path: configPath)
            if settings.dataFile != store.dataFile {
                logger.warning("data_file changed; restart to use the new file", metadata: ["data_file": "\(settings.dataFile)"])
            }
            do { try metrics.apply(settings.prometheus) } catch {
                logger.error("Prometheus endpoint not changed", metadata: ["error": "\(error)"])
            }
            try engine.apply(settings: settings)
        } catch let errors as ConfigErrors {
            for e in errors.errors { logger.error("Invalid configuration kept out", metadata: ["error": "\(e)"]) }
        } catch {
            logger.error("Reload of config.yaml incomplete", metadata: ["error": "\(error)"])
        }
        if store.mirrorStatus != nil { return }
        do {
            let snapshot = try store.reloadFromDisk()
            logger.info("Data file reloaded", metadata: ["config.revision": "\(snapshot.revision)"])
        } catch {
            logger.error("Data file not applied; the running configuration is kept", metadata: ["error": "\(error)"])
        }
    }
}
