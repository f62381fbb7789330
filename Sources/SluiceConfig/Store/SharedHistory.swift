/// The configuration history of a mirrored store, kept by its source (etcd's own revisions), so every gateway
/// mirroring it lists, compares and restores the same revisions (DESIGN.md "Revisions" across gateways).
public protocol SharedHistory: Sendable {
    /// The revisions known, newest first (numbered by the source's revisions).
    var entries: [RevisionEntry] { get }

    /// The configuration as it was at revision `number`.
    /// - Throws: `StoreError.revisionNotFound` when the source no longer holds it (compacted, or never made).
    func configuration(at number: Int) throws(StoreError) -> GatewayConfig

    /// Makes revision `number`'s objects the current ones with one compare-and-set write to the source, recorded
    /// as a rollback; `check` sees the configuration now and the one restored first (fixed fields).
    /// - Parameter ifUnchangedSince: refuse with `StoreError.conflict` when anything changed after this revision
    ///   (If-Match); nil: retry while concurrent writes get in the way.
    /// - Returns: the source's revision the rollback was written at, or nil when revision `number`'s objects are
    ///   the current ones already (nothing written).
    /// - Throws: `StoreError`; nothing was written then.
    func restore(_ number: Int, ifUnchangedSince: Int?,
                 check: (_ now: GatewayConfig, _ restored: GatewayConfig) throws(StoreError) -> Void) throws(StoreError) -> Int?
}
