import Foundation
import SluiceConfig

/// The last configuration applied from etcd, kept beside config.yaml so a restart while etcd is unreachable
/// serves it: the raw key-values (decoded again at start exactly as etcd's) with the revision they were read at,
/// as JSON, written crash-safely (`AtomicFile`) with mode 0600 — ssl values hold private keys.
enum LastKnownGood {
    struct Content: Sendable, Equatable {
        var prefix: String
        var revision: Int
        var kvs: [EtcdClient.KeyValue]
    }

    static func write(_ content: Content, to path: String) throws(StoreError) {
        let doc = ConfigValue.map([
            ("prefix", .string(content.prefix)), ("revision", .int(content.revision)),
            ("kvs", .list(content.kvs.map { kv in
                .map([("key", .string(kv.key)), ("create_revision", .int(kv.createRevision)),
                      ("mod_revision", .int(kv.modRevision)), ("value", .string(String(decoding: kv.value, as: UTF8.self)))])
            })),
        ])
        try AtomicFile.write(doc.jsonText() + "\n", to: path, mode: 0o600)
    }

    /// - Returns: nil when there is no file.
    /// - Throws: a message when the file is there but unusable.
    static func read(_ path: String) throws(EtcdError) -> Content? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let doc: ConfigValue
        do { doc = try ConfigValue.parseJSON(Array(data)) } catch {
            throw EtcdError(kind: .badAnswer, message: "\(path): \(error.fieldMessage)")
        }
        guard let prefix = doc["prefix"]?.stringValue else {
            throw EtcdError(kind: .badAnswer, message: "\(path): no prefix")
        }
        let kvs = EtcdClient.list(doc["kvs"]).compactMap { kv -> EtcdClient.KeyValue? in
            guard let key = kv["key"]?.stringValue, let value = kv["value"]?.stringValue else { return nil }
            return EtcdClient.KeyValue(key: key, value: Array(value.utf8), createRevision: EtcdClient.int(kv["create_revision"]),
                                       modRevision: EtcdClient.int(kv["mod_revision"]))
        }
        return Content(prefix: prefix, revision: EtcdClient.int(doc["revision"]), kvs: kvs)
    }
}
