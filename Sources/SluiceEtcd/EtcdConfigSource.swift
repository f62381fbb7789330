import Foundation
import Logging
import NIOCore
import SluiceConfig
import Synchronization

/// Follows etcd into a mirrored `Store`: a full range read of the prefix, then one watch from that revision; each
/// change is decoded with the rest (`StoredObjects`: invalid values reported and skipped) and published through
/// the store (one snapshot swap; open connections keep theirs), then written to the last-known-good file.
///
/// The watch starts where the shared history (`EtcdHistory`) needs it — at first the oldest revision etcd keeps —
/// so revisions up to the one read feed the history only, later ones both.
///
/// A lost watch — the member went away, or etcd cancelled it (compaction) — means a full read again, on the next
/// member, after a backoff. At start, when etcd cannot be reached in `startup_retry` rounds, the last-known-good
/// file is served until it can.
public final class EtcdConfigSource: Sendable {
    /// What the follower thread is doing.
    enum State: Sendable {
        /// Reading the whole prefix (at start, after a lost watch, or after a compaction).
        case reading
        /// Read at `revision`; the watch is being opened.
        case read(revision: Int)
        /// Following: the watch's `channel` (closed to end it) and the revision last applied.
        case watching(revision: Int, channel: Channel)
        /// Waiting to try again after `error`.
        case backingOff(error: String)
        case stopped
    }

    /// What the follower thread is told; watch events carry the number of the watch they belong to, so a late
    /// event of an ended watch is dropped.
    private enum Event: Sendable {
        case message(watch: Int, ConfigValue)
        case watchEnded(watch: Int, String)
        case stop
    }

    private let client: EtcdClient
    private let store: Store
    private let history: EtcdHistory
    /// The oldest revision etcd still keeps, as its last compaction told (the history's watch starts there at most).
    private let compactedAt = Mutex(1)
    private let lastKnownGood: String
    private let logger: Logger
    private let state = Mutex(State.reading)
    private let inbox = Mutex<[Event]>([])
    private let wakeUp = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// The key-values last applied, by key (used by the follower thread only, and by `start` before it).
    private let kvs = Mutex<[String: EtcdClient.KeyValue]>([:])
    /// Skipped values already logged, by key and revision, so each is logged once.
    private let logged = Mutex<Set<String>>([])

    static let backoffRange = 0.2...3.0
    /// Seconds between two checks of how far behind etcd this gateway is, while watching.
    static let lagCheckInterval = 2.0

    /// - Parameters:
    ///   - history: fed with every revision the watch sees (the store's shared history).
    ///   - lastKnownGood: where the last applied configuration is kept.
    public init(client: EtcdClient, store: Store, history: EtcdHistory, lastKnownGood: String, logger: Logger) {
        self.client = client
        self.store = store
        self.history = history
        self.lastKnownGood = lastKnownGood
        self.logger = logger
        let settings = client.settings
        store.setMirrorStatus(MirrorStatus(source: "etcd \(settings.hosts.map(\.description).joined(separator: ","))"
                                           + " \(settings.prefix)", since: Date()))
    }

    /// Loads the first configuration — from etcd, or when it cannot be reached in `startup_retry` rounds over
    /// every member, from the last-known-good file — then follows etcd on a thread of its own.
    public func start() {
        var loaded = false
        for round in 1...client.settings.startupRetry {
            do {
                try readAll()
                loaded = true
                break
            } catch {
                logger.warning("etcd unreachable at start", metadata: ["etcd.round": "\(round)", "error": "\(error)"])
                unreachable(error.description)
            }
        }
        if !loaded { serveLastKnownGood() }
        let thread = Thread { [self, loaded] in
            follow(readFirst: !loaded)
            finished.signal()
        }
        thread.name = "sluice.etcd"
        thread.start()
    }

    /// Ends the watch and the thread; returns once it is over.
    public func stop() {
        post(.stop)
        if case .watching(_, let channel) = state.withLock({ $0 }) { channel.close(promise: nil) }
        finished.wait()
    }

    // MARK: - The follower thread

    private func follow(readFirst: Bool) {
        var backoff = Self.backoffRange.lowerBound
        var needsRead = readFirst
        var watchNumber = 0
        while true {
            let why: String
            do {
                if needsRead {
                    try readAll()
                    backoff = Self.backoffRange.lowerBound
                }
                watchNumber += 1
                guard let ended = try watch(watchNumber) else { return }
                why = ended
            } catch {
                why = error.description
            }
            needsRead = true
            if why.hasPrefix("compacted") {
                logger.notice("etcd watch compacted; reading everything again", metadata: ["why": "\(why)"])
                continue
            }
            logger.warning("etcd watch lost or etcd unreachable; reading everything again after a pause",
                           metadata: ["why": "\(why)", "retry.in": "\(backoff)"])
            unreachable(why)
            guard transition(to: .backingOff(error: why)) else { return }
            if case .stop? = next(timeout: backoff) { return }
            backoff = min(backoff * 2, Self.backoffRange.upperBound)
        }
    }

