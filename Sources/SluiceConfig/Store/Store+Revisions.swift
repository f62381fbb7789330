import Foundation

/// The configuration history (DESIGN.md "Revisions"): every applied change is a revision on disk, listed, compared
/// and restored here. Documents and diffs leave private keys out (`PrivateKeyRedaction`); a rollback restores the
/// revision's file exactly.
extension Store {
    /// The revisions kept, newest first.
    public var revisions: [RevisionEntry] { view.withLock { $0.history.entries.reversed() } }

    /// One revision's entry, or nil when it is not kept.
    public func revision(_ number: Int) -> RevisionEntry? { view.withLock { $0.history.entry(number) } }

    /// The folder the history is kept in.
    public var historyDirectory: String { view.withLock { $0.history.directory } }

    /// The data file's text at a revision, private keys left out.
    /// - Throws: `StoreError.revisionNotFound` when the history does not hold it.
    public func revisionDocument(_ number: Int) throws(StoreError) -> String {
        let history = view.withLock { $0.history }
        guard let text = history.document(number) else { throw .revisionNotFound(number) }
        return PrivateKeyRedaction.redact(text)
    }

    /// The unified diff from revision `against` (default: the kept revision before `number`, or an empty file when
    /// there is none) to revision `number`; empty when they hold the same configuration. Both sides are compared
    /// as the store writes them, so a hand edit's layout and comments do not bury what changed.
    /// - Throws: `StoreError.revisionNotFound` for a revision the history does not hold.
    public func diff(_ number: Int, against: Int? = nil) throws(StoreError) -> String {
        let history = view.withLock { $0.history }
        let new = try canonicalDocument(number)
        let base = against ?? history.entries.last { $0.number < number }?.number
        let old = try base.map { n throws(StoreError) in try canonicalDocument(n) } ?? ""
        return UnifiedDiff.text(from: old, to: new, oldName: base.map { "revision \($0)" } ?? "(empty)",
                                newName: "revision \(number)")
    }

    /// A revision's document as the store would write it (its text as written when it no longer parses).
    private func canonicalDocument(_ number: Int) throws(StoreError) -> String {
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
    @discardableResult
    public func rollback(to number: Int) throws(StoreError) -> ConfigSnapshot {
        try writing { (s: inout State) throws(StoreError) -> ConfigSnapshot in
            try prepareWriteLocked(&s)
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
}
