import Foundation

/// The configuration history (DESIGN.md "Revisions"): every applied change is a revision on disk, listed, compared
/// and restored here. Documents and diffs leave private keys out (`PrivateKeyRedaction`); a rollback restores the
/// revision's file exactly. A mirror with a shared history (etcd's revisions) lists, compares and restores that one
/// instead, the same on every gateway.
extension Store {
    /// The revisions kept, newest first.
    public var revisions: [RevisionEntry] {
        if let shared = sharedHistory { return shared.entries }
        return view.withLock { $0.history.entries.reversed() }
    }

    /// One revision's entry, or nil when it is not kept.
    public func revision(_ number: Int) -> RevisionEntry? {
        if let shared = sharedHistory { return shared.entries.first { $0.number == number } }
        return view.withLock { $0.history.entry(number) }
    }

    /// The folder the history is kept in.
    public var historyDirectory: String { view.withLock { $0.history.directory } }

    /// The data file's text at a revision, private keys left out.
    /// - Throws: `StoreError.revisionNotFound` when the history does not hold it.
    public func revisionDocument(_ number: Int) throws(StoreError) -> String {
        if let shared = sharedHistory { return try sharedDocument(shared, number) }
        let history = view.withLock { $0.history }
        guard let text = history.document(number) else { throw .revisionNotFound(number) }
        return PrivateKeyRedaction.redact(text)
    }

    /// The unified diff from revision `against` (default: the kept revision before `number`, or an empty file when
    /// there is none) to revision `number`; empty when they hold the same configuration. Both sides are compared
    /// as the store writes them, so a hand edit's layout and comments do not bury what changed.
    /// - Throws: `StoreError.revisionNotFound` for a revision the history does not hold.
    public func diff(_ number: Int, against: Int? = nil) throws(StoreError) -> String {
        let new = try canonicalDocument(number)
        let base = against ?? revisions.first { $0.number < number }?.number
        let old = try base.map { n throws(StoreError) in try canonicalDocument(n) } ?? ""
        return UnifiedDiff.text(from: old, to: new, oldName: base.map { "revision \($0)" } ?? "(empty)",
                                newName: "revision \(number)")
    }

    /// A revision's document as the store would write it (its text as written when it no longer parses).
    private func canonicalDocument(_ number: Int) throws(StoreError) -> String {
        if let shared = sharedHistory { return try sharedDocument(shared, number) }
        let text = try revisionDocument(number)
        guard let config = try? Self.decodeFile(text, name: "revision \(number)") else { return text }
        return PrivateKeyRedaction.redact(config.document().yamlText())
    }

    /// Makes revision `number`'s configuration the one in force again, as a new revision (`source: rollback`):
    /// validated like any change, written to the data file as that revision's text, published to the engine (new
    /// connections use it; open ones keep theirs). When it is in force already, nothing is recorded.
    /// - Returns: the snapshot in force afterwards.
    /// - Throws: `StoreError.revisionNotFound`, `.invalid` with the revision file's lines when it no longer
    ///   validates, `.dataFileBroken` while the data file is invalid; nothing changed then.
    /// - Parameter ifRevision: refuse with `StoreError.conflict` unless the configuration in force is still at this
    ///   revision (If-Match).
    @discardableResult
    public func rollback(to number: Int, ifRevision: Int? = nil) throws(StoreError) -> ConfigSnapshot {
        if case .mirror(let backend, let history, let why) = mode {
            guard let backend, let history else { throw .readOnly(why) }
            return try rollbackRemotely(backend, history, number, ifRevision: ifRevision)
        }
        return try writing { (s: inout State) throws(StoreError) -> ConfigSnapshot in
            try prepareWriteLocked(&s)
            if let ifRevision, s.snapshot.revision != ifRevision {
                throw .conflict("the configuration is at revision \(s.snapshot.revision), not \(ifRevision) "
                                + "(If-Match); list the revisions again and retry")
            }
            guard let fileText = s.history.fileText(number) else { throw .revisionNotFound(number) }
            let name = "\(URL(fileURLWithPath: s.history.directory).lastPathComponent)/\(RevisionLog.fileName(number))"
            let value: ConfigValue
            do throws(ConfigError) { value = try ConfigValue.parseYAML(fileText, file: name) } catch {
                throw .invalid(ConfigErrors([error]))
            }
            let proposal = Proposal(config: try Self.validate(value, file: name),
                                    fileText: .write(RevisionLog.stripHeader(fileText)))
            return try commitLocked(&s, proposal, source: .rollback, rolledBackTo: number)
        }
    }

    /// A shared history's document: the configuration at that revision as the store writes it, keys left out.
    private func sharedDocument(_ shared: any SharedHistory, _ number: Int) throws(StoreError) -> String {
        guard revision(number) != nil else { throw .revisionNotFound(number) }
        return PrivateKeyRedaction.redact(try shared.configuration(at: number).document().yamlText())
    }

    /// A mirror's rollback: one compare-and-set write of the revision's objects to the source, then the snapshot
    /// once it came back through the mirror (within the backend's confirmation time).
    private func rollbackRemotely(_ backend: any ObjectBackend, _ history: any SharedHistory, _ number: Int,
                                  ifRevision: Int?) throws(StoreError) -> ConfigSnapshot {
        guard revision(number) != nil else { throw .revisionNotFound(number) }
        if let ifRevision, let newest = history.entries.first?.number, newest != ifRevision {
            throw .conflict("the configuration is at revision \(newest), not \(ifRevision) (If-Match); "
                            + "list the revisions again and retry")
        }
        let written = try history.restore(number, ifUnchangedSince: ifRevision) { now, restored throws(StoreError) in
            try Self.checkImmutableFields(old: now, new: restored)
        }
        guard let written else { return snapshot }
        return waitForMirror(timeout: backend.confirmTimeout) { $0.revision >= written }
    }
}
