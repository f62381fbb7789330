/// Read-modify-write under the store's lock, for writers whose change depends on the current state
/// (the Admin API's If-Match checks, PATCH merges, kept `create_time`s, generated ids).
extension Store {
    /// Calls `body` with the snapshot in force and applies the change it returns, atomically: no other change
    /// can come between the read and the write. Like `apply`, it first catches up with a hand edit and refuses
    /// while the data file is invalid.
    /// - Parameters:
    ///   - source: who asks, as the revision records it.
    ///   - body: returns the change to make, or nil for none; may throw its own errors to refuse.
    /// - Returns: the snapshot in force afterwards.
    /// - Throws: what `body` throws, or a `StoreError`; nothing changed then.
    @discardableResult
    public func update(source: ChangeSource, _ body: (ConfigSnapshot) throws -> ConfigChange?) throws -> ConfigSnapshot {
        try transact(source: source) { snapshot in (try body(snapshot), ()) }.0
    }

    /// `update` with something more for the caller from inside the transaction (what an object write stored).
    func transact<T: Sendable>(source: ChangeSource,
                               _ body: (ConfigSnapshot) throws -> (ConfigChange?, T)) throws -> (ConfigSnapshot, T) {
        try writing { (s: inout State) throws -> (ConfigSnapshot, T) in
            try prepareWriteLocked(&s)
            let (change, extra) = try body(s.snapshot)
            guard let change else { return (s.snapshot, extra) }
            return (try applyLocked(&s, change, source: source), extra)
        }
    }
}
