import Dispatch
import Foundation
import Logging
import SluiceConfig
import SluiceEngine
import Synchronization

/// Signal handling for `--headless`: SIGHUP reloads both files; SIGTERM/SIGINT stop accepting, drain open
/// connections up to the drain timeout, and return (a second SIGTERM/SIGINT closes what is left at once).
final class HeadlessLifecycle: Sendable {
    private let configPath: String
    private let engine: Engine
    private let store: Store
    private let logger: Logger
    private let queue = DispatchQueue(label: "sluice.signals")
    private let stopRequested = DispatchSemaphore(value: 0)

    init(configPath: String, engine: Engine, store: Store, logger: Logger) {
        self.configPath = configPath
        self.engine = engine
        self.store = store
        self.logger = logger
    }

    /// Blocks the calling thread until SIGTERM/SIGINT, then drains.
    func runUntilStopped(drainTimeout: Double) {
        var sources: [DispatchSourceSignal] = []
        let stops = SignalCounter()
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [self] in
                if sig == SIGHUP {
                    reload()
                } else if stops.increment() == 1 {
                    stopRequested.signal()
                } else {
                    logger.warning("Second stop signal: closing open connections now")
                    engine.registry.closeAll(reason: .shutdown)
                }
            }
            source.resume()
            sources.append(source)
        }
        stopRequested.wait()
        logger.info("Stopping: no new connections; draining", metadata: [
            "connections.open": "\(engine.registry.count)", "drain.timeout": "\(drainTimeout)",
        ])
        engine.stopAccepting()
        let closed = engine.drain(timeout: drainTimeout)
        if closed > 0 { logger.warning("Drain timeout: closed open connections", metadata: ["connections": "\(closed)"]) }
        _ = sources
    }

    private func reload() {
        logger.info("SIGHUP: reloading configuration")
        do {
            let settings = try ConfigFiles.loadSettings(path: configPath)
            if settings.dataFile != store.dataFile {
                logger.warning("data_file changed; restart to use the new file", metadata: ["data_file": "\(settings.dataFile)"])
            }
            try engine.apply(settings: settings)
        } catch let errors as ConfigErrors {
            for e in errors.errors { logger.error("Invalid configuration kept out", metadata: ["error": "\(e)"]) }
        } catch {
            logger.error("Reload of config.yaml incomplete", metadata: ["error": "\(error)"])
        }
        do {
            let snapshot = try store.reloadFromDisk()
            logger.info("Data file reloaded", metadata: ["config.revision": "\(snapshot.revision)"])
        } catch {
            logger.error("Data file not applied; the running configuration is kept", metadata: ["error": "\(error)"])
        }
    }
}

/// Counts stop signals across the signal queue's invocations.
private final class SignalCounter: Sendable {
    private let count = Mutex(0)
    func increment() -> Int { count.withLock { $0 += 1; return $0 } }
}
