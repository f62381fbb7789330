import SluiceConfig

/// JSON Merge Patch (RFC 7386) and the sub-path replace of `PATCH /x/{id}/<path>`.
public enum JSONMergePatch {
    /// RFC 7386: objects merge key by key, `null` deletes a key, anything else replaces.
    public static func apply(_ patch: ConfigValue, to target: ConfigValue?) -> ConfigValue {
        guard let entries = patch.entries else { return patch }
        var result = target.flatMap { $0.entries != nil ? $0 : nil } ?? .map([])
        for entry in entries {
            result[entry.key] = entry.value.isNull ? nil : apply(entry.value, to: result[entry.key])
        }
        return result
    }

    /// Replaces the value at `path` (object keys, or list indexes) with `value`; missing object keys are created.
    /// - Throws: a message when the path runs through a scalar or past the end of a list.
    public static func replace(at path: [String], in target: ConfigValue, with value: ConfigValue) throws(AdminError) -> ConfigValue {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch target.kind {
        case .map:
            var out = target
            out[head] = try replace(at: rest, in: target[head] ?? .map([]), with: value)
            return out
        case .list(var items):
            guard let i = Int(head), items.indices.contains(i) else {
                throw .badRequest("invalid sub path: \"\(head)\" is not an index of a list of \(items.count)")
            }
            items[i] = try replace(at: rest, in: items[i], with: value)
            return .list(items)
        default:
            throw .badRequest("invalid sub path: \"\(head)\" is under \(target.typeName)")
        }
    }
}
