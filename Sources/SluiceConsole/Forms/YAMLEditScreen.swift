import Foundation
import SluiceConfig

/// Edits one object as raw YAML text. F2 saves through the same Store transaction as the forms and the Admin API
/// (`Store.writeObject`: stamps, PEM checks, the whole configuration validated), refused when the object changed
/// or went away since the editor opened; every error is listed under the text with the line it concerns (a YAML
/// syntax error's own line, a field's line found from its path), and those lines are marked `✗` in the gutter.
final class YAMLEditScreen: Screen {
    let name = "yaml"
    var title: String { "Edit \(kind.singular) \(id) (YAML)" }
    let bindings: [KeyBinding] = [
        KeyBinding([.up, .down, .left, .right], "move", footer: false),
        KeyBinding([.home, .end], "start / end of the line", footer: false),
        KeyBinding([.pageUp, .pageDown], "page", footer: false),
        KeyBinding([.control("k")], "delete to the end of the line", footer: false),
        KeyBinding([.function(2)], "save"),
        KeyBinding([.escape], "cancel"),
    ]
    var capturesText: Bool { true }

    /// Why a save was refused before validation: the object is not the one the editor opened any more.
    enum Refusal: Error { case changedElsewhere, deletedElsewhere }

    /// An ssl's private key stands in the text as this placeholder; saved unchanged, the stored key is kept.
    static let secretPlaceholder = "(secret, kept as stored)"

    let kind: ResourceKind
    let id: String
    private let store: Store
    private let now: () -> Int
    private let base: ConfigValue
    private let openedRevision: ObjectRevision?
    private(set) var lines: [String]
    private let pristine: [String]
    private(set) var row = 0
    private(set) var col = 0
    private var first = 0
    private var page = 10
    /// The last save's refusal: each error with the line of the text it concerns, when known.
    private(set) var errors: [(line: Int?, message: String)] = []

    init(kind: ResourceKind, id: String, document: ConfigValue, store: Store,
         now: @escaping () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.kind = kind
        self.id = id
        self.store = store
        self.now = now
        base = document
        openedRevision = store.snapshot.objectRevision(kind, id)
        var shown = document
        if kind == .ssls, shown["key"] != nil { shown["key"] = .string(Self.secretPlaceholder) }
        let text = shown.yamlText()
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.count > 1, lines.last == "" { lines.removeLast() }
        pristine = lines
    }

    var isModified: Bool { lines != pristine }
    var text: String { lines.joined(separator: "\n") + "\n" }

    // MARK: drawing

