import Foundation
import Synchronization

/// The single writer of the dynamic configuration (DESIGN.md "One source of truth").
///
/// Every change — console form, Admin API, hand edit of the file — goes through `apply`: the whole resulting
/// configuration is validated, written to `gateway.yaml` crash-safely, and published as a new `ConfigSnapshot`
/// to the subscribers (the engine). Changes are serialized; a refused change changes nothing anywhere.
///
/// Two locks: writers hold `state` while they read the file, validate, persist and publish; readers (`snapshot`,
/// the history, the data file's errors) take only `view`, which writers replace at the end, so a read never waits
/// for a write's validation or fsync.
public final class Store: Sendable {
    public typealias Subscriber = @Sendable (ConfigSnapshot) -> Void

    struct State {
        var snapshot: ConfigSnapshot
        var subscribers: [Subscriber] = []
        /// The text this store last wrote or read, to tell our own writes from hand edits.
        var lastText: String?
        /// The errors of the data file as last read, while it is invalid (see `Store+HandEdits.swift`).
        var fileErrors: ConfigErrors?
        /// The revisions on disk (see `Store+Revisions.swift`).
        var history: RevisionLog
        /// The data file's text as the store renders it, object by object.
        var rendered = RenderedDocument()
    }

    /// What readers see: a copy of the writer state's public parts, replaced after every write.
    struct View {
        var snapshot: ConfigSnapshot
        var history: RevisionLog
        var fileErrors: ConfigErrors?
    }

    /// Where the configuration comes from: the data file, or a mirror of etcd (`Store+Mirror.swift`).
    enum Mode: Sendable {
        case local
        /// Fed by `mirror(...)`; writes go to `backend` (nil: refused with `readOnly`); `history` is the source's.
        case mirror(backend: (any ObjectBackend)?, history: (any SharedHistory)?, readOnly: String)
    }

    /// Absolute path of `gateway.yaml` (for a mirror: its last-known-good file).
    public let dataFile: String
    let mode: Mode
    let state: Mutex<State>
    let view: Mutex<View>
    /// The mirror's source state (`Store+Mirror.swift`); nil for a store of the data file.
    let status: Mutex<MirrorStatus?>
    /// Broadcast after every write, once readers see its result (writers through a backend wait for their
    /// revision on it).
    let published = NSCondition()

    /// Loads `dataFile`, creating it empty when it does not exist yet, and its history beside it. When the file
    /// differs from the last recorded revision (or there is none), its content becomes a new revision (`start`);
    /// either way revision numbers go on from the history's.
    /// - Parameter historyKeep: how many revisions the history keeps (config.yaml `history.keep`).
    /// - Throws: `ConfigErrors` when the file is invalid (it is never rewritten then) or the history cannot be written.
    public init(dataFile: String, historyKeep: Int = NodeSettings.defaultHistoryKeep) throws(ConfigErrors) {
        self.dataFile = dataFile
        self.mode = .local
        self.status = Mutex(nil)
        let name = URL(fileURLWithPath: dataFile).lastPathComponent
        var text = ""
        if FileManager.default.fileExists(atPath: dataFile) {
            guard let t = try? String(contentsOfFile: dataFile, encoding: .utf8) else {
                throw ConfigErrors([ConfigError(file: name, path: "", message: "cannot read \(dataFile)")])
            }
            text = t
        } else {
            text = "# Sluice dynamic configuration: stream_routes, services, upstreams, ssls.\n"
            do { try AtomicFile.write(text, to: dataFile) } catch {
                throw ConfigErrors([ConfigError(file: name, path: "", message: error.description)])
            }
        }
        let config = try Store.decodeFile(text, name: name)
        var history = RevisionLog(dataFile: dataFile, keep: historyKeep)
        let recorded = history.latest.flatMap { history.document($0.number) }.flatMap { try? Store.decodeFile($0, name: name) }
        var revision = history.latest?.number ?? 0
        if recorded != config {
            revision += 1
            let entry = RevisionEntry(number: revision, time: Store.now(), source: .start,
                                      changes: ObjectChange.between(recorded ?? GatewayConfig(), config))
            do { try history.append(entry, document: text) } catch {
                throw ConfigErrors([ConfigError(file: name, path: "", message: "cannot record the configuration "
                    + "history in \(history.directory): \(error.description)")])
            }
        }
        var revisions: [String: ObjectRevision] = [:]
        for kind in ResourceKind.allCases {
            for doc in config.documents(kind) {
                revisions["\(kind.rawValue)/\(doc.id)"] = ObjectRevision(created: revision, modified: revision)
            }
        }
        let snapshot = ConfigSnapshot(revision: revision, config: config, objectRevisions: revisions)
        state = Mutex(State(snapshot: snapshot, lastText: text, history: history))
        view = Mutex(View(snapshot: snapshot, history: history))
    }

