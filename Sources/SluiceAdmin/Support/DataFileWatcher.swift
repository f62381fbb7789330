import Dispatch
import Foundation
import Logging
import SluiceConfig
import Synchronization

/// Notices hand edits of `gateway.yaml` (edited in place or replaced by `mv`) by polling its inode, size and
/// mtime every `interval` seconds, and hands them to `Store.reloadIfEdited()`, which ignores the store's own
/// writes (same text) and keeps the running configuration when the file is invalid. Each new error is logged once.
public final class DataFileWatcher: Sendable {
    private struct Signature: Equatable {
        var inode: UInt64
        var size: Int64
        var mtimeSeconds: Int
        var mtimeNanoseconds: Int
    }

    private let store: Store
    private let logger: Logger
    private let interval: Double
    private let queue = DispatchQueue(label: "sluice.data-file-watcher")
    private let stopSignal = DispatchSemaphore(value: 0)
    private let last = Mutex<Signature?>(nil)

    public init(store: Store, logger: Logger, interval: Double = 0.5) {
        self.store = store
        self.logger = logger
        self.interval = interval
    }

    /// Starts polling on a background queue; call once.
    public func start() {
        last.withLock { $0 = Self.signature(store.dataFile) }
        queue.async { [self] in
            while stopSignal.wait(timeout: .now() + interval) == .timedOut { poll() }
        }
    }

    /// Stops polling (for good).
    public func stop() {
        stopSignal.signal()
    }

    private func poll() {
        let now = Self.signature(store.dataFile)
        let changed = last.withLock { l in
            defer { l = now }
            return l != now
        }
        guard changed, now != nil else { return }
        do {
            if let snapshot = try store.reloadIfEdited() {
                logger.info("Data file edited by hand; applied", metadata: [
                    "data_file": "\(store.dataFile)", "config.revision": "\(snapshot.revision)",
                ])
            }
        } catch {
            logger.error("Data file edited by hand has errors; running configuration kept, file left as written",
                         metadata: ["data_file": "\(store.dataFile)", "error": "\(error)"])
        }
    }

    private static func signature(_ path: String) -> Signature? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Signature(inode: UInt64(st.st_ino), size: Int64(st.st_size),
                         mtimeSeconds: Int(st.st_mtim.tv_sec), mtimeNanoseconds: Int(st.st_mtim.tv_nsec))
    }
}
