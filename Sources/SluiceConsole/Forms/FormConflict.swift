import SluiceConfig

/// A save that found the object changed since the form opened, and what the operator may do about it
/// (show the other change as a diff, reload it discarding mine, or overwrite — merged, or recreated).
enum FormConflict: Error {
    /// Changed elsewhere: the object as stored now and its revision.
    case changed(current: ConfigValue, revision: ObjectRevision)
    /// Deleted elsewhere: saving again only recreates it when the operator says so.
    case deleted
    /// A new object's id is taken.
    case idTaken

    /// The one-line prompt naming the choices.
    func prompt(_ kind: ResourceKind, _ id: String) -> String {
        switch self {
        case .changed(_, let revision):
            "\(kind.singular) \(id) changed elsewhere (revision \(revision.modified)): d show diff · r reload (discard "
                + "mine) · o overwrite (keeps their other fields)"
        case .deleted:
            "\(kind.singular) \(id) was deleted elsewhere: o create it again · Esc leave it deleted"
        case .idTaken:
            "\(kind.singular) \"\(id)\" already exists"
        }
    }
}
