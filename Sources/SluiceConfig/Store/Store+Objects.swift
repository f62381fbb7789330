/// What `Store.writeObject` stored.
public struct ObjectWriteResult: Sendable {
    public var snapshot: ConfigSnapshot
    public var id: String
    /// True when the object did not exist before.
    public var created: Bool
    /// The object as stored: stamped with `id`, `create_time`, `update_time`.
    public var value: ConfigValue
}

/// The one write path for single objects, shared by the Admin API and the console (DESIGN.md "Revisions": the
/// same transaction, stamps, checks and revision compare inside it).
extension Store {
    /// Creates or replaces one object in one transaction: `resolve` sees the configuration in force and makes the
    /// writer's own checks against it (If-Match, the console's "changed elsewhere", "deleted elsewhere"); the value
    /// it returns is stamped (`id` first, `create_time` kept, `update_time` now), an ssl's certificate and key must
    /// be PEM blocks, and the whole configuration is validated, persisted, recorded and published.
    /// - Parameters:
    ///   - now: seconds since the epoch, for the stamps.
    ///   - resolve: the id and the (unstamped) value to store; may throw its own errors to refuse.
    /// - Throws: what `resolve` throws, or a `StoreError`; nothing changed then.
    public func writeObject(_ kind: ResourceKind, source: ChangeSource, now: Int,
                            _ resolve: (ConfigSnapshot) throws -> (id: String, value: ConfigValue)) throws -> ObjectWriteResult {
        let (snapshot, written) = try transactObject(source: source) { snapshot in
            let (id, proposed) = try resolve(snapshot)
            let docs = snapshot.config.documents(kind)
            let index = docs.firstIndex { $0.id == id }
            let old = index.map { docs[$0].raw }
            let value = ObjectStamp.stamp(proposed, id: id, old: old, now: now)
            if kind == .ssls { try PEMShape.check(value, path: "\(kind.rawValue)[\(index ?? docs.count)]") }
            return (.put(kind, id: id, value: value), (id: id, created: old == nil, value: value))
        }
        return ObjectWriteResult(snapshot: snapshot, id: written.id, created: written.created, value: written.value)
    }

    /// Removes one object in one transaction after `check` (the writer's own conditions: If-Match, references)
    /// passed against the configuration in force.
    /// - Throws: what `check` throws; `StoreError.notFound` when it does not exist; nothing changed then.
    @discardableResult
    public func deleteObject(_ kind: ResourceKind, id: String, source: ChangeSource,
                             _ check: (ConfigSnapshot) throws -> Void = { _ in }) throws -> ConfigSnapshot {
        try transactObject(source: source) { snapshot in
            guard snapshot.config.documents(kind).contains(where: { $0.id == id }) else {
                throw StoreError.notFound(kind, id: id)
            }
            try check(snapshot)
            return (.delete(kind, id: id), ())
        }.0
    }

    /// One object's put or delete: in the store, or — for a mirror with a backend — through the backend.
    private func transactObject<T: Sendable>(source: ChangeSource,
                                             _ body: (ConfigSnapshot) throws -> (ConfigChange, T)) throws -> (ConfigSnapshot, T) {
        if case .mirror(let backend?, _, _) = mode { return try transactRemotely(backend, source: source, body) }
        return try transact(source: source) { snapshot in
            let (change, extra) = try body(snapshot)
            return (change, extra)
        }
    }
}
