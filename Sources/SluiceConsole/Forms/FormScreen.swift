import SluiceConfig

/// Edits one object; saving goes through the same `Store.apply` as the Admin API, and the Store's errors are
/// shown beside the field they name. Nothing is saved until the whole configuration is valid.
public final class FormScreen: Screen {
    public let name = "form"
    public var title: String { (isNew ? "New " : "Edit ") + spec.kind.singular + (isNew ? "" : " \(id)") }
    public let bindings: [KeyBinding] = [
        KeyBinding([.up, .down, .tab], "field"),
        KeyBinding([.char(" "), .left, .right], "choose", footer: false),
        KeyBinding([.function(2)], "save"),
        KeyBinding([.escape], "cancel"),
    ]

    let spec: any FormSpec
    private let store: Store
    private let base: ConfigValue?
    private let openedRevision: ObjectRevision?
    private(set) var fields: [FormField]
    private(set) var focus = 0
    private var id: String
    private var warnedStale = false
    var isNew: Bool { base == nil }

    /// - Parameter existing: the object to edit (its id and stored document), nil for a new one.
    public init(spec: any FormSpec, store: Store, existing: (id: String, raw: ConfigValue)?) {
        self.spec = spec
        self.store = store
        base = existing?.raw
        let snapshot = store.snapshot
        openedRevision = existing.flatMap { snapshot.objectRevision(spec.kind, $0.id) }
        id = existing?.id ?? Self.freeID(spec.kind, snapshot.config)
        var fields = spec.fields(existing: existing?.raw, config: snapshot.config)
        if existing == nil { fields.insert(FormField("id", "id", value: id, hint: "a-z 0-9 - _ ."), at: 0) }
        self.fields = fields
    }

    static func freeID(_ kind: ResourceKind, _ config: GatewayConfig) -> String {
        let used = Set(config.documents(kind).map(\.id))
        return String((1...).first { !used.contains(String($0)) } ?? 1)
    }

