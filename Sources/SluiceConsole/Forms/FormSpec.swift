import SluiceConfig

/// The fields of one kind of object and how they become its document.
public protocol FormSpec {
    var kind: ResourceKind { get }
    /// The fields, filled from `existing` (nil for a new object).
    func fields(existing: ConfigValue?, config: GatewayConfig) -> [FormField]
    /// The document to store: `base` (the object as stored, so fields the form does not show are kept) with the
    /// form's fields applied. Field-level problems (a port that is not a number) are set on `fields`.
    func build(_ fields: inout [FormField], base: ConfigValue?) -> ConfigValue?
    /// Reshapes the fields after an edit and when the form opens (node lists grow a new empty row once the last
    /// is typed into; a route hides its inline upstream while a named one is chosen).
    func adjust(_ fields: inout [FormField])
    /// Enter on a field (the `+ plugin` row adds the plugin named in it).
    /// - Returns: the field to focus next, or nil when Enter just moves on.
    func enter(_ fields: inout [FormField], at index: Int) -> Int?
}

extension FormSpec {
    func adjust(_ fields: inout [FormField]) { UpstreamFields.adjust(&fields) }
    func enter(_ fields: inout [FormField], at index: Int) -> Int? { PluginFields.enter(&fields, at: index) }
}

/// Conversions shared by the specs: empty text removes a field.
enum FormValues {
    static func text(_ s: String) -> ConfigValue? {
        let t = s.trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? nil : .string(t)
    }

    static func number(_ field: inout FormField) -> ConfigValue? {
        let t = field.value.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        if let i = Int(t) { return .int(i) }
        if let d = Double(t) { return ConfigValue(.double(d)) }
        field.error = "must be a number, got \"\(t)\""
        return nil
    }

    /// `a, b` ⇒ a list; one item ⇒ a plain string (APISIX's own shape).
    static func list(_ s: String) -> ConfigValue? {
        let items = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if items.isEmpty { return nil }
        return items.count == 1 ? .string(items[0]) : .list(items.map { .string($0) })
    }

    /// Node fields a node row may set after `host:port=weight`, as `name=N`.
    static let nodeNumberFields = ["priority", "max_conns"]

    /// Nodes as `host:port=weight, host:port=weight priority=-1 max_conns=100` ⇔ APISIX's `{"host:port": weight}`
    /// map, or its list of node objects when a node has a priority or a connection limit, or the stored nodes were
    /// a list (their other fields, such as `metadata` or `state`, are kept per node).
    static func nodes(_ field: inout FormField, original: ConfigValue?) -> ConfigValue? {
        var entries: [(address: String, weight: Int, numbers: [String: Int])] = []
        for item in field.value.split(separator: ",") {
            let words = item.split(separator: " ").map(String.init)
            guard let first = words.first else { continue }
            let parts = first.split(separator: "=", maxSplits: 1).map(String.init)
            let address = parts[0]
            var weight = 1
            if parts.count == 2 {
                guard let w = Int(parts[1]) else {
                    field.error = "weight of \(address) must be a whole number, got \"\(parts[1])\""
                    return nil
                }
                weight = w
            }
            var numbers: [String: Int] = [:]
            for word in words.dropFirst() {
                let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, nodeNumberFields.contains(pair[0]), let n = Int(pair[1]) else {
                    field.error = "after \(address)=\(weight) only priority=N or max_conns=N (whole numbers) may "
                        + "follow, got \"\(word)\""
                    return nil
                }
                numbers[pair[0]] = n
            }
            entries.append((address, weight, numbers))
        }
        let originals: [ConfigValue]? = if case .list(let items)? = original?.kind { items } else { nil }
        guard originals != nil || entries.contains(where: { !$0.numbers.isEmpty }) else {
            return .map(entries.map { ($0.address, .int($0.weight)) })
        }
        return .list(entries.map { address, weight, numbers in
            let hp = HostPort.parse(address)
            let host = (try? hp.get().host) ?? address
            let port = (try? hp.get().port).map { ConfigValue.int($0) } ?? .string(address)
            var node = originals?.first { $0["host"]?.formText == host && $0["port"] == port } ?? .map([])
            node["host"] = .string(host)
            node["port"] = port
            node["weight"] = .int(weight)
            for name in nodeNumberFields { node[name] = numbers[name].map { .int($0) } }
            return node
        })
    }

    static func nodesText(_ v: ConfigValue?) -> String {
        guard let v else { return "" }
        switch v.kind {
        case .map(let entries): return entries.map { "\($0.key)=\($0.value.formText)" }.joined(separator: ", ")
        case .list(let items):
            return items.map { n -> String in
                let host = n["host"]?.formText ?? ""
                let hp = host.contains(":") ? "[\(host)]" : host
                let numbers = nodeNumberFields.compactMap { name in n[name].map { " \(name)=\($0.formText)" } }
                return "\(hp):\(n["port"]?.formText ?? "")=\(n["weight"]?.formText ?? "1")\(numbers.joined())"
            }.joined(separator: ", ")
        default: return ""
        }
    }
}
