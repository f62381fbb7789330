/// Something the import reports about one directive: translated approximately, or not translated at all.
public struct ImportNote: Sendable, Equatable, CustomStringConvertible {
    /// How faithfully a directive was carried over.
    public enum Kind: String, Sendable {
        /// Translated, but Sluice behaves somewhat differently; the message says how.
        case approximate
        /// Left out: Sluice has no equivalent (yet); the message says why.
        case notTranslated = "not translated"
        /// Left out because Sluice needs nothing for it (process settings, shared-memory zones).
        case notNeeded = "not needed"
    }

    public var location: SourceLocation
    public var kind: Kind
    /// What was written (`max_fails=3`, `proxy_upload_rate 10k`).
    public var subject: String
    public var why: String

    public init(_ location: SourceLocation, _ kind: Kind, _ subject: String, _ why: String) {
        self.location = location
        self.kind = kind
        self.subject = subject
        self.why = why
    }

    /// `file:line: not translated: max_fails=3: why`.
    public var description: String { "\(location): \(kind.rawValue): \(subject): \(why)" }
}

/// Collects notes while a configuration is translated, in the order they are found.
final class ImportNotes {
    private(set) var all: [ImportNote] = []

    /// A note about directive `d`; `subject` names one of its parameters instead of the whole directive.
    func add(_ d: NginxDirective, _ kind: ImportNote.Kind, _ why: String, subject: String? = nil) {
        add(at: d.location, kind, subject ?? d.text, why)
    }

    /// The same note twice (a stream-level directive seen by every server) is kept once.
    func add(at location: SourceLocation, _ kind: ImportNote.Kind, _ subject: String, _ why: String) {
        let note = ImportNote(location, kind, subject, why)
        if !all.contains(note) { all.append(note) }
    }
}
