import Foundation
import SluiceConfig

/// Edits one object; saving goes through the same Store transaction as the Admin API (`Store.writeObject`: stamps,
/// PEM checks, and the check that nobody changed the object since the form opened, all inside it), and the Store's
/// errors are shown beside the field they name. Nothing is saved until the whole configuration is valid; a change
/// made elsewhere is never overwritten or resurrected without the operator choosing to (`FormConflict`).
public final class FormScreen: Screen {
    public let name = "form"
    public var title: String { (isNew ? "New " : "Edit ") + spec.kind.singular + (isNew ? "" : " \(id)") }
    public var bindings: [KeyBinding] {
        switch conflict {
        case .changed?:
            [KeyBinding([.char("d")], "show their change"), KeyBinding([.char("r")], "reload (discard mine)"),
             KeyBinding([.char("o")], "overwrite"), KeyBinding([.escape], "keep editing")]
        case .deleted?:
            [KeyBinding([.char("o")], "create it again"), KeyBinding([.escape], "keep editing")]
        case .idTaken?, nil:
            [KeyBinding([.up, .down, .tab], "field"), KeyBinding([.char(" "), .left, .right], "choose", footer: false),
             KeyBinding([.control("a"), .control("e")], "start / end of the text", footer: false),
             KeyBinding([.control("u"), .control("k")], "delete to the start / to the end", footer: false),
             KeyBinding([.control("w")], "delete the word before the cursor", footer: false),
             KeyBinding([.enter], "next field; on + plugin: add the plugin named", footer: false),
             KeyBinding([.function(2)], "save"), KeyBinding([.escape], "cancel")]
        }
    }

    /// How a save checks the object as stored now.
    enum SaveMode: Sendable {
        /// Unchanged since the form opened (or was reloaded); for a new object, its id free.
        case checked
        /// Merged onto their version, which must still be the one stored.
        case overwrite(theirs: ConfigValue, revision: ObjectRevision)
        /// Deleted elsewhere: created again, if nobody did so meanwhile.
        case recreate
    }

    let spec: any FormSpec
    private let store: Store
    private let now: () -> Int
    private var base: ConfigValue?
    private var openedRevision: ObjectRevision?
    private let isNew: Bool
    private(set) var fields: [FormField]
    private(set) var focus = 0
    private var id: String
    /// A save's refusal the operator has not answered yet (a modal prompt: only its keys work).
    private(set) var conflict: FormConflict?
    /// The fields' values as opened (or reloaded), to tell whether leaving discards anything.
    private var pristine: [String]
    /// The listeners in force (from the last engine snapshot seen), for the warnings.
    private var listeners: [ListenerSpec]?

    /// - Parameters:
    ///   - existing: the object to edit (its id and stored document), nil for a new one.
    ///   - now: seconds since the epoch, for the stamps.
    public init(spec: any FormSpec, store: Store, existing: (id: String, raw: ConfigValue)?,
                now: @escaping () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.spec = spec
        self.store = store
        self.now = now
        isNew = existing == nil
        base = existing?.raw
        let snapshot = store.snapshot
        openedRevision = existing.flatMap { snapshot.objectRevision(spec.kind, $0.id) }
        id = existing?.id ?? Self.freeID(spec.kind, snapshot.config)
        var fields = spec.fields(existing: existing?.raw, config: snapshot.config)
        if existing == nil { fields.insert(FormField("id", "id", value: id, hint: "a-z 0-9 - _ ."), at: 0) }
        spec.adjust(&fields)
        self.fields = fields
        pristine = Self.values(fields)
    }

    /// Whether any field differs from the object as opened.
    var isModified: Bool { Self.values(fields) != pristine }

    private static func values(_ fields: [FormField]) -> [String] {
        fields.filter { !$0.value.isEmpty }.map { "\($0.key)=\($0.value)" }
    }

    /// A text field has the focus: printable keys are typed, not commands (`?` is text here; F1 opens help).
    public var capturesText: Bool {
        guard conflict == nil, focus < fields.count, case .text = fields[focus].kind else { return false }
        return true
    }

    static func freeID(_ kind: ResourceKind, _ config: GatewayConfig) -> String {
        let used = Set(config.documents(kind).map(\.id))
        return String((1...).first { !used.contains(String($0)) } ?? 1)
    }

