import Logging

/// Engine events (configuration applied, errors, listeners) or the access log's tail, one list at a time:
/// scroll (↑/↓, PgUp/PgDn, Home/End), follow the newest (`f`, End), `/` filter, `l` level, `a` events ⇄ access
/// log, Enter shows one entry whole (wrapped). Errors that arrive while the screen is not shown are counted on its
/// tab until it is.
public final class LogScreen: Screen {
    /// Which list is shown.
    enum Source { case events, access }

    /// The least severe level shown (events only).
    enum LevelFilter: CaseIterable {
        case all, warnings, errors

        var least: Logger.Level {
            switch self {
            case .all: .trace
            case .warnings: .warning
            case .errors: .error
            }
        }

        var label: String {
            switch self {
            case .all: "all levels"
            case .warnings: "warning and worse"
            case .errors: "errors only"
            }
        }
    }

    /// One row of the list: a key that stays with the line (an event's sequence; an access line's position).
    struct Row {
        var key: UInt64
        var level: Logger.Level?
        var text: String
    }

    public let name = "log"
    public let title = "Log"
    public var bindings: [KeyBinding] {
        if editingFilter { return [KeyBinding([.enter], "apply filter"), KeyBinding([.escape], "clear filter")] }
        return [
            KeyBinding([.up, .down], "scroll"), KeyBinding([.pageUp, .pageDown], "page", footer: false),
            KeyBinding([.home, .end], "oldest / newest (follow)", footer: false),
            KeyBinding([.char("f")], follow ? "stop following" : "follow"),
            KeyBinding([.char("/")], "filter"), KeyBinding([.char("l")], "level"),
            KeyBinding([.char("a")], source == .events ? "access log" : "events"),
            KeyBinding([.enter], "whole entry"),
        ]
    }

    private let accessLogTail: () -> [String]
    private(set) var source = Source.events
    private(set) var level = LevelFilter.all
    private(set) var filter = ""
    private(set) var editingFilter = false
    public var capturesText: Bool { editingFilter }
    /// While on, the newest row is selected and new ones scroll in.
    private(set) var follow = true
    private var selectedKey: UInt64?
    private var page = 10
    private var width = 80
    /// The newest event sequence shown on screen: later errors are "unseen".
    private var seen: UInt64 = 0

    /// - Parameter accessLogTail: the last lines of the access log file, newest last.
    public init(accessLogTail: @escaping () -> [String]) { self.accessLogTail = accessLogTail }

    func rows(_ data: ConsoleData) -> [Row] {
        let all: [Row]
        switch source {
        case .events:
            all = data.log.filter { $0.level >= level.least }.map { Row(key: $0.sequence, level: $0.level, text: $0.line) }
        case .access:
            all = accessLogTail().enumerated().map { Row(key: UInt64($0.offset), level: nil, text: $0.element) }
        }
        guard !filter.isEmpty else { return all }
        let f = filter.lowercased()
        return all.filter { $0.text.lowercased().contains(f) }
    }

    public func badge(data: ConsoleData) -> String? {
        let unseen = data.log.filter { $0.isError && $0.sequence > seen }.count
        return unseen == 0 ? nil : "●\(unseen)"
    }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        seen = max(seen, data.log.last?.sequence ?? 0)
        width = canvas.cols
        page = max(1, height - 1)
        let rows = self.rows(data)
        var index = rows.firstIndex { $0.key == selectedKey }
        if follow || index == nil { index = rows.isEmpty ? nil : rows.count - 1 }
        selectedKey = index.map { rows[$0].key }
        let what = source == .events ? "Events · \(level.label)" : "Access log (newest last)"
        let status = editingFilter ? "filter: \(filter)▏"
            : "\(what) · \(rows.count) shown" + (filter.isEmpty ? "" : " · </\(filter)>") + (follow ? " · following" : "")
        canvas.text(top, 0, status, width: canvas.cols, editingFilter ? .focusedField : .dim, pad: editingFilter)
        guard let selected = index else {
            canvas.text(top + 2, 2, filter.isEmpty ? "Nothing logged yet." : "Nothing matches the filter.",
                        width: canvas.cols - 2, .dim)
            return
        }
        let first = max(0, min(selected - page / 2, rows.count - page))
        for (offset, row) in rows[first..<min(rows.count, first + page)].enumerated() {
            let i = first + offset
            let style: TextStyle = i == selected ? .selected
                : (row.level ?? .info) >= .error ? .bad : row.level == .warning ? .warning : source == .access ? .dim : .normal
            canvas.text(top + 1 + offset, 0, row.text, width: canvas.cols, style, pad: i == selected)
        }
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        if editingFilter { return editFilter(key) }
        let rows = self.rows(data)
        let index = rows.firstIndex { $0.key == selectedKey } ?? max(0, rows.count - 1)
        func select(_ i: Int) {
            guard !rows.isEmpty else { return }
            let j = max(0, min(rows.count - 1, i))
            selectedKey = rows[j].key
            follow = j == rows.count - 1 && follow
        }
        switch key {
        case .up: follow = false; select(index - 1)
        case .down: select(index + 1)
        case .pageUp: follow = false; select(index - page)
        case .pageDown: select(index + page)
        case .home: follow = false; select(0)
        case .end: follow = true; select(rows.count - 1)
        case .char("f"): follow.toggle()
        case .char("/"): editingFilter = true
        case .char("l"):
            let all = LevelFilter.allCases
            level = all[((all.firstIndex(of: level) ?? 0) + 1) % all.count]
            return .flash("showing \(level.label)", isError: false)
        case .char("a"):
            source = source == .events ? .access : .events
            selectedKey = nil
            follow = true
        case .enter:
            guard let row = rows.first(where: { $0.key == selectedKey }) else { return .none }
            return .push(TextViewScreen(title: source == .events ? "Log entry" : "Access log line",
                                        lines: Wrap.lines(row.text, width: max(20, width - 1))))
        case .escape where !filter.isEmpty: filter = ""
        default: return .unhandled
        }
        return .none
    }

    private func editFilter(_ key: Key) -> ScreenAction {
        switch key {
        case .enter: editingFilter = false
        case .escape:
            editingFilter = false
            filter = ""
        default: _ = LineEditing.apply(key, toEnd: &filter)
        }
        return .none
    }
}
