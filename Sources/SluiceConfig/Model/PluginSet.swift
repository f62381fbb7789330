/// The plugins of a route or service: name ⇒ configuration, in the order written.
public struct PluginSet: Sendable, Equatable {
    public var entries: [ConfigEntry] = []
    public init(entries: [ConfigEntry] = []) { self.entries = entries }

    /// The stream plugins this build of Sluice runs. A plugin listed here is enforced; any other name is refused,
    /// because silently ignoring e.g. `ip-restriction` would let traffic through that the operator meant to stop.
    public static let available: [String] = []
    /// Stream plugins APISIX has that Sluice has not implemented yet.
    static let planned = ["ip-restriction", "limit-conn", "mqtt-proxy", "syslog", "prometheus"]

    static func decode(_ value: ConfigValue, path: String, problems: Problems) -> PluginSet {
        guard let entries = value.entries else {
            problems.add(path, "must be an object of plugin name ⇒ configuration, got \(value.typeName)",
                         line: value.line)
            return PluginSet()
        }
        for entry in entries {
            let p = FieldPath.join(path, entry.key)
            if available.contains(entry.key) {
                if entry.value.entries == nil {
                    problems.add(p, "must be an object, got \(entry.value.typeName)", line: entry.value.line)
                }
            } else if planned.contains(entry.key) {
                problems.add(p, "plugin is not implemented yet in this version of Sluice", line: entry.value.line)
            } else {
                problems.add(p, "unknown stream plugin", line: entry.value.line)
            }
        }
        return PluginSet(entries: entries)
    }
}
