import Foundation
import Logging
import SluiceConfig
import SluiceEngine

/// Runs the console on the main thread: reads keys with a short timeout, takes an engine snapshot at a fixed
/// tick (rates come from the difference between ticks), and redraws. Never blocks the event loops: it only
/// reads snapshots and writes through the Store.
public final class ConsoleRunner {
    private let engine: Engine
    private let store: Store
    private let logBuffer: LogBuffer
    private let accessLogPath: String?
    /// Seconds between snapshots.
    private let tick = RateTracker.tick
    /// How long a Store call (a save) may take before the console draws on while it waits: a data file's write
    /// is over well within it, so only a slow etcd shows the waiting line.
    static let storeCallGrace = 0.3

    private let logger = Logger(label: "sluice.console")

    package init(engine: Engine, store: Store, logBuffer: LogBuffer, accessLogPath: String?) {
        self.engine = engine
        self.store = store
        self.logBuffer = logBuffer
        self.accessLogPath = accessLogPath
    }

    /// The screens of the tab bar.
    package static func tabs(engine: Engine, store: Store, accessLogPath: String?) -> [any Screen] {
        [
            DashboardScreen(),
            ConnectionsScreen(kill: { engine.registry.close(id: $0) },
                              readFacts: { engine.registry.readUpstreamLocalAddress(id: $0) }),
            ObjectListScreen(kind: .streamRoutes, store: store),
            ObjectListScreen(kind: .services, store: store),
            UpstreamsScreen(store: store, kill: { engine.registry.close(id: $0) }),
            ObjectListScreen(kind: .ssls, store: store),
            LogScreen(accessLogTail: { accessLogPath.map { FileTail.lines(of: $0, max: 200) } ?? [] }),
            HistoryScreen(store: store),
            ObjectListScreen(kind: .pluginMetadata, store: store),
        ]
    }

    /// Blocks until the operator quits, `shouldStop()` turns true (SIGTERM/SIGINT), or the terminal is lost
    /// (the console owns the process: a gateway nobody can see is not left running; use `--headless` for that),
    /// then runs `drain` while drawing its progress (connections left, seconds left). The terminal is restored
    /// before it returns.
    public func run(shouldStop: () -> Bool, drain: ((_ open: Int, _ secondsLeft: Double) -> Void) -> Void) {
        let terminal = CursesTerminal()
        defer { terminal.restore() }
        var rates = RateTracker()
        var snapshot = engine.snapshot()
        rates.update(snapshot)
        let app = ConsoleApp(tabs: Self.tabs(engine: engine, store: store, accessLogPath: accessLogPath),
                             data: ConsoleData(engine: snapshot, config: store.snapshot, rates: rates, log: logBuffer.recent,
                                               dataFileErrors: store.dataFileErrors, mirror: store.mirrorStatus),
                             storeCallGrace: Self.storeCallGrace)
        var nextTick = Date().addingTimeInterval(tick)
        while !app.wantsQuit && !shouldStop() && !terminal.isLost {
            app.render(on: terminal)
            terminal.present()
            let wait = max(1, Int32(nextTick.timeIntervalSinceNow * 1000))
            if let key = terminal.readKey(timeoutMs: min(wait, app.isWaitingForStore ? 100 : 250)) {
                app.handle(key)
                app.data.config = store.snapshot
            }
            if app.collectStoreCall() { app.data.config = store.snapshot }
            if Date() >= nextTick {
                snapshot = engine.snapshot()
                rates.update(snapshot)
                app.data = ConsoleData(engine: snapshot, config: store.snapshot, rates: rates, log: logBuffer.recent,
                                       dataFileErrors: store.dataFileErrors, mirror: store.mirrorStatus)
                nextTick = Date().addingTimeInterval(tick)
            }
        }
        if terminal.isLost {
            logger.warning("Terminal lost (hung up): stopping the gateway")
            drain { _, _ in }
            return
        }
        var shown: (Int, Int)?
        drain { open, secondsLeft in
            // Drawn when what it says changes, not at every poll.
            let now = (open, Int(secondsLeft.rounded(.up)))
            if let shown, shown == now { return }
            shown = now
            app.renderDrain(on: terminal, open: open, secondsLeft: now.1)
            terminal.present()
        }
    }
}

/// The last lines of a file, read from its end (the access log can be large).
enum FileTail {
    static func lines(of path: String, max count: Int, bytes: Int = 32 * 1024) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        if size > UInt64(bytes), !lines.isEmpty { lines.removeFirst() }
        return Array(lines.suffix(count))
    }
}
