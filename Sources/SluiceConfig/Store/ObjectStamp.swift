/// The fields the store maintains on every object the Admin API or the console writes: `id`, `create_time`,
/// `update_time`.
public enum ObjectStamp {
    /// `value` with `id` set first, `create_time` kept from `old` (else the body's, else now), `update_time` now.
    static func stamp(_ value: ConfigValue, id: String, old: ConfigValue?, now: Int) -> ConfigValue {
        var out = ConfigValue.map([("id", .string(id))])
        for entry in value.entries ?? [] where entry.key != "id" { out[entry.key] = entry.value }
        let created = old?["create_time"] ?? value["create_time"].flatMap { if case .int = $0.kind { $0 } else { nil } }
        out["create_time"] = created ?? .int(now)
        out["update_time"] = .int(now)
        return out
    }

    /// An id as text, whether written as a string or an integer; nil for other types.
    public static func idText(_ value: ConfigValue?) -> String? {
        switch value?.kind {
        case .string(let s)?: s
        case .int(let i)?: String(i)
        default: nil
        }
    }

    /// A new id for `POST`: 20 digits, zero-padded, larger than the store's revision and every 20-digit id of
    /// the kind, so it is unique and ids grow like APISIX's etcd-based ones.
    public static func newID(_ kind: ResourceKind, in snapshot: ConfigSnapshot) -> String {
        let largest = snapshot.config.documents(kind).compactMap { $0.id.count == 20 ? Int($0.id) : nil }.max() ?? 0
        let n = max(largest, snapshot.revision) + 1
        let digits = String(n)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }
}
