import SluiceConfig

/// A mirrored store's writes into etcd: APISIX's key layout, the stamped object as JSON, each a transaction
/// comparing the key's `mod_revision` with the one the writer read, with a `ChangeNote` saying who wrote it.
public struct EtcdBackend: ObjectBackend {
    let client: EtcdClient

    public init(client: EtcdClient) { self.client = client }

    public var confirmTimeout: Double { min(client.settings.timeout, 10) }

    public func put(_ kind: ResourceKind, id: String, value: ConfigValue, expected: Int,
                    source: ChangeSource) throws(StoreError) -> BackendWrite {
        try write(kind, id, expected, source) { .put($0, Array(value.jsonText().utf8)) }
    }

    public func delete(_ kind: ResourceKind, id: String, expected: Int, source: ChangeSource) throws(StoreError) -> BackendWrite {
        try write(kind, id, expected, source) { .delete($0) }
    }

    private func write(_ kind: ResourceKind, _ id: String, _ expected: Int, _ source: ChangeSource,
                       _ operation: (String) -> EtcdClient.Operation) throws(StoreError) -> BackendWrite {
        let prefix = client.settings.prefix
        let key = StoredObjects.key(prefix: prefix, kind, id)
        let revision: Int?
        do {
            revision = try client.transaction([.modRevision(key, expected)], [
                operation(key), .put(ChangeNote.key(prefix: prefix), ChangeNote.now(source).bytes),
            ])
        } catch {
            throw .unavailable("etcd: \(error.description)")
        }
        return revision.map { .written(revision: $0) } ?? .conflict
    }
}
