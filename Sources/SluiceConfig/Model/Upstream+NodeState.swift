extension Upstream {
    /// The upstream's document with node `index` set to `state` (HAProxy `set server state`), for the Store like
    /// any edit. Nodes written as a map become the list form, the only one with room for a state; `ready` is
    /// written by leaving the field out. Nil when there is no such node.
    public func document(settingNode index: Int, to state: NodeState) -> ConfigValue? {
        guard nodes.indices.contains(index) else { return nil }
        var items: [ConfigValue]
        if case .list(let written)? = raw["nodes"]?.kind, written.count == nodes.count {
            items = written
        } else {
            items = nodes.map { node in
                .map([("host", .string(node.host)), ("port", .int(node.port)), ("weight", .int(node.weight))])
            }
        }
        items[index]["state"] = state == .ready ? nil : .string(state.rawValue)
        var doc = raw
        doc["nodes"] = .list(items)
        return doc
    }
}
