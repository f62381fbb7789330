import SluiceConfig

/// etcd's key-values decoded as a gateway's configuration (`StoredObjects`) on any bytes: NUL-separated key,
/// value, key, value…; never a crash, every object served comes from a key given, and decoding what was served
/// again skips nothing.
enum StoredObjectsTarget {
    static func check(_ bytes: [UInt8]) {
        let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
        var objects: [StoredObject] = []
        var i = 0
        while i + 1 < parts.count {
            objects.append(StoredObject(key: String(decoding: parts[i], as: UTF8.self), value: Array(parts[i + 1]),
                                        createRevision: i + 1, modRevision: i + 1))
            i += 2
        }
        let mirrored = StoredObjects.decode(objects, prefix: "/apisix")
        let keys = Set(objects.map(\.key))
        var served: [StoredObject] = []
        for kind in ResourceKind.allCases {
            for doc in mirrored.config.documents(kind) {
                let key = StoredObjects.key(prefix: "/apisix", kind, doc.id)
                precondition(keys.contains(key), "served an object no key gave: \(key)")
                served.append(StoredObject(key: key, value: Array(doc.raw.jsonText().utf8), createRevision: 1, modRevision: 1))
            }
        }
        precondition(StoredObjects.decode(served, prefix: "/apisix").skipped.isEmpty, "what was served does not decode again")
    }
}