    /// Follows from the revision last read until the watch ends.
    /// - Returns: why it ended (nil: stopped).
    private func watch(_ number: Int) throws(EtcdError) -> String? {
        guard case .read(let revision) = state.withLock({ $0 }) else { return nil }
        let from = min(revision + 1, max(history.next, compactedAt.withLock { $0 }))
        let (channel, ended) = try client.watch(prefix: client.settings.prefix, from: from) { [self] message in
            post(.message(watch: number, message))
        }
        ended.whenFailure { [self] error in post(.watchEnded(watch: number, "\(error)")) }
        defer { channel.close(promise: nil) }
        guard transition(to: .watching(revision: revision, channel: channel)) else { return nil }
        var nextCheck = Date()
        /// The revision of changes taken but not applied yet (more messages were waiting).
        var pending: Int?
        while true {
            if nextCheck.timeIntervalSinceNow <= 0 {
                checkLag()
                nextCheck = Date(timeIntervalSinceNow: Self.lagCheckInterval)
            }
            switch next(timeout: max(0, nextCheck.timeIntervalSinceNow)) {
            case nil: continue
            case .stop?: return nil
            case .watchEnded(let n, let why)?: if n == number { return why }
            case .message(let n, let m)?:
                guard n == number else { continue }
                if EtcdClient.isTrue(m["canceled"]) {
                    let compacted = EtcdClient.int(m["compact_revision"])
                    if compacted > 0 { compactedAt.withLock { $0 = max($0, compacted) } }
                    return compacted > 0 ? "compacted at revision \(compacted)"
                        : "cancelled by etcd: \(m["cancel_reason"]?.stringValue ?? "no reason given")"
                }
                if m["error"] != nil { return "etcd: \(m["message"]?.stringValue ?? m["error"]?.shortDescription ?? "")" }
                if let changed = try takeEvents(m, after: revision) { pending = changed }
                // A burst of changes is applied once, after its last message.
                guard let applied = pending, !hasMessage(of: number) else { continue }
                pending = nil
                apply(revision: applied)
                guard transition(to: .watching(revision: applied, channel: channel)) else { return nil }
            }
        }
    }

    /// Asks etcd for its revision and its newest change under the prefix (the status's lag); a failure is left to
    /// the watch, which ends when the member is gone.
    private func checkLag() {
        guard let (revision, newest) = try? client.newestChange(prefix: client.settings.prefix) else { return }
        store.updateMirrorStatus {
            $0.sourceRevision = revision
            $0.newestChange = newest
        }
    }

    /// Sets the state unless the source was stopped; false then.
    private func transition(to new: State) -> Bool {
        state.withLock { s in
            if case .stopped = s { return false }
            s = new
            return true
        }
    }

    /// Takes one watch message's events into the history, and those after revision `read` (the one the key-values
    /// were read at) into the key-values, in order (not applied yet).
    /// - Returns: the message's revision, or nil when it changes no key-value (a progress report, history only).
    private func takeEvents(_ message: ConfigValue, after read: Int) throws(EtcdError) -> Int? {
        let events = EtcdClient.list(message["events"])
        if events.isEmpty {
            reachable()
            return nil
        }
        var changes: [(key: String, kv: EtcdClient.KeyValue?)] = []
        var seen: [EtcdHistory.Event] = []
        for event in events {
            guard let kv = event["kv"] else { continue }
            let parsed = try EtcdClient.keyValue(kv)
            let deleted = event["type"]?.stringValue == "DELETE"
            seen.append(.init(key: parsed.key, revision: parsed.modRevision, deleted: deleted,
                              createRevision: parsed.createRevision, value: parsed.value))
            if parsed.modRevision > read { changes.append((parsed.key, deleted ? nil : parsed)) }
        }
        history.record(seen)
        if changes.isEmpty { return nil }
        kvs.withLock { all in
            for change in changes { all[change.key] = change.kv }
        }
        return EtcdClient.revision(message)
    }

    // MARK: - Reading and applying

    /// A full range read, applied; the follower then watches from its revision.
    private func readAll() throws(EtcdError) {
        guard transition(to: .reading) else { return }
        let range = try client.range(prefix: client.settings.prefix)
        kvs.withLock { all in all = Dictionary(range.kvs.map { ($0.key, $0) }, uniquingKeysWith: { _, b in b }) }
        apply(revision: range.revision)
        _ = transition(to: .read(revision: range.revision))
    }

