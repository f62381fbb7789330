import SluiceConfig

extension ConfigValue {
    /// The value at a dotted path, or nil.
    func value(at path: String) -> ConfigValue? {
        var v: ConfigValue? = self
        for part in path.split(separator: ".") { v = v?[String(part)] }
        return v
    }

    /// Sets (or with nil removes) the value at a dotted path, creating objects on the way.
    mutating func set(_ path: String, _ newValue: ConfigValue?) {
        let parts = path.split(separator: ".").map(String.init)
        guard let first = parts.first else { return }
        if parts.count == 1 {
            self[first] = newValue
            return
        }
        var child = self[first] ?? .map([])
        if child.entries == nil { child = .map([]) }
        child.set(parts.dropFirst().joined(separator: "."), newValue)
        self[first] = (child.entries?.isEmpty ?? true) ? nil : child
    }

    /// The value as a form shows it: scalars as text, lists of strings comma-separated.
    var formText: String {
        switch kind {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() ? String(Int(d)) : String(d)
        case .string(let s): s
        case .list(let items): items.map(\.formText).joined(separator: ", ")
        case .map: ""
        }
    }
}
