/// A put or delete of one stream route, validated without the whole document (`GatewayConfig.puttingStreamRoute`),
/// with what a commit needs to know of it, so that it compares that object rather than whole configurations.
///
/// Only stream routes take this path: nothing refers to them, so one route's own checks are all that can fail.
/// A service, upstream or ssl is named by others and validates with the whole document.
struct ObjectEdit: Sendable {
    var kind: ResourceKind
    var id: String
    /// The object's document before and after (nil: it did not exist / it is removed).
    var before: ConfigValue?
    var after: ConfigValue?
    /// The whole configuration with the edit made.
    var config: GatewayConfig

    /// The edit `change` makes of `old`, validated; nil when `change` is not a stream route's put or delete, or
    /// has any problem — the whole document then decides, and says what is wrong.
    init?(_ change: ConfigChange, on old: GatewayConfig) {
        let id: String, after: ConfigValue?, config: GatewayConfig?
        switch change {
        case .put(.streamRoutes, let i, let value):
            (id, after, config) = (i, value, old.puttingStreamRoute(id: i, value: value))
        case .delete(.streamRoutes, let i):
            (id, after, config) = (i, nil, old.removingStreamRoute(id: i))
        default: return nil
        }
        guard let config else { return nil }
        kind = .streamRoutes
        self.id = id
        before = old.streamRoutes.first { $0.id == id }?.raw
        self.after = after
        self.config = config
    }

    /// The edit as the history records it.
    var change: ObjectChange {
        ObjectChange(kind: kind, id: id, action: before == nil ? .create : after == nil ? .delete : .update)
    }

    /// The object revisions after the edit, at `revision`: the old ones with this object's created, bumped or gone.
    func objectRevisions(_ old: [String: ObjectRevision], revision: Int) -> [String: ObjectRevision] {
        var out = old
        let key = "\(kind.rawValue)/\(id)"
        if after == nil {
            out[key] = nil
        } else if before != nil, let previous = old[key] {
            out[key] = ObjectRevision(created: previous.created, modified: revision)
        } else {
            out[key] = ObjectRevision(created: revision, modified: revision)
        }
        return out
    }
}
