/// Who made a change, as a revision records it.
public enum ChangeSource: String, Sendable, CaseIterable {
    /// A write through the Admin API.
    case adminAPI = "admin_api"
    /// A save or delete in the operator console.
    case console
    /// A hand edit of the data file, noticed by the watcher or applied on SIGHUP.
    case file
    /// A rollback to an earlier revision (from the console or the Admin API).
    case rollback
    /// The data file as found at start, when it differs from the last recorded revision.
    case start
    /// A write straight to etcd (etcdctl, an APISIX control plane, another tool), seen in etcd's history.
    case etcd
}
