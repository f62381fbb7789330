/// One value as a key-value store (etcd) holds it: `<prefix>/<kind>/<id>` ⇒ APISIX's JSON object.
public struct StoredObject: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
    public var createRevision: Int
    public var modRevision: Int

    public init(key: String, value: [UInt8], createRevision: Int, modRevision: Int) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
    }
}

/// The configuration a set of stored objects makes, with the values that could not be used.
public struct MirroredConfig: Sendable {
    public var config = GatewayConfig()
    /// Keyed `"<kind>/<id>"`; skipped values keep theirs too, so a writer can replace them.
    public var objectRevisions: [String: ObjectRevision] = [:]
    /// One per problem: `file` is the key, `path` the field within the value.
    public var skipped: [ConfigError] = []
}

/// APISIX's etcd layout: `<prefix>/stream_routes/<id>`, `<prefix>/services/<id>`, `<prefix>/upstreams/<id>`,
/// `<prefix>/ssls/<id>`, `<prefix>/plugin_metadata/<plugin>`, each value one JSON object validated as the data file's objects are. Keys of other kinds
/// (APISIX's HTTP `routes`, `consumers`, …) and the kind folders themselves are not Sluice's and are passed over.
public enum StoredObjects {
    /// The key of one object.
    public static func key(prefix: String, _ kind: ResourceKind, _ id: String) -> String {
        "\(prefix)/\(kind.rawValue)/\(id)"
    }

    /// The kind and id a key names, or nil for keys that are not Sluice's.
    public static func name(_ key: String, prefix: String) -> (ResourceKind, String)? {
        guard key.hasPrefix(prefix + "/") else { return nil }
        let rest = key.dropFirst(prefix.count + 1)
        guard let slash = rest.firstIndex(of: "/"), let kind = ResourceKind(rawValue: String(rest[..<slash])) else {
            return nil
        }
        let id = String(rest[rest.index(after: slash)...])
        return id.isEmpty ? nil : (kind, id)
    }

    /// Decodes every value; one that is not valid alone (or with the rest: a reference to an object that does not
    /// exist) is skipped and reported, and the rest are decoded again without it, so it never takes them down.
    public static func decode(_ objects: [StoredObject], prefix: String) -> MirroredConfig {
        var out = MirroredConfig()
        var values: [ResourceKind: [(key: String, value: ConfigValue)]] = [:]
        for object in objects.sorted(by: { $0.key < $1.key }) {
            guard let (kind, id) = name(object.key, prefix: prefix) else { continue }
            out.objectRevisions["\(kind.rawValue)/\(id)"] = ObjectRevision(created: object.createRevision,
                                                                         modified: object.modRevision)
            let skip = { (path: String, why: String) in
                out.skipped.append(ConfigError(file: object.key, path: path, message: why))
            }
            var value: ConfigValue
            do { value = try ConfigValue.parseJSON(object.value) } catch {
                skip("", "not a JSON value: \(error.fieldMessage)")
                continue
            }
            guard value.entries != nil else {
                skip("", "must be a JSON object, got \(value.typeName)")
                continue
            }
            var idOK = true
            if let given = value["id"] {
                if ObjectStamp.idText(given) != id {
                    skip("id", "must be the key's id \"\(id)\", got \(given.shortDescription)")
                    idOK = false
                }
            } else {
                value["id"] = .string(id)
            }
            if idOK { values[kind, default: []].append((object.key, value)) }
        }
        while true {
            var doc = ConfigValue.map([])
            for kind in ResourceKind.allCases {
                if let list = values[kind], !list.isEmpty { doc[kind.rawValue] = .list(list.map(\.value)) }
            }
            do {
                out.config = try GatewayConfig.decode(doc, file: nil)
                return out
            } catch {
                var bad: [ResourceKind: Set<Int>] = [:]
                for e in error.errors {
                    guard let (kind, index, field) = Self.locate(e.path), let list = values[kind],
                          list.indices.contains(index) else { continue }
                    bad[kind, default: []].insert(index)
                    out.skipped.append(ConfigError(file: list[index].key, path: field, message: e.message))
                }
                if bad.isEmpty {
                    out.skipped += error.errors
                    out.config = GatewayConfig()
                    return out
                }
                for (kind, indices) in bad {
                    values[kind] = values[kind]?.enumerated().filter { !indices.contains($0.offset) }.map(\.element)
                }
            }
        }
    }

    /// `stream_routes[2].upstream_id` ⇒ (stream routes, 2, `upstream_id`).
    private static func locate(_ path: String) -> (ResourceKind, Int, String)? {
        guard let open = path.firstIndex(of: "["), let close = path.firstIndex(of: "]"), open < close,
              let kind = ResourceKind(rawValue: String(path[..<open])),
              let index = Int(path[path.index(after: open)..<close]) else { return nil }
        var field = path[path.index(after: close)...]
        if field.hasPrefix(".") { field = field.dropFirst() }
        return (kind, index, String(field))
    }
}
