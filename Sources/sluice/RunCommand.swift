import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import SluiceAdmin
import SluiceConfig
import SluiceConsole
import SluiceEngine
import SluiceEtcd

/// `sluice [--headless]`: runs the gateway in the foreground.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the gateway (the console, or with --headless the engine alone, logging to stderr)."
    )

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Run without the console: engine only, logs to stderr; SIGTERM drains, SIGHUP reloads.")
    var headless = false

    /// Where logs go while the console owns the terminal: `log_file`, else logs/sluice.log beside config.yaml.
    private func consoleLogPath(_ settings: NodeSettings) -> String {
        settings.logFile ?? URL(fileURLWithPath: options.config).deletingLastPathComponent()
            .appendingPathComponent("logs/sluice.log").standardized.path
    }

    func run() throws {
        var settings: NodeSettings
        do { settings = try ConfigFiles.loadSettings(path: options.config) } catch {
            printErrors(error.errors)
            throw ExitCode(1)
        }
        let logBuffer = LogBuffer(path: headless ? nil : consoleLogPath(settings))
        if headless {
            LoggingSystem.bootstrap { EscapingLogHandler(StreamLogHandler.standardError(label: $0)) }
        } else {
            guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
                printError("sluice: the console needs a terminal; use `sluice --headless` for servers and scripts")
                throw ExitCode(2)
            }
            LoggingSystem.bootstrap { EscapingLogHandler(logBuffer.handler(label: $0)) }
        }
        var logger = Logger(label: "sluice")
        logger.logLevel = .info
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let store: Store
        var etcdSource: EtcdConfigSource?
        if let etcd = settings.deployment.etcd {
            let client: EtcdClient
            do { client = try EtcdClient(settings: etcd, group: group) } catch {
                printError("sluice: \(options.config): \(error)")
                try? group.syncShutdownGracefully()
                throw ExitCode(1)
            }
            let history = EtcdHistory(client: client, keep: settings.historyKeep)
            store = Store(lastKnownGood: lastKnownGoodPath(), backend: settings.deployment.role == .dataPlane ? nil
                              : EtcdBackend(client: client), history: history,
                          readOnly: settings.deployment.readOnlyReason ?? "the configuration is kept in etcd: objects are "
                              + "written there (Admin API, console); there is no data file to reload")
            etcdSource = EtcdConfigSource(client: client, store: store, history: history, lastKnownGood: lastKnownGoodPath(),
                                          logger: logger)
            etcdSource?.start()
        } else {
            do { store = try Store(dataFile: settings.dataFile, historyKeep: settings.historyKeep) } catch {
                printErrors(error.errors)
                printError("sluice: refusing to start with an invalid data file (\(settings.dataFile)); it was not changed")
                try? group.syncShutdownGracefully()
                throw ExitCode(1)
            }
        }
        settings.admin.key = try adminKey(settings, logger: logger)
        let engine = Engine(group: group, store: store, settings: settings, logger: logger)
        let admin = AdminServer(api: AdminAPI(store: store, auth: AdminAuth(settings.admin), engineSnapshot: { engine.snapshot() }),
                                listen: settings.admin.listen, group: group, logger: logger)
        let metrics = MetricsExport(engine: engine, store: store, group: group, logger: logger)
        let lifecycle = Lifecycle(configPath: options.config, engine: engine, metrics: metrics, store: store,
                                  logger: logger, reopenLogFile: { logBuffer.reopen() })
        // Before the listeners open: a SIGTERM that arrives as soon as a port answers is a stop, not a kill.
        lifecycle.installSignalHandlers()
        do {
            try engine.start()
            try admin.start()
            try metrics.apply(settings.prometheus)
        } catch {
            logger.critical("Cannot start", metadata: ["error": "\(error)"])
            if !headless { printError("sluice: cannot start: \(error)") }
            admin.stop()
            metrics.stop()
            engine.stopAccepting()
            etcdSource?.stop()
            try? group.syncShutdownGracefully()
            throw ExitCode(1)
        }
        let watcher = DataFileWatcher(store: store, logger: logger)
        if etcdSource == nil { watcher.start() }
        lifecycle.announceReady()
        if headless {
            lifecycle.waitForStopSignal()
            lifecycle.drain(timeout: settings.drainTimeout)
        } else {
            // The console stays on screen while the connections drain, showing how many are left and for how long.
            ConsoleRunner(engine: engine, store: store, logBuffer: logBuffer, accessLogPath: settings.accessLog?.path)
                .run(shouldStop: { lifecycle.stopWasRequested },
                     drain: { lifecycle.drain(timeout: settings.drainTimeout, progress: $0) })
        }
        watcher.stop()
        admin.stop()
        metrics.stop()
        etcdSource?.stop()
        try? group.syncShutdownGracefully()
        logger.info("Stopped")
    }

    /// The last configuration applied from etcd, beside config.yaml.
    private func lastKnownGoodPath() -> String {
        URL(fileURLWithPath: options.config).deletingLastPathComponent()
            .appendingPathComponent("etcd-last-known-good.json").standardized.path
    }

    /// The admin key: from config.yaml, or generated at first start and written back (0600). Never logged.
    private func adminKey(_ settings: NodeSettings, logger: Logger) throws -> String {
        if let key = settings.admin.key, !key.isEmpty { return key }
        let key = AdminKeyFile.generateKey()
        do { try AdminKeyFile.store(key: key, root: settings.root, path: options.config) } catch {
            printError("sluice: admin.key is not set and could not be written: \(error)")
            throw ExitCode(1)
        }
        logger.notice("Admin key generated and written to config.yaml (admin.key)", metadata: ["config": "\(options.config)"])
        return key
    }

    private func printErrors(_ errors: [ConfigError]) {
        for error in errors { printError(error.description) }
    }
}

/// Writes a line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
