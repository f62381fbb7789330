import SluiceConfig

extension ConfigValue {
    /// A number of seconds, written as an integer when it is whole (`30`, `0.5`).
    static func seconds(_ s: Double) -> ConfigValue {
        s == s.rounded() && abs(s) < 1e15 ? .int(Int(s)) : ConfigValue(.double(s))
    }
}

/// Builds a mapping in the order fields are set, leaving out absent ones.
struct MapBuilder {
    private(set) var entries: [(String, ConfigValue)] = []

    mutating func set(_ key: String, _ value: ConfigValue?) {
        if let value { entries.append((key, value)) }
    }

    var value: ConfigValue { .map(entries) }
}