    private func apply(revision: Int) {
        let all = kvs.withLock { Array($0.values) }
        let mirrored = StoredObjects.decode(all.map {
            StoredObject(key: $0.key, value: $0.value, createRevision: $0.createRevision, modRevision: $0.modRevision)
        }, prefix: client.settings.prefix)
        report(mirrored.skipped, all)
        do {
            try LastKnownGood.write(.init(prefix: client.settings.prefix, revision: revision,
                                          kvs: all.sorted { $0.key < $1.key }), to: lastKnownGood)
        } catch {
            logger.error("Cannot write the last-known-good file", metadata: ["file": "\(lastKnownGood)", "error": "\(error)"])
        }
        store.mirror(mirrored.config, objectRevisions: mirrored.objectRevisions, revision: revision)
        store.updateMirrorStatus {
            $0.revision = revision
            $0.sourceRevision = max($0.sourceRevision, revision)
            $0.lastApplied = Date()
            $0.fromLastKnownGood = false
            $0.skipped = mirrored.skipped.map(\.description)
        }
        reachable()
    }

    private func serveLastKnownGood() {
        do {
            guard let content = try LastKnownGood.read(lastKnownGood) else {
                logger.error("etcd unreachable and no last-known-good file: serving nothing until etcd answers",
                             metadata: ["file": "\(lastKnownGood)"])
                return
            }
            guard content.prefix == client.settings.prefix else {
                logger.error("The last-known-good file is for another prefix; not served",
                             metadata: ["file": "\(lastKnownGood)", "prefix": "\(content.prefix)"])
                return
            }
            let mirrored = StoredObjects.decode(content.kvs.map {
                StoredObject(key: $0.key, value: $0.value, createRevision: $0.createRevision, modRevision: $0.modRevision)
            }, prefix: content.prefix)
            store.mirror(mirrored.config, objectRevisions: mirrored.objectRevisions, revision: content.revision)
            store.updateMirrorStatus {
                $0.revision = content.revision
                $0.lastApplied = Date()
                $0.fromLastKnownGood = true
                $0.skipped = mirrored.skipped.map(\.description)
            }
            logger.warning("etcd unreachable: serving the last-known-good configuration", metadata: [
                "file": "\(lastKnownGood)", "etcd.revision": "\(content.revision)",
            ])
        } catch {
            logger.error("The last-known-good file cannot be read; not served", metadata: ["error": "\(error)"])
        }
    }

    private func report(_ skipped: [ConfigError], _ all: [EtcdClient.KeyValue]) {
        let revisions = Dictionary(all.map { ($0.key, $0.modRevision) }, uniquingKeysWith: { a, _ in a })
        for error in skipped {
            let key = error.file ?? ""
            let mark = "\(key)@\(revisions[key] ?? 0): \(error.fieldMessage)"
            guard logged.withLock({ $0.insert(mark).inserted }) else { continue }
            logger.error("Invalid value in etcd skipped; the rest is served", metadata: [
                "etcd.key": "\(key)", "field": "\(error.path)", "error": "\(error.message)",
            ])
        }
    }

    private func reachable() {
        store.updateMirrorStatus { s in
            if !s.reachable { s.since = Date() }
            s.reachable = true
            s.error = nil
        }
    }

    private func unreachable(_ why: String) {
        store.updateMirrorStatus { s in
            if s.reachable { s.since = Date() }
            s.reachable = false
            s.error = why
        }
    }

    // MARK: - Inbox

    private func post(_ event: Event) {
        inbox.withLock { $0.append(event) }
        if case .stop = event { state.withLock { $0 = .stopped } }
        wakeUp.signal()
    }

    /// Whether a message of watch `number` is waiting.
    private func hasMessage(of number: Int) -> Bool {
        inbox.withLock { box in box.contains { if case .message(number, _) = $0 { true } else { false } } }
    }

    /// The next event, waiting at most `timeout` seconds (nil: as long as it takes); a stop comes first.
    private func next(timeout: Double?) -> Event? {
        while true {
            if let event = inbox.withLock({ box -> Event? in
                if box.contains(where: { if case .stop = $0 { true } else { false } }) { return .stop }
                return box.isEmpty ? nil : box.removeFirst()
            }) { return event }
            if let timeout {
                if wakeUp.wait(timeout: .now() + timeout) == .timedOut { return nil }
            } else {
                wakeUp.wait()
            }
        }
    }
}
