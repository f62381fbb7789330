import Foundation

/// A store that mirrors a configuration kept elsewhere (etcd, DESIGN.md "One source of truth" with etcd as the
/// writer's target): the source publishes what it read with `mirror`, already validated; object writes go to the
/// backend as compare-and-sets and return once they came back through the mirror; every other write is refused.
extension Store {
    /// A store fed by `mirror(...)`, starting empty at revision 0.
    /// - Parameters:
    ///   - lastKnownGood: the file the source keeps the last applied configuration in (shown as the data file).
    ///   - backend: where `writeObject`/`deleteObject` go; nil refuses them with `readOnly`.
    ///   - history: the source's history (listed, compared, and restored through `backend`); nil: none is kept.
    ///   - readOnly: why other writes (reload, `apply`; rollback without a history) are refused — and object
    ///     writes and rollbacks when there is no backend.
    public convenience init(lastKnownGood: String, backend: (any ObjectBackend)?, history: (any SharedHistory)? = nil,
                            readOnly: String) {
        self.init(mode: .mirror(backend: backend, history: history, readOnly: readOnly), dataFile: lastKnownGood)
    }

    /// Why this store takes no local writes (nil: it does, or they go to a backend).
    public var readOnlyReason: String? {
        if case .mirror(nil, _, let why) = mode { return why }
        return nil
    }

    /// Why `rollback` is refused (nil: it is not): a mirror rolls back through its backend and its source's history.
    public var rollbackRefusal: String? {
        if case .mirror(let backend, let history, let why) = mode, backend == nil || history == nil { return why }
        return nil
    }

    /// The source's history, for a mirror that has one.
    var sharedHistory: (any SharedHistory)? {
        if case .mirror(_, let history?, _) = mode { return history }
        return nil
    }

    /// Publishes the source's configuration at `revision` (validated by the caller); no file is written here.
    /// Nothing happens when it is the configuration and revision in force.
    public func mirror(_ config: GatewayConfig, objectRevisions: [String: ObjectRevision], revision: Int) {
        writing { (s: inout State) -> Void in
            let old = s.snapshot
            if old.revision == revision && old.config == config && old.objectRevisions == objectRevisions { return }
            publishLocked(&s, ConfigSnapshot(revision: revision, config: config, objectRevisions: objectRevisions))
        }
    }

    /// The source's state (nil for a store of the data file).
    public var mirrorStatus: MirrorStatus? { status.withLock { $0 } }

    /// Changes the source's state.
    public func updateMirrorStatus(_ change: (inout MirrorStatus) -> Void) {
        status.withLock { s in
            guard var current = s else { return }
            change(&current)
            s = current
        }
    }

    /// Sets the source's state (the source calls it once, at start).
    public func setMirrorStatus(_ value: MirrorStatus) { status.withLock { $0 = value } }

    /// A put or delete through the backend: checked against the mirror's snapshot like a local write, then a
    /// compare-and-set on the object's revision; on a conflict it waits for the mirror to see the other write and
    /// tries again (so `body`'s If-Match check refuses it then).
    func transactRemotely<T: Sendable>(_ backend: any ObjectBackend, source: ChangeSource,
                                      _ body: (ConfigSnapshot) throws -> (ConfigChange, T)) throws -> (ConfigSnapshot, T) {
        for _ in 0..<Self.remoteAttempts {
            let snapshot = self.snapshot
            let (change, extra) = try body(snapshot)
            let config = try Self.proposedConfig(change, on: snapshot)
            try Self.checkImmutableFields(old: snapshot.config, new: config)
            let kind: ResourceKind, id: String
            let outcome: BackendWrite
            switch change {
            case .put(let k, let i, let value):
                (kind, id) = (k, i)
                outcome = try backend.put(k, id: i, value: value, expected: snapshot.objectRevision(k, i)?.modified ?? 0,
                                          source: source)
            case .delete(let k, let i):
                (kind, id) = (k, i)
                outcome = try backend.delete(k, id: i, expected: snapshot.objectRevision(k, i)?.modified ?? 0,
                                             source: source)
            case .replaceAll:
                throw StoreError.readOnly("a whole document cannot be written to etcd at once")
            }
            let before = snapshot.objectRevision(kind, id)?.modified
            switch outcome {
            case .written(let revision):
                let deleted: Bool = if case .delete = change { true } else { false }
                let seen = waitForMirror(timeout: backend.confirmTimeout) { s in
                    deleted ? s.objectRevision(kind, id) == nil || s.revision >= revision
                        : (s.objectRevision(kind, id)?.modified ?? 0) >= revision
                }
                return (seen, extra)
            case .conflict:
                _ = waitForMirror(timeout: backend.confirmTimeout) { $0.objectRevision(kind, id)?.modified != before }
            }
        }
        throw StoreError.unavailable("the object kept changing while this write was retried \(Self.remoteAttempts) times")
    }

    static let remoteAttempts = 5

    /// Waits until the snapshot in force satisfies `done`, at most `timeout` seconds; returns the one then in force.
    func waitForMirror(timeout: Double, _ done: (ConfigSnapshot) -> Bool) -> ConfigSnapshot {
        let deadline = Date(timeIntervalSinceNow: timeout)
        published.lock()
        defer { published.unlock() }
        while true {
            let s = snapshot
            if done(s) || !published.wait(until: deadline) { return snapshot }
        }
    }
}