    /// An empty store in `mode` (a mirror's: `Store+Mirror.swift`), keeping no history.
    init(mode: Mode, dataFile: String) {
        self.dataFile = dataFile
        self.mode = mode
        self.status = Mutex(nil)
        let snapshot = ConfigSnapshot(revision: 0, config: GatewayConfig(), objectRevisions: [:])
        let history = RevisionLog(dataFile: dataFile, keep: 1)
        state = Mutex(State(snapshot: snapshot, history: history))
        view = Mutex(View(snapshot: snapshot, history: history))
    }

    /// Runs a writer's `body` under the writer lock, then lets readers see the result (also after a refusal,
    /// which may have recorded the data file's errors).
    func writing<T: Sendable, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        try state.withLock { (s: inout State) throws(E) -> T in
            defer {
                view.withLock { $0 = View(snapshot: s.snapshot, history: s.history, fileErrors: s.fileErrors) }
                published.lock()
                published.broadcast()
                published.unlock()
            }
            return try body(&s)
        }
    }

    /// Now, in whole seconds (what the history records).
    static func now() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    /// Validates a `gateway.yaml` text; errors carry the file name and lines.
    public static func decodeFile(_ text: String, name: String) throws(ConfigErrors) -> GatewayConfig {
        let value: ConfigValue
        do { value = try ConfigValue.parseYAML(text, file: name) } catch { throw ConfigErrors([error]) }
        return try GatewayConfig.decode(value, file: name)
    }

    /// The configuration now in force.
    public var snapshot: ConfigSnapshot { view.withLock { $0.snapshot } }

    /// Calls `subscriber` with the current snapshot now and with every later one, in order, under the store's
    /// lock (so keep it quick and never call back into the store from it).
    public func subscribe(_ subscriber: @escaping Subscriber) {
        state.withLock {
            $0.subscribers.append(subscriber)
            subscriber($0.snapshot)
        }
    }

    /// Applies one change: validate everything, persist, publish.
    ///
    /// It first catches up with a hand edit of the data file not applied yet; while the file is invalid it is
    /// refused with `StoreError.dataFileBroken`, so the operator's file is never overwritten.
    /// - Returns: the new snapshot (or the current one when a reload found nothing new).
    /// - Throws: `StoreError`; nothing changed then.
    @discardableResult
    public func apply(_ change: ConfigChange, source: ChangeSource) throws(StoreError) -> ConfigSnapshot {
        try writing { (s: inout State) throws(StoreError) -> ConfigSnapshot in
            try prepareWriteLocked(&s)
            return try applyLocked(&s, change, source: source)
        }
    }

    /// The validated configuration `change` makes of `old`'s (a put or a delete; `replaceAll` validates its
    /// document); fixed fields are checked when it is committed. Needs no lock.
    static func proposedConfig(_ change: ConfigChange, on old: ConfigSnapshot) throws(StoreError) -> GatewayConfig {
        let config: GatewayConfig
        switch change {
        case .put(let kind, let id, let value):
            var doc = old.config.document()
            var list = doc[kind.rawValue].flatMap { v -> [ConfigValue]? in
                if case .list(let l) = v.kind { return l }
                return nil
            } ?? []
            if let i = old.config.documents(kind).firstIndex(where: { $0.id == id }) {
                list[i] = value
            } else {
                list.append(value)
            }
            doc[kind.rawValue] = .list(list)
            config = try validate(doc, file: nil)
        case .delete(let kind, let id):
            guard let i = old.config.documents(kind).firstIndex(where: { $0.id == id }) else {
                throw .notFound(kind, id: id)
            }
            var doc = old.config.document()
            if case .list(var l)? = doc[kind.rawValue]?.kind {
                l.remove(at: i)
                doc[kind.rawValue] = l.isEmpty ? nil : .list(l)
            }
            config = try validate(doc, file: nil)
        case .replaceAll(let doc, let file):
            config = try validate(doc, file: file)
        }
        return config
    }

    /// What a validated change writes: the configuration, and the data file's text.
    struct Proposal {
        /// Where the data file's new text comes from.
        enum FileText {
            /// Rendered from the configuration (a put or delete).
            case render
            /// Already on disk as the operator wrote it (a hand edit): recorded, not rewritten.
            case asWritten(String)
            /// Written exactly so (a rollback to a revision's document).
            case write(String)
        }

        var config: GatewayConfig
        var fileText: FileText
        /// Set when the change is one stream route's, validated alone: the commit then compares only that route.
        var edit: ObjectEdit?
    }

    /// The body of `apply`, for callers that hold the lock. A stream route's put or delete is validated alone
    /// (`ObjectEdit`); anything else, or a route with a problem, with the whole document.
    func applyLocked(_ s: inout State, _ change: ConfigChange, source: ChangeSource) throws(StoreError) -> ConfigSnapshot {
        if let edit = ObjectEdit(change, on: s.snapshot.config) {
            return try commitLocked(&s, Proposal(config: edit.config, fileText: .render, edit: edit), source: source)
        }
        let config = try Self.proposedConfig(change, on: s.snapshot)
        return try commitLocked(&s, Proposal(config: config, fileText: .render), source: source)
    }

    /// Checks what no single document can (fixed fields), publishes, records the revision and persists.
    /// A configuration equal to the one in force changes nothing and records nothing.
    ///
    /// The subscribers (the engine) take the new snapshot before it is written, so a change is in force for the
    /// next connection without waiting for two fsyncs; the caller hears of it only once the data file and the
    /// history are durable. When a write fails, the snapshot in force before is published again and nothing is
    /// recorded: only connections accepted in between saw the change that was refused. Readers (`snapshot`, the
    /// Admin API, the console) see the new snapshot only once it is durable (`writing`).
    /// - Parameter rolledBackTo: the revision a rollback restores, recorded in the new revision's entry.
    func commitLocked(_ s: inout State, _ proposal: Proposal, source: ChangeSource,
                      rolledBackTo: Int? = nil) throws(StoreError) -> ConfigSnapshot {
        let old = s.snapshot
        let newConfig = proposal.config
        let revision = old.revision + 1
        let snapshot: ConfigSnapshot
        let changes: [ObjectChange]
        if let edit = proposal.edit {
            // Only one stream route differs: services (and their fixed fields) are as they were.
            if edit.before == edit.after { return old }
            snapshot = ConfigSnapshot(revision: revision, config: newConfig,
                                      objectRevisions: edit.objectRevisions(old.objectRevisions, revision: revision),
                                      onlyStreamRouteChanged: edit.id)
            changes = [edit.change]
        } else {
            try Self.checkImmutableFields(old: old.config, new: newConfig)
            if newConfig == old.config { return old }
            snapshot = ConfigSnapshot(revision: revision, config: newConfig,
                                      objectRevisions: Self.revisions(old: old, new: newConfig, revision: revision))
            changes = ObjectChange.between(old.config, newConfig)
        }
        publishLocked(&s, snapshot)
        do throws(StoreError) {
            try persistLocked(&s, proposal, entry: RevisionEntry(number: revision, time: Self.now(), source: source,
                                                                 changes: changes, rolledBackTo: rolledBackTo))
        } catch {
            publishLocked(&s, old)
            throw error
        }
        return snapshot
    }

    /// Writes a published proposal: its revision to the history, then (unless the operator wrote it) the data
    /// file. Either fails whole: a revision whose data file could not be written is taken back.
    private func persistLocked(_ s: inout State, _ proposal: Proposal, entry: RevisionEntry) throws(StoreError) {
        let text: String
        switch proposal.fileText {
        case .render: text = s.rendered.text(of: proposal.config)
        case .asWritten(let t), .write(let t): text = t
        }
        try s.history.append(entry, document: text)
        if case .asWritten = proposal.fileText { return }
        do { try AtomicFile.write(text, to: dataFile, mode: proposal.config.ssls.isEmpty ? nil : 0o600) } catch {
            s.history.removeLatest()
            throw error
        }
        s.lastText = text
    }

    /// Makes `snapshot` the one in force and tells the subscribers (the waiting writers hear of it once readers
    /// see it, in `writing`).
    func publishLocked(_ s: inout State, _ snapshot: ConfigSnapshot) {
        s.snapshot = snapshot
        for subscriber in s.subscribers { subscriber(snapshot) }
    }

    /// Re-reads `gateway.yaml` (SIGHUP) and applies it like any other change; parsed before the writer lock.
    /// - Returns: the snapshot in force afterwards.
    /// - Throws: `StoreError.invalid` with file lines; the running configuration and the file stay as they are,
    ///   and writes are refused until the file is fixed (`dataFileErrors`).
    @discardableResult
    public func reloadFromDisk() throws(StoreError) -> ConfigSnapshot {
        if case .mirror(_, _, let why) = mode { throw .readOnly(why) }
        let file = parseDataFile(try readDataFile())
        return try writing { (s: inout State) throws(StoreError) -> ConfigSnapshot in try reloadLocked(&s, file) }
    }

    static func validate(_ doc: ConfigValue, file: String?) throws(StoreError) -> GatewayConfig {
        do { return try GatewayConfig.decode(doc, file: file) } catch { throw .invalid(error) }
    }

    /// A service's type and scheme are fixed once it exists.
    static func checkImmutableFields(old: GatewayConfig, new: GatewayConfig) throws(StoreError) {
        var errors: [ConfigError] = []
        for (i, service) in new.services.enumerated() {
            guard let before = old.service(service.id) else { continue }
            if before.type != service.type || before.scheme != service.scheme {
                errors.append(ConfigError(path: "services[\(i)]", message: "service type/scheme cannot be changed after "
                    + "creation (\(before.type.rawValue)/\(before.scheme?.rawValue ?? "-") ⇒ "
                    + "\(service.type.rawValue)/\(service.scheme?.rawValue ?? "-")); create a new service instead"))
            }
        }
        if !errors.isEmpty { throw .invalid(ConfigErrors(errors)) }
    }

    static func revisions(old: ConfigSnapshot, new: GatewayConfig, revision: Int) -> [String: ObjectRevision] {
        var out: [String: ObjectRevision] = [:]
        for kind in ResourceKind.allCases {
            let before = Dictionary(old.config.documents(kind).map { ($0.id, $0.raw) }, uniquingKeysWith: { a, _ in a })
            for doc in new.documents(kind) {
                let key = "\(kind.rawValue)/\(doc.id)"
                if let prev = old.objectRevisions[key], let raw = before[doc.id] {
                    out[key] = raw == doc.raw ? prev : ObjectRevision(created: prev.created, modified: revision)
                } else {
                    out[key] = ObjectRevision(created: revision, modified: revision)
                }
            }
        }
        return out
    }
}