    func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        let errorRows = errors.isEmpty ? 0 : min(errors.count, 5) + 1
        page = max(1, height - 1 - errorRows)
        if row < first { first = row }
        if row >= first + page { first = row - page + 1 }
        let status = "line \(row + 1) of \(lines.count), column \(col + 1)" + (isModified ? " · modified" : "")
            + " · F2 saves (validated like the form)"
        canvas.text(top, 0, status, width: canvas.cols, .dim)
        let marked = Set(errors.compactMap(\.line))
        let gutter = max(3, String(lines.count).count) + 2
        for (offset, index) in (first..<min(lines.count, first + page)).enumerated() {
            let y = top + 1 + offset
            let mark = marked.contains(index + 1) ? "✗" : " "
            canvas.text(y, 0, mark + String(index + 1).leftPadded(to: gutter - 2) + " ", width: gutter,
                        marked.contains(index + 1) ? .bad : .dim)
            let shown = index == row ? FormScreen.window(lines[index], cursor: col, width: canvas.cols - gutter)
                : lines[index]
            canvas.text(y, gutter, shown, width: canvas.cols - gutter, index == row ? .focusedField : .normal)
        }
        guard !errors.isEmpty else { return }
        var y = top + height - errorRows
        canvas.text(y, 0, "\(errors.count) error\(errors.count == 1 ? "" : "s"), nothing saved:", width: canvas.cols, .bad)
        for e in errors.prefix(5) {
            y += 1
            canvas.text(y, 2, (e.line.map { "line \($0): " } ?? "") + e.message, width: canvas.cols - 2, .bad)
        }
    }

    // MARK: keys

    func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        switch key {
        case .escape:
            guard isModified else { return .pop }
            return .confirm("Discard your changes to \(kind.singular) \(id)?") { .pop }
        case .function(2): return save()
        case .up: move(to: row - 1)
        case .down: move(to: row + 1)
        case .pageUp: move(to: row - page)
        case .pageDown: move(to: row + page)
        case .left where col == 0 && row > 0:
            row -= 1
            col = lines[row].count
        case .right where col >= lines[row].count && row + 1 < lines.count:
            row += 1
            col = 0
        case .enter:
            // The new line starts with the indentation of the one it came from.
            let chars = Array(lines[row])
            let indent = String(chars.prefix { $0 == " " })
            lines[row] = String(chars[..<col])
            lines.insert(indent + String(chars[col...]), at: row + 1)
            row += 1
            col = indent.count
        case .backspace where col == 0 && row > 0:
            col = lines[row - 1].count
            lines[row - 1] += lines.remove(at: row)
            row -= 1
        case .delete where col >= lines[row].count && row + 1 < lines.count:
            lines[row] += lines.remove(at: row + 1)
        case .tab:
            insert("  ")
        default:
            var line = lines[row]
            guard LineEditing.apply(key, to: &line, cursor: &col) else { return .unhandled }
            lines[row] = line
        }
        return .none
    }

    private func move(to target: Int) {
        row = min(max(0, target), lines.count - 1)
        col = min(col, lines[row].count)
    }

    private func insert(_ s: String) {
        var chars = Array(lines[row])
        chars.insert(contentsOf: s, at: min(col, chars.count))
        lines[row] = String(chars)
        col += s.count
    }

    // MARK: saving

    /// Parses the text and writes it in one Store transaction that first checks the object as stored now.
    func save() -> ScreenAction {
        errors = []
        let value: ConfigValue
        do throws(ConfigError) {
            value = try ConfigValue.parseYAML(text, file: "yaml")
        } catch {
            errors = [(error.line, error.message)]
            return .flash("not saved: line \(error.line.map(String.init) ?? "?"): \(error.message)", isError: true)
        }
        guard value.entries != nil else {
            errors = [(1, "must be a mapping of the \(kind.singular)'s fields")]
            return .flash("not saved: the text must be a mapping of the \(kind.singular)'s fields", isError: true)
        }
        var doc = value
        if let given = doc["id"], given.formText != id {
            errors = [(given.line, "id: must stay \"\(id)\" (press n on the list for a new \(kind.singular))")]
            return .flash("not saved: the id must stay \"\(id)\"", isError: true)
        }
        doc["id"] = .string(id)
        if kind == .ssls, doc["key"]?.formText == Self.secretPlaceholder { doc["key"] = base["key"] }
        let (writeKind, writeID, opened, store, stamp, document) = (kind, id, openedRevision, store, now(), doc)
        return .storeCall("saving \(kind.singular) \(id)", {
            try store.writeObject(writeKind, source: .console, now: stamp) { snapshot in
                guard let current = snapshot.objectRevision(writeKind, writeID) else { throw Refusal.deletedElsewhere }
                if current != opened { throw Refusal.changedElsewhere }
                return (writeID, document)
            }
        }, then: { [self] outcome in saved(outcome, value: value) })
    }

    /// What a save's Store call came to: the editor closes, or the errors show against their lines.
    private func saved(_ outcome: Result<ObjectWriteResult, any Error>, value: ConfigValue) -> ScreenAction {
        let writeKind = kind
        do {
            let result = try outcome.get()
            return .flash("saved \(kind.singular) \(id) (revision \(result.snapshot.revision))", isError: false).then(.pop)
        } catch StoreError.invalid(let all) {
            errors = all.errors.map { e -> (line: Int?, message: String) in
                let path = FormScreen.objectPath(e.path, kind: writeKind)
                let own = path != e.path || e.path.isEmpty
                return (own ? Self.line(of: path, in: value) : nil, own && !path.isEmpty ? "\(path): \(e.message)" : e.fieldMessage)
            }
            let firstError = errors.first
            return .flash("not saved: " + (firstError?.line.map { "line \($0): " } ?? "") + (firstError?.message ?? "invalid"),
                          isError: true)
        } catch Refusal.deletedElsewhere {
            errors = [(nil, "\(kind.singular) \(id) was deleted elsewhere since this editor opened")]
            return .flash("not saved: \(kind.singular) \(id) was deleted elsewhere", isError: true)
        } catch Refusal.changedElsewhere {
            errors = [(nil, "\(kind.singular) \(id) was changed elsewhere since this editor opened: "
                       + "Esc and open it again to see their change")]
            return .flash("not saved: \(kind.singular) \(id) was changed elsewhere", isError: true)
        } catch {
            errors = [(nil, "\(error)")]
            return .flash("not saved: \(error)", isError: true)
        }
    }

    /// The line of the value at `path` (`upstream.nodes[1].port`) in the parsed text: the deepest part of the path
    /// that exists (a missing field's error points at its parent).
    static func line(of path: String, in document: ConfigValue) -> Int? {
        var value = document
        var line = document.entries?.first?.value.line
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"),
                  let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indexes.insert(i, at: 0)
                name = name[..<open]
            }
            guard let child = value[String(name)] else { return line }
            value = child
            line = child.line ?? line
            for i in indexes {
                guard case .list(let items) = value.kind, i < items.count else { return line }
                value = items[i]
                line = value.line ?? line
            }
        }
        return line
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
