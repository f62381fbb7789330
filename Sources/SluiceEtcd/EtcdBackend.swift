import SluiceConfig

/// A mirrored store's writes into etcd: APISIX's key layout, the stamped object as JSON, each a transaction
/// comparing the key's `mod_revision` with the one the writer read.
public struct EtcdBackend: ObjectBackend {
    let client: EtcdClient

    public init(client: EtcdClient) { self.client = client }

    public var confirmTimeout: Double { min(client.settings.timeout, 10) }

    public func put(_ kind: ResourceKind, id: String, value: ConfigValue, expected: Int) throws(StoreError) -> BackendWrite {
        let key = StoredObjects.key(prefix: client.settings.prefix, kind, id)
        return try outcome { () throws(EtcdError) in
            try client.put(key, value: Array(value.jsonText().utf8), ifModRevision: expected)
        }
    }

    public func delete(_ kind: ResourceKind, id: String, expected: Int) throws(StoreError) -> BackendWrite {
        let key = StoredObjects.key(prefix: client.settings.prefix, kind, id)
        return try outcome { () throws(EtcdError) in try client.delete(key, ifModRevision: expected) }
    }

    private func outcome(_ body: () throws(EtcdError) -> Int?) throws(StoreError) -> BackendWrite {
        do {
            guard let revision = try body() else { return .conflict }
            return .written(revision: revision)
        } catch {
            throw .unavailable("etcd: \(error.description)")
        }
    }
}
