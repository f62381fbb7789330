import Foundation

/// How a mirrored store's source (etcd) is doing, for the Admin API and the console header.
public struct MirrorStatus: Sendable, Equatable {
    /// What is mirrored: `etcd http://127.0.0.1:2379 /apisix`.
    public var source: String
    /// Whether the last exchange with the source worked.
    public var reachable = false
    /// Since when `reachable` has had its value.
    public var since: Date
    /// The source's revision the configuration in force was read at (0: none yet).
    public var revision = 0
    /// True while the configuration in force comes from the last-known-good file, not from the source.
    public var fromLastKnownGood = false
    /// Why the source is unreachable (the last failure), nil while it is reachable.
    public var error: String?
    /// The values skipped as invalid: `key: field: why`.
    public var skipped: [String] = []
    /// The source's own revision when it was last asked (0: not known yet); writes outside the prefix count too.
    public var sourceRevision = 0
    /// The newest modification under the prefix the source holds, as last asked (0: not known yet).
    public var newestChange = 0
    /// When a configuration read from the source was last applied (nil: none yet).
    public var lastApplied: Date?

    /// How many revisions of changes under the prefix the source holds and this gateway does not serve yet.
    public var lagRevisions: Int { max(0, newestChange - revision) }

    /// While behind, the seconds since the last change was applied here (0 when caught up).
    public func lagSeconds(at now: Date) -> Double {
        guard lagRevisions > 0, let lastApplied else { return 0 }
        return max(0, now.timeIntervalSince(lastApplied))
    }

    public init(source: String, since: Date) {
        self.source = source
        self.since = since
    }
}