    /// The row of the save button, after the fields.
    private var saveIndex: Int { fields.count }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        let labelWidth = 18
        let valueWidth = max(12, min(40, canvas.cols - labelWidth - 34))
        let noteCol = labelWidth + valueWidth + 3
        let first = max(0, focus - (height - 3))
        var row = top + 1
        for i in first..<fields.count where row < top + height - 2 {
            let f = fields[i]
            let focused = i == focus
            canvas.text(row, 1, f.label, width: labelWidth, focused ? .key : .dim)
            var shown = f.value
            if case .choice = f.kind { shown = "‹ \(f.value.isEmpty ? "—" : f.value) ›" }
            if focused, case .text = f.kind {
                let chars = Array(f.value)
                let c = min(f.cursor, chars.count)
                shown = String(chars[..<c]) + "▏" + String(chars[c...])
            }
            let style: TextStyle = !f.isEditable ? .dim : focused ? .focusedField : .field
            canvas.text(row, labelWidth + 2, shown, width: valueWidth, style, pad: true)
            if let error = f.error {
                canvas.text(row, noteCol, "✗ " + error, width: canvas.cols - noteCol, .bad)
            } else if case .readOnly(let why) = f.kind {
                canvas.text(row, noteCol, "🔒 " + why, width: canvas.cols - noteCol, .dim)
            } else if !f.hint.isEmpty {
                canvas.text(row, noteCol, f.hint, width: canvas.cols - noteCol, .dim)
            }
            row += 1
        }
        canvas.text(row + 1, labelWidth + 2, "[ Save ]", width: 8, focus == saveIndex ? .selected : .key)
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        switch key {
        case .escape: return .pop
        case .up, .backTab: focus = max(0, focus - 1)
        case .down, .tab: focus = min(saveIndex, focus + 1)
        case .function(2): return save()
        case .enter: if focus == saveIndex { return save() } else { focus += 1 }
        default:
            guard focus < fields.count else { return .unhandled }
            if fields[focus].edit(key) {
                fields[focus].error = nil
                if fields[focus].key == "id" { id = fields[focus].value }
                spec.adjust(&fields)
            } else if case .char = key, !fields[focus].isEditable, case .readOnly(let why) = fields[focus].kind {
                return .flash("\(fields[focus].label) is \(why)", isError: true)
            }
        }
        return .none
    }

    /// Builds the document, refuses to overwrite a concurrent change once, then applies it through the Store.
    func save() -> ScreenAction {
        for i in fields.indices { fields[i].error = nil }
        guard var doc = spec.build(&fields, base: base) else { return firstErrorFlash() }
        if let fieldID = fields.first(where: { $0.key == "id" }) { id = fieldID.value.trimmingCharacters(in: .whitespaces) }
        if doc["id"] == nil, let entries = doc.entries {
            doc = ConfigValue(.map([ConfigEntry(key: "id", value: .string(id))] + entries))
        }
        doc["id"] = .string(id)
        let current = store.snapshot.objectRevision(spec.kind, id)
        if !isNew && current != openedRevision && !warnedStale {
            warnedStale = true
            return .flash("\(spec.kind.singular) \(id) changed elsewhere since this form opened; F2 again overwrites it",
                          isError: true)
        }
        if isNew && current != nil {
            setError("id", "\(spec.kind.singular) \"\(id)\" already exists")
            return firstErrorFlash()
        }
        do {
            let snapshot = try store.apply(.put(spec.kind, id: id, value: doc), source: .console)
            return .flash("saved \(spec.kind.singular) \(id) (revision \(snapshot.revision))", isError: false)
                .then(.pop)
        } catch {
            return show(error)
        }
    }

    private func show(_ error: StoreError) -> ScreenAction {
        guard case .invalid(let errors) = error else { return .flash(error.description, isError: true) }
        var unplaced: [String] = []
        for e in errors.errors {
            let path = Self.objectPath(e.path, kind: spec.kind)
            if let i = bestField(for: path) {
                fields[i].error = fields[i].error ?? e.message
            } else {
                unplaced.append(e.fieldMessage)
            }
        }
        if let first = unplaced.first { return .flash(first, isError: true) }
        return firstErrorFlash()
    }

    /// `stream_routes[3].upstream.nodes[1].port` ⇒ `upstream.nodes[1].port` when it is this object's error.
    static func objectPath(_ path: String, kind: ResourceKind) -> String {
        let prefix = kind.rawValue + "["
        guard path.hasPrefix(prefix), let close = path.firstIndex(of: "]") else { return path }
        var rest = String(path[path.index(after: close)...])
        if rest.hasPrefix(".") { rest.removeFirst() }
        return rest
    }

    /// The field whose key is the longest prefix of the error's path: a node's own row first
    /// (`upstream.nodes[1].port` ⇒ `upstream.nodes#1`), else with indices ignored.
    private func bestField(for path: String) -> Int? {
        let row = path.replacingOccurrences(of: #"nodes\[(\d+)\].*$"#, with: "nodes#$1", options: .regularExpression)
        if row != path, let i = fields.firstIndex(where: { $0.key == row }) { return i }
        let plain = path.replacingOccurrences(of: #"\[\d+\]"#, with: "", options: .regularExpression)
        return fields.indices.filter { plain == fields[$0].key || plain.hasPrefix(fields[$0].key + ".") }
            .max { fields[$0].key.count < fields[$1].key.count }
            ?? (plain.isEmpty ? nil : fields.indices.first { fields[$0].key == plain.split(separator: ".").first.map(String.init) })
    }

    private func setError(_ key: String, _ message: String) {
        if let i = fields.firstIndex(where: { $0.key == key }) { fields[i].error = message }
    }

    private func firstErrorFlash() -> ScreenAction {
        guard let i = fields.firstIndex(where: { $0.error != nil }) else { return .flash("not saved", isError: true) }
        focus = i
        return .flash("not saved: \(fields[i].label): \(fields[i].error ?? "")", isError: true)
    }
}

extension ScreenAction {
    /// A message, then another action (a save that flashes and closes the form).
    func then(_ next: ScreenAction) -> ScreenAction { .sequence([self, next]) }
}
