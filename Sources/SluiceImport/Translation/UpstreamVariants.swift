import SluiceConfig

/// The upstream objects made of each nginx upstream: one per distinct set of proxy settings of the servers that
/// use it, the first under the nginx name (made a valid id), later ones as `NAME-<route id>`.
struct UpstreamVariants {
    private var ids = IDAllocator()
    private var primary: [String: String] = [:]
    private var made: [String: [(fields: ConfigValue, id: String)]] = [:]

    /// Reserves each block's id, in input order; an id that had to change is noted.
    init(_ blocks: [UpstreamBlock], notes: ImportNotes) {
        for block in blocks where primary[block.name] == nil {
            let id = ids.take(block.name)
            primary[block.name] = id
            if id != block.name {
                notes.add(at: block.location, .approximate, "upstream \(block.name)", "written with id \(id)")
            }
        }
    }

    /// The id of upstream `name` with these fields; a new combination after the first is a copy.
    mutating func id(of name: String, fields: ConfigValue, routeID: String) -> (id: String, isCopy: Bool) {
        var known = made[name] ?? []
        if let v = known.first(where: { $0.fields == fields }) { return (v.id, false) }
        let base = primary[name] ?? name
        let id = known.isEmpty ? base : ids.take("\(base)-\(routeID)")
        known.append((fields, id))
        made[name] = known
        return (id, known.count > 1)
    }

    /// The objects to write for `block`: each combination used, or the block alone when no server uses it.
    func objects(of block: UpstreamBlock) -> [(fields: ConfigValue, id: String)] {
        made[block.name] ?? [(ConfigValue.map([]), primary[block.name] ?? block.name)]
    }
}
