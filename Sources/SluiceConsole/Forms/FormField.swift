/// One editable line of a form.
public struct FormField {
    /// How the field is edited.
    public enum Kind {
        case text
        /// Cycled with Space / ← / →.
        case choice([String])
        /// Shown, not editable, with the reason.
        case readOnly(String)
    }

    /// The object field it edits, as a dotted path (`upstream.timeout.connect`); errors are matched on it.
    public var key: String
    public var label: String
    public var kind: Kind
    public var value: String
    public var hint: String
    public var error: String?
    /// The path whose errors (its own and those below it) are shown beside this field; usually `key`.
    public var errorScope: String
    /// Not shown and skipped by the focus (an inline upstream's fields while a named upstream is chosen).
    public var isHidden = false
    /// Cursor position in `value`, in characters.
    var cursor: Int

    public init(_ key: String, _ label: String, _ kind: Kind = .text, value: String = "", hint: String = "") {
        self.key = key
        self.label = label
        self.kind = kind
        self.value = value
        self.hint = hint
        errorScope = key
        cursor = value.count
    }

    var isEditable: Bool { if case .readOnly = kind { return false }; return true }

    /// Applies an editing key; returns false when the key is not an editing key for this field.
    mutating func edit(_ key: Key) -> Bool {
        switch kind {
        case .readOnly: return false
        case .choice(let options):
            guard !options.isEmpty else { return false }
            let i = options.firstIndex(of: value) ?? 0
            switch key {
            case .char(" "), .right: value = options[(i + 1) % options.count]
            case .left: value = options[(i + options.count - 1) % options.count]
            default: return false
            }
            return true
        case .text:
            return LineEditing.apply(key, to: &value, cursor: &cursor)
        }
    }
}
