import SluiceConfig

/// The configuration history: every applied change as a revision (number, time, who, what changed), newest first.
/// Enter shows the revision's diff against the one before; `r` rolls back to the selected revision after a
/// confirmation naming it (a new revision, validated like any change; open connections keep their route).
public final class HistoryScreen: Screen {
    public let name = "history"
    public let title = "History"
    public let bindings: [KeyBinding] = [
        KeyBinding([.up, .down], "select"),
        KeyBinding([.pageUp, .pageDown], "page", footer: false),
        KeyBinding([.enter], "diff"),
        KeyBinding([.char("r")], "roll back to this revision", dangerous: true),
    ]

    private let store: Store
    /// The selected revision, kept by number so new revisions do not move the selection.
    private(set) var selected: Int?
    private var page = 10

    public init(store: Store) { self.store = store }

    static let columns = [
        TableColumn("REV", min: 5, max: 8, right: true), TableColumn("TIME (UTC)", min: 19, max: 20),
        TableColumn("SOURCE", min: 9, max: 9), TableColumn("CHANGES", min: 20, max: 400),
    ]

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        let entries = store.revisions
        if selected == nil || !entries.contains(where: { $0.number == selected }) { selected = entries.first?.number }
        page = max(1, height - 2)
        canvas.text(top, 0, "\(entries.count) revisions kept · revision \(data.config.revision) in force · "
                    + "Enter diff · r roll back", width: canvas.cols, .dim)
        let rows = entries.map { e -> [String] in
            let what = e.rolledBackTo.map { "back to \($0): " } ?? ""
            return [String(e.number) + (e.number == data.config.revision ? "*" : ""),
                    (e.timeText ?? "—").replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""),
                    e.source.rawValue, what + e.summary(limit: 6)]
        }
        Table(columns: Self.columns, rows: rows, selected: entries.firstIndex { $0.number == selected })
            .draw(on: canvas, top: top + 1, width: canvas.cols, height: height - 1)
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        let numbers = store.revisions.map(\.number)
        if selected == nil || !numbers.contains(where: { $0 == selected }) { selected = numbers.first }
        let index = numbers.firstIndex { $0 == selected } ?? 0
        func move(_ by: Int) {
            guard !numbers.isEmpty else { return }
            selected = numbers[max(0, min(numbers.count - 1, index + by))]
        }
        switch key {
        case .up: move(-1)
        case .down: move(1)
        case .pageUp: move(-page)
        case .pageDown: move(page)
        case .home: move(-numbers.count)
        case .end: move(numbers.count)
        case .enter:
            guard let n = selected else { return .none }
            let store = self.store
            return .storeCall("reading revision \(n)", { try store.diff(n) }, then: { outcome in
                do {
                    return .push(TextViewScreen.diff(title: "Revision \(n): diff against the one before",
                                                     text: try outcome.get()))
                } catch {
                    return .flash("\(error)", isError: true)
                }
            })
        case .char("r"):
            if let why = store.rollbackRefusal { return .flash("read-only: \(why)", isError: true) }
            guard let n = selected else { return .none }
            if n == data.config.revision { return .flash("revision \(n) is the one in force", isError: false) }
            let store = self.store
            return .confirm("Roll back to revision \(n)? Its configuration becomes current again (a new revision).") {
                .storeCall("rolling back to revision \(n)", { try store.rollback(to: n) }, then: { outcome in
                    do {
                        let now = try outcome.get()
                        return .flash("rolled back to revision \(n): now revision \(now.revision)", isError: false)
                    } catch {
                        return .notDone("not rolled back", error)
                    }
                })
            }
        default: return .unhandled
        }
        return .none
    }
}
