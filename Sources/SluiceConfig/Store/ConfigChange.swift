/// A change to the stored configuration, as the console, the Admin API or a file reload asks for it.
public enum ConfigChange: Sendable {
    /// Create or replace one object; `value` must carry the same `id`.
    case put(ResourceKind, id: String, value: ConfigValue)
    case delete(ResourceKind, id: String)
    /// Replace everything with a whole document, written to the data file as the store writes it (hand edits and
    /// SIGHUP are read from the file itself: `Store.reloadIfEdited`, `Store.reloadFromDisk`).
    case replaceAll(ConfigValue, file: String?)
}

/// Why the store refused a change. Nothing was changed, on disk or in memory.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case invalid(ConfigErrors)
    case notFound(ResourceKind, id: String)
    case persistFailed(String)
    /// The data file was edited by hand into an invalid state: writes are refused until the operator fixes it.
    case dataFileBroken(ConfigErrors)
    /// The history does not hold this revision (never made, or older than the `history.keep` newest).
    case revisionNotFound(Int)
    /// This store mirrors a configuration kept elsewhere (etcd) and takes no local writes; carries the reason.
    case readOnly(String)
    /// The configuration store (etcd) cannot be reached or did not answer in time: nothing was written.
    case unavailable(String)
    /// The configuration changed after the revision the writer named (If-Match): nothing was written.
    case conflict(String)

    public var description: String {
        switch self {
        case .invalid(let errors): errors.description
        case .notFound(let kind, let id): "\(kind.singular) \"\(id)\" does not exist"
        case .persistFailed(let why): "cannot write the data file: \(why)"
        case .dataFileBroken(let errors):
            "the data file has errors; fix it first (the running configuration is kept and the file is not "
                + "overwritten): " + errors.errors.map(\.description).joined(separator: "; ")
        case .revisionNotFound(let n): "revision \(n) is not in the history"
        case .readOnly(let why): "read-only: \(why)"
        case .unavailable(let why): "the configuration store is unavailable, nothing was written: \(why)"
        case .conflict(let why): "\(why); nothing was written"
        }
    }
}
