/// Where a mirrored store's object writes go (etcd): each a compare-and-set on the object's modification
/// revision, so two writers can never lose an update.
public protocol ObjectBackend: Sendable {
    /// Seconds a writer waits for its own write to come back through the mirror.
    var confirmTimeout: Double { get }

    /// Stores `value` as `kind`/`id` if the object's modification revision is still `expected` (0: it must not
    /// exist); `source` is recorded with it for the shared history.
    /// - Throws: `StoreError.unavailable` when the backend cannot be reached; nothing was written then.
    func put(_ kind: ResourceKind, id: String, value: ConfigValue, expected: Int,
             source: ChangeSource) throws(StoreError) -> BackendWrite

    /// Removes `kind`/`id` if its modification revision is still `expected`.
    /// - Throws: `StoreError.unavailable` when the backend cannot be reached; nothing was removed then.
    func delete(_ kind: ResourceKind, id: String, expected: Int, source: ChangeSource) throws(StoreError) -> BackendWrite
}

/// What a compare-and-set did.
public enum BackendWrite: Sendable, Equatable {
    /// Done, at this backend revision.
    case written(revision: Int)
    /// The object changed since the writer read it: nothing was written.
    case conflict
}
