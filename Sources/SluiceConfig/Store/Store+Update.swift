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
        try state.withLock { (s: inout State) throws -> ConfigSnapshot in
            try prepareWriteLocked(&s)
            guard let change = try body(s.snapshot) else { return s.snapshot }
            return try applyLocked(&s, change, source: source)
        }
    }
}