    /// The row of the save button, after the fields.
    private var saveIndex: Int { fields.count }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        listeners = data.engine.listeners.map(\.spec)
        // What the stored object cannot do as written (ConfigWarnings), beside the field it concerns.
        var warnings: [Int: String] = [:]
        if !isNew {
            for w in ConfigWarnings.of(spec.kind, id, in: data.config.config, listeners: listeners) {
                if let i = bestField(for: w.path), warnings[i] == nil { warnings[i] = w.message }
            }
        }
        let labelWidth = 18
        let valueWidth = max(12, min(40, canvas.cols - labelWidth - 34))
        let noteCol = labelWidth + valueWidth + 3
        // The focused field's error or warning, whole and wrapped under the save button when its column cuts it.
        let detail = focusedNote(warnings).map { note -> [String] in
            CellWidth.of(note) <= canvas.cols - noteCol ? [] : Array(Wrap.lines(note, width: canvas.cols - 2).prefix(4))
        } ?? []
        // Field rows, then a blank and the save button (and the detail), then the prompt line: the focused field
        // always shows.
        let visible = max(1, height - 4 - (detail.isEmpty ? 0 : detail.count + 1))
        let shownFields = fields.indices.filter { !fields[$0].isHidden }
        let focusRow = shownFields.firstIndex { $0 >= focus } ?? shownFields.count
        let first = max(0, min(focusRow, shownFields.count - 1) - visible + 1)
        var row = top + 1
        for i in shownFields.dropFirst(first) where row <= top + visible {
            let f = fields[i]
            let focused = i == focus
            canvas.text(row, 1, f.label, width: labelWidth, focused ? .key : .dim)
            var shown = f.value
            if case .choice = f.kind { shown = "‹ \(f.value.isEmpty ? "—" : f.value) ›" }
            if focused, case .text = f.kind { shown = Self.window(f.value, cursor: f.cursor, width: valueWidth) }
            let style: TextStyle = !f.isEditable ? .dim : focused ? .focusedField : .field
            canvas.text(row, labelWidth + 2, shown, width: valueWidth, style, pad: true)
            if let error = f.error {
                canvas.text(row, noteCol, "✗ " + error, width: canvas.cols - noteCol, .bad)
            } else if let warning = warnings[i] {
                canvas.text(row, noteCol, "⚠ " + warning, width: canvas.cols - noteCol, .warning)
            } else if case .readOnly(let why) = f.kind {
                canvas.text(row, noteCol, "🔒 " + why, width: canvas.cols - noteCol, .dim)
            } else if !f.hint.isEmpty {
                canvas.text(row, noteCol, f.hint, width: canvas.cols - noteCol, .dim)
            }
            row += 1
        }
        canvas.text(row + 1, labelWidth + 2, "[ Save ]", width: 8, focus == saveIndex ? .selected : .key)
        let noteStyle: TextStyle = focus < fields.count && fields[focus].error != nil ? .bad : .warning
        for (offset, line) in detail.enumerated() {
            canvas.text(row + 3 + offset, 1, line, width: canvas.cols - 2, noteStyle)
        }
        if let conflict {
            canvas.text(top + height - 1, 0, "⚠ " + conflict.prompt(spec.kind, id), width: canvas.cols, .warning, pad: true)
        }
    }

    /// The note beside the focused field, marked as it is there: its error, else the warning it carries.
    private func focusedNote(_ warnings: [Int: String]) -> String? {
        guard focus < fields.count else { return nil }
        if let error = fields[focus].error { return "✗ " + error }
        return warnings[focus].map { "⚠ " + $0 }
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        listeners = data.engine.listeners.map(\.spec)
        if let conflict { return answer(conflict, key) }
        switch key {
        case .escape:
            guard isModified else { return .pop }
            return .confirm("Discard your changes to \(spec.kind.singular) \(id)?") { .pop }
        case .up, .backTab: move(-1)
        case .down, .tab: move(1)
        case .function(2): return save()
        case .enter:
            if focus == saveIndex { return save() }
            if let next = spec.enter(&fields, at: focus) { focus = next } else { move(1) }
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

    /// Moves the focus by one shown field (hidden ones are skipped); the save button is the last stop.
    private func move(_ step: Int) {
        var next = focus + step
        while next >= 0, next < fields.count, fields[next].isHidden { next += step }
        if next >= 0 && next <= saveIndex { focus = next }
    }

    /// The part of a long value around the cursor that fits `width` cells, with the cursor mark.
    static func window(_ value: String, cursor: Int, width: Int) -> String {
        let chars = Array(value)
        let c = min(cursor, chars.count)
        let text = String(chars[..<c]) + "▏" + String(chars[c...])
        guard CellWidth.of(text) > width else { return text }
        // Keep the cursor in view: as much text before it as fits beside a leading `…`, then what follows.
        var start = c
        var used = 2
        while start > 0, used + CellWidth.of(chars[start - 1]) <= width {
            start -= 1
            used += CellWidth.of(chars[start])
        }
        return (start > 0 ? "…" : "") + String(chars[start..<c]) + "▏" + String(chars[c...])
    }

    /// Builds the document and writes it in one Store transaction that first checks the object as stored now
    /// (see `SaveMode`); a conflict becomes the prompt the operator answers.
    func save(_ mode: SaveMode = .checked) -> ScreenAction {
        for i in fields.indices { fields[i].error = nil }
        guard var doc = spec.build(&fields, base: base) else { return firstErrorFlash() }
        if let fieldID = fields.first(where: { $0.key == "id" }) { id = fieldID.value.trimmingCharacters(in: .whitespaces) }
        if doc["id"] == nil, let entries = doc.entries {
            doc = ConfigValue(.map([ConfigEntry(key: "id", value: .string(id))] + entries))
        }
        doc["id"] = .string(id)
        if case .overwrite(let theirs, _) = mode { doc = ThreeWayMerge.merge(base: base, mine: doc, theirs: theirs) ?? doc }
        let (kind, id, opened, isNew, store, stamp, document) = (spec.kind, self.id, openedRevision, self.isNew, store, now(), doc)
        return .storeCall("saving \(kind.singular) \(id)", {
            try store.writeObject(kind, source: .console, now: stamp) { snapshot in
                let stored = snapshot.config.documents(kind).first { $0.id == id }
                let current = snapshot.objectRevision(kind, id)
                let changed = { (revision: ObjectRevision) in
                    FormConflict.changed(current: stored?.raw ?? .map([]), revision: revision)
                }
                switch mode {
                case .checked where isNew:
                    if current != nil { throw FormConflict.idTaken }
                case .checked:
                    guard let current else { throw FormConflict.deleted }
                    if current != opened { throw changed(current) }
                case .overwrite(_, let expected):
                    guard let current else { throw FormConflict.deleted }
                    if current != expected { throw changed(current) }
                case .recreate:
                    if let current { throw changed(current) }
                }
                return (id, document)
            }
        }, then: saved)
    }

    /// What a save's Store call came to: the form closes, or its errors or conflict prompt show.
    private func saved(_ outcome: Result<ObjectWriteResult, any Error>) -> ScreenAction {
        let (kind, id) = (spec.kind, self.id)
        do {
            let result = try outcome.get()
            conflict = nil
            let warnings = ConfigWarnings.of(kind, id, in: result.snapshot.config, listeners: listeners)
            let note = warnings.first.map { " — warning: \($0.fieldMessage)" } ?? ""
            return .flash("saved \(kind.singular) \(id) (revision \(result.snapshot.revision))\(note)", isError: false)
                .then(.pop)
        } catch let refusal as FormConflict {
            if case .idTaken = refusal {
                setError("id", refusal.prompt(kind, id))
                return firstErrorFlash()
            }
            conflict = refusal
            return .flash(refusal.prompt(kind, id), isError: true)
        } catch let error as StoreError {
            return show(error)
        } catch {
            return .flash("not saved: \(error)", isError: true)
        }
    }

    /// The operator's answer to a conflict prompt.
    private func answer(_ conflict: FormConflict, _ key: Key) -> ScreenAction {
        switch (conflict, key) {
        case (_, .escape):
            self.conflict = nil
            return .flash("not saved; F2 saves again", isError: false)
        case (.changed(let current, let revision), .char("d")):
            let text = UnifiedDiff.text(
                from: PrivateKeyRedaction.redact((base ?? .map([])).yamlText()),
                to: PrivateKeyRedaction.redact(current.yamlText()),
                oldName: "as opened (revision \(openedRevision?.modified ?? 0))", newName: "now (revision \(revision.modified))")
            return .push(TextViewScreen.diff(title: "\(spec.kind.singular) \(id): changed elsewhere", text: text))
        case (.changed(let current, let revision), .char("r")):
            base = current
            openedRevision = revision
            fields = spec.fields(existing: current, config: store.snapshot.config)
            spec.adjust(&fields)
            pristine = Self.values(fields)
            focus = min(focus, fields.count)
            self.conflict = nil
            return .flash("reloaded \(spec.kind.singular) \(id) at revision \(revision.modified); my changes discarded",
                          isError: false)
        case (.changed(let current, let revision), .char("o")):
            return save(.overwrite(theirs: current, revision: revision))
        case (.deleted, .char("o")):
            return save(.recreate)
        default:
            return .none
        }
    }

    private func show(_ error: StoreError) -> ScreenAction {
        guard case .invalid(let errors) = error else { return .flash(error.description, isError: true) }
        var unplaced: [String] = []
        for e in errors.errors {
            let path = Self.objectPath(e.path, kind: spec.kind)
            if let i = bestField(for: path) {
                // Shown beside a field that takes a whole object (a plugin's JSON row): say which part is wrong.
                let plain = path.replacingOccurrences(of: #"\[\d+\]"#, with: "", options: .regularExpression)
                let scope = fields[i].errorScope
                let exact = path.hasPrefix(scope + ".") ? path : plain
                let part = exact.hasPrefix(scope + ".") ? String(exact.dropFirst(scope.count + 1)) + ": " : ""
                fields[i].error = fields[i].error ?? part + e.message
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
        let scopes = fields.indices.filter { !fields[$0].isHidden }
        return scopes.filter { plain == fields[$0].errorScope || plain.hasPrefix(fields[$0].errorScope + ".") }
            .max { fields[$0].errorScope.count < fields[$1].errorScope.count }
            ?? (plain.isEmpty ? nil : scopes.first { fields[$0].errorScope == plain.split(separator: ".").first.map(String.init) })
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
