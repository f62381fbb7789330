import Foundation
import SluiceConfig
import Synchronization

/// The configuration history when etcd is the store, derived from etcd's own revisions (MVCC), so every gateway of
/// one etcd lists the same revisions, whoever wrote them: the follower's watch replays etcd's history from the
/// oldest revision etcd still keeps and `record`s each revision that changed Sluice's keys; a revision's document
/// is a range read at that revision; a rollback is one transaction writing that revision's objects back, which
/// every gateway then applies like any other write.
///
/// etcd keeps no authors or times: Sluice's own writes carry a `ChangeNote` (source, time, the revision rolled back
/// to); a revision without one is `source: etcd`, timed by the newest `update_time` among its values (else no
/// time: etcd does not say, and a time one gateway saw would differ from another's). Only the newest `keep`
/// revisions are listed; etcd's compaction drops older ones.
public final class EtcdHistory: SharedHistory {
    /// One change to a key, as the watch reports it.
    struct Event: Sendable {
        var key: String
        /// The revision it was made at (a delete's too).
        var revision: Int
        var deleted: Bool
        var createRevision: Int
        var value: [UInt8]
    }

    private let client: EtcdClient
    private let keep: Int
    /// Oldest first.
    private let recorded = Mutex<[RevisionEntry]>([])
    /// The newest revision taken into account (recorded or not), so a replayed one is not recorded twice.
    private let seen = Mutex(0)

    /// Tries of a rollback while concurrent writes get in the way.
    static let restoreAttempts = 5

    /// - Parameter keep: how many revisions are listed (config.yaml `history.keep`).
    public init(client: EtcdClient, keep: Int) {
        self.client = client
        self.keep = max(1, keep)
    }

    public var entries: [RevisionEntry] { recorded.withLock { $0.reversed() } }

    /// The first revision not taken into account yet (where a watch resumes the history).
    var next: Int { seen.withLock { $0 + 1 } }

    /// Takes one watch message's events (in revision order); revisions seen already are passed over.
    func record(_ events: [Event]) {
        let prefix = client.settings.prefix
        let byRevision = Dictionary(grouping: events, by: \.revision).sorted { $0.key < $1.key }
        for (revision, group) in byRevision {
            guard seen.withLock({ last in
                guard revision > last else { return false }
                last = revision
                return true
            }) else { continue }
            var changes: [ObjectChange] = []
            var note: ChangeNote?
            var newestStamp: Int?
            for event in group {
                if event.key == ChangeNote.key(prefix: prefix) {
                    if !event.deleted { note = ChangeNote(event.value) }
                    continue
                }
                guard let (kind, id) = StoredObjects.name(event.key, prefix: prefix) else { continue }
                let action: ObjectChange.Action = event.deleted ? .delete : event.createRevision == revision ? .create : .update
                changes.append(ObjectChange(kind: kind, id: id, action: action))
                if !event.deleted, let stamp = (try? ConfigValue.parseJSON(event.value))?["update_time"],
                   case .int(let t) = stamp.kind {
                    newestStamp = max(newestStamp ?? t, t)
                }
            }
            guard !changes.isEmpty else { continue }
            let order = ResourceKind.allCases
            changes.sort { (order.firstIndex(of: $0.kind) ?? 0, $0.id) < (order.firstIndex(of: $1.kind) ?? 0, $1.id) }
            let seconds = note?.time ?? newestStamp
            let entry = RevisionEntry(number: revision, time: seconds.map { Date(timeIntervalSince1970: Double($0)) },
                                      source: note?.source ?? .etcd, changes: changes, rolledBackTo: note?.rolledBackTo)
            recorded.withLock { list in
                list.append(entry)
                if list.count > keep { list.removeFirst(list.count - keep) }
            }
        }
    }

    public func configuration(at number: Int) throws(StoreError) -> GatewayConfig {
        decode(try read(at: number)).config
    }

    public func restore(_ number: Int, ifUnchangedSince: Int?,
                        check: (GatewayConfig, GatewayConfig) throws(StoreError) -> Void) throws(StoreError) -> Int? {
        let prefix = client.settings.prefix
        for _ in 0..<Self.restoreAttempts {
            let now = try read(at: nil)
            let then = try read(at: number)
            let restored = decode(then)
            if !restored.skipped.isEmpty { throw .invalid(ConfigErrors(restored.skipped)) }
            try check(decode(now).config, restored.config)
            let current = objects(now)
            let wanted = objects(then)
            var operations: [EtcdClient.Operation] = wanted.filter { current[$0.key]?.value != $0.value.value }
                .sorted { $0.key < $1.key }.map { .put($0.key, $0.value.value) }
            operations += current.keys.filter { wanted[$0] == nil }.sorted().map { .delete($0) }
            if operations.isEmpty { return nil }
            var conditions: [EtcdClient.Condition] = ResourceKind.allCases.map {
                .unchangedSince(prefix: "\(prefix)/\($0.rawValue)", revision: ifUnchangedSince ?? now.revision)
            }
            conditions += wanted.keys.sorted().compactMap { key in current[key].map { .modRevision(key, $0.modRevision) } }
            guard operations.count < EtcdClient.maxTransactionOps, conditions.count <= EtcdClient.maxTransactionOps else {
                throw .invalid(ConfigErrors([ConfigError(path: "", message: "rolling back to revision \(number) changes "
                    + "\(operations.count) objects; one etcd transaction takes at most \(EtcdClient.maxTransactionOps - 1) "
                    + "(etcd's --max-txn-ops)")]))
            }
            operations.append(.put(ChangeNote.key(prefix: prefix), ChangeNote.now(.rollback, rolledBackTo: number).bytes))
            let written: Int?
            do { written = try client.transaction(conditions, operations) } catch {
                throw .unavailable("etcd: \(error.description)")
            }
            if let written { return written }
            if let ifUnchangedSince {
                throw .conflict("the configuration changed in etcd after revision \(ifUnchangedSince) (If-Match); "
                                + "list the revisions again and retry")
            }
        }
        throw .unavailable("the configuration kept changing while the rollback was tried \(Self.restoreAttempts) times")
    }

    /// Everything under the prefix, now or at `revision`.
    private func read(at revision: Int?) throws(StoreError) -> EtcdClient.Range {
        do { return try client.range(prefix: client.settings.prefix, revision: revision) } catch {
            if let revision, error.kind == .refused(code: 11) { throw .revisionNotFound(revision) }
            throw .unavailable("etcd: \(error.description)")
        }
    }

    private func decode(_ range: EtcdClient.Range) -> MirroredConfig {
        StoredObjects.decode(range.kvs.map {
            StoredObject(key: $0.key, value: $0.value, createRevision: $0.createRevision, modRevision: $0.modRevision)
        }, prefix: client.settings.prefix)
    }

    /// Sluice's key-values by key (other kinds and the change note are left alone).
    private func objects(_ range: EtcdClient.Range) -> [String: EtcdClient.KeyValue] {
        Dictionary(range.kvs.filter { StoredObjects.name($0.key, prefix: client.settings.prefix) != nil }.map { ($0.key, $0) },
                   uniquingKeysWith: { _, b in b })
    }
}
