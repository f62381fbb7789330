import SluiceConfig

/// Merges my edit of an object with a change made elsewhere since I opened it: where only one side changed a
/// field, that side wins; where both did, mine wins — mappings are merged key by key, everything else whole. So an
/// overwrite after "changed elsewhere" keeps the other writer's fields that my form never touched.
enum ThreeWayMerge {
    /// - Parameters:
    ///   - base: the object as I opened it; `mine`: my edit of it; `theirs`: the object as stored now.
    /// - Returns: the merged value, nil when it ends up removed.
    static func merge(base: ConfigValue?, mine: ConfigValue?, theirs: ConfigValue?) -> ConfigValue? {
        if mine == base { return theirs }
        if theirs == base || theirs == mine { return mine }
        guard base?.entries != nil, let mineEntries = mine?.entries, let theirEntries = theirs?.entries else { return mine }
        var keys = theirEntries.map(\.key)
        for key in mineEntries.map(\.key) where !keys.contains(key) { keys.append(key) }
        return .map(keys.compactMap { key in
            merge(base: base?[key], mine: mine?[key], theirs: theirs?[key]).map { (key, $0) }
        })
    }
}
