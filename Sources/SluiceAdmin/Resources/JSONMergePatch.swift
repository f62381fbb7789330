import SluiceConfig

/// JSON Merge Patch (RFC 7386) and the sub-path replace of `PATCH /x/{id}/<path>`.
public enum JSONMergePatch {
    /// RFC 7386: objects merge key by key, `null` deletes a key, anything else replaces. Keys are found through an
    /// index, so a patch of n keys onto an object of m costs n + m, not n × m. Depth is the patch's, which the JSON
    /// parser bounds.
    public static func apply(_ patch: ConfigValue, to target: ConfigValue?) -> ConfigValue {
        guard let entries = patch.entries else { return patch }
        let base = target.flatMap { $0.entries != nil ? $0 : nil } ?? .map([])
        var merged: [ConfigEntry?] = (base.entries ?? []).map { $0 }
        var index: [String: Int] = [:]
        for (i, entry) in (base.entries ?? []).enumerated() where index[entry.key] == nil { index[entry.key] = i }
        for entry in entries {
            if let i = index[entry.key], let old = merged[i] {
                merged[i] = entry.value.isNull ? nil : ConfigEntry(key: entry.key, value: apply(entry.value, to: old.value))
            } else if !entry.value.isNull {
                index[entry.key] = merged.count
                merged.append(ConfigEntry(key: entry.key, value: apply(entry.value, to: nil)))
            }
        }
        return ConfigValue(.map(merged.compactMap { $0 }), line: base.line)
    }

    /// The deepest sub-path accepted: far beyond any field of the schema, far below what could exhaust a stack.
    public static let maxSubPathDepth = 32

    /// One step down a sub-path: an object key or a list index.
    private enum Step {
        case key(String)
        case index(Int)
    }

    /// Replaces the value at `path` (object keys, or list indexes) with `value`; missing object keys are created.
    /// Walks down and then rebuilds up in loops, so the depth of the path never becomes the depth of a stack.
    /// - Throws: a message when the path is deeper than `maxSubPathDepth`, runs through a scalar or past the end
    ///   of a list.
    public static func replace(at path: [String], in target: ConfigValue, with value: ConfigValue) throws(AdminError) -> ConfigValue {
        guard path.count <= maxSubPathDepth else {
            throw .badRequest("invalid sub path: at most \(maxSubPathDepth) segments, got \(path.count)")
        }
        var containers: [(ConfigValue, Step)] = []
        var current = target
        for head in path {
            switch current.kind {
            case .map:
                containers.append((current, .key(head)))
                current = current[head] ?? .map([])
            case .list(let items):
                guard let i = Int(head), items.indices.contains(i) else {
                    throw .badRequest("invalid sub path: \"\(head)\" is not an index of a list of \(items.count)")
                }
                containers.append((current, .index(i)))
                current = items[i]
            default:
                throw .badRequest("invalid sub path: \"\(head)\" is under \(current.typeName)")
            }
        }
        var result = value
        for (container, step) in containers.reversed() {
            switch (step, container.kind) {
            case (.key(let key), _):
                var out = container
                out[key] = result
                result = out
            case (.index(let i), .list(var items)):
                items[i] = result
                result = .list(items)
            case (.index, _):
                preconditionFailure("an index step is only recorded for a list")
            }
        }
        return result
    }
}
