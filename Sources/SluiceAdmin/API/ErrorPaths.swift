import SluiceConfig

/// Field paths relative to one object: `stream_routes[3].upstream.nodes[1].port` ⇒ `upstream.nodes[1].port`.
enum ErrorPaths {
    /// `error` with its path relative to `prefix` when it lies under it; other objects' errors keep full paths.
    static func relative(_ error: ConfigError, to prefix: String?) -> ConfigError {
        guard let prefix else { return error }
        var out = error
        if error.path == prefix {
            out.path = ""
        } else if error.path.hasPrefix(prefix + ".") {
            out.path = String(error.path.dropFirst(prefix.count + 1))
        }
        return out
    }
}
