import SluiceConfig

/// The `error_msg` of a refused write, in APISIX's words: `invalid configuration: <path>: <why>; …` for the object's
/// fields, and for its plugins what APISIX's stream plugin check says — `failed to check the configuration of
/// stream plugin [limit-conn]: property "conn" validation failed: must be > 0, got 0` (the field still named) and
/// `unknown plugin [teleport]`.
enum ValidationMessage {
    /// - Parameter errors: the refusal's errors, paths relative to the object written.
    static func text(_ errors: [ConfigError]) -> String {
        var general: [String] = []
        var plugins: [String] = []
        for error in errors {
            if let text = pluginText(error) {
                plugins.append(text)
            } else {
                general.append(error.fieldMessage)
            }
        }
        let head = general.isEmpty ? [] : ["invalid configuration: " + general.joined(separator: "; ")]
        return (head + plugins).joined(separator: "; ")
    }

    /// APISIX's wording for an error about one of the object's plugins; nil for any other error.
    private static func pluginText(_ error: ConfigError) -> String? {
        let prefix = "plugins."
        guard error.path.hasPrefix(prefix) else { return nil }
        let rest = error.path.dropFirst(prefix.count)
        if let name = PluginSet.available.first(where: { rest == $0 || rest.hasPrefix($0 + ".") }) {
            let field = rest.dropFirst(name.count).drop { $0 == "." }
            let why = field.isEmpty ? error.message : "property \"\(field)\" validation failed: \(error.message)"
            return "failed to check the configuration of stream plugin [\(name)]: \(why)"
        }
        guard !rest.contains(".") else { return nil }
        return "unknown plugin [\(rest)]"
    }
}
