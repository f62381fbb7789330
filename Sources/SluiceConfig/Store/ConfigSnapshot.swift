/// When an object was created and last changed, in store revisions (the Admin API's createdIndex/modifiedIndex).
public struct ObjectRevision: Sendable, Equatable {
    public var created: Int
    public var modified: Int
}

/// One immutable version of the configuration, published by the `Store` after every successful change.
public final class ConfigSnapshot: Sendable {
    /// Grows by one with every applied change.
    public let revision: Int
    public let config: GatewayConfig
    /// Keyed by `"<kind>/<id>"`, e.g. `stream_routes/1`.
    public let objectRevisions: [String: ObjectRevision]
    /// Set when the configuration is revision `revision - 1`'s with only this stream route put or deleted (an
    /// Admin API edit): a follower may take every other route of that revision as it was, without comparing them.
    public let onlyStreamRouteChanged: String?

    public init(revision: Int, config: GatewayConfig, objectRevisions: [String: ObjectRevision],
                onlyStreamRouteChanged: String? = nil) {
        self.revision = revision
        self.config = config
        self.objectRevisions = objectRevisions
        self.onlyStreamRouteChanged = onlyStreamRouteChanged
    }

    public func objectRevision(_ kind: ResourceKind, _ id: String) -> ObjectRevision? {
        objectRevisions["\(kind.rawValue)/\(id)"]
    }
}
