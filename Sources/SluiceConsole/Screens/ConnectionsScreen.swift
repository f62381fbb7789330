import Foundation
import SluiceEngine

/// Every live connection: sort, filter, inspect, kill (HAProxy's `show sess` / `shutdown session`).
public final class ConnectionsScreen: Screen {
    public let name = "connections"
    public var title: String { filter.isEmpty ? "Connections" : "Connections </\(filter)>" }
    public let bindings: [KeyBinding] = [
        KeyBinding([.up, .down], "select"),
        KeyBinding([.enter], "inspect"),
        KeyBinding([.char("k")], "kill", dangerous: true),
        KeyBinding([.char("s")], "sort column"),
        KeyBinding([.char("S")], "reverse the sort"),
        KeyBinding([.char("/")], "filter"),
    ]

    /// The sortable columns, in the table's order (a column's raw value is its position).
    enum SortColumn: Int, CaseIterable {
        case id, client, route, node, age, bytesIn, bytesOut
        var label: String { ["id", "client", "route", "node", "age", "in", "out"][rawValue] }
        /// The first sort of a column: names and ids ascending; age and bytes largest first.
        var descendingFirst: Bool { self == .age || self == .bytesIn || self == .bytesOut }
    }

    private let kill: (UInt64) -> Bool
    private var selectedID: UInt64?
    private(set) var sort = SortColumn.id
    /// `S` turns the column's usual order round.
    private(set) var reversed = false
    /// ▼ when the largest (latest, last in the alphabet) value comes first, ▲ otherwise.
    var sortMarker: String { sort.descendingFirst != reversed ? "▼" : "▲" }
    private(set) var filter = ""
    private var editingFilter = false
    public var capturesText: Bool { editingFilter }

    /// - Parameter kill: closes a connection by id (the engine's registry), false when it is gone.
    public init(kill: @escaping (UInt64) -> Bool) { self.kill = kill }

    /// The rows shown, filtered and sorted.
    func visible(_ data: ConsoleData) -> [ConnectionInfo] {
        let f = filter.lowercased()
        let rows = data.engine.connections.filter {
            f.isEmpty || $0.client.contains(f) || $0.routeID.lowercased().contains(f) || ($0.node ?? "").contains(f)
        }
        let sorted = usualOrder(rows)
        return reversed ? sorted.reversed() : sorted
    }

    private func usualOrder(_ rows: [ConnectionInfo]) -> [ConnectionInfo] {
        switch sort {
        case .id: return rows.sorted { $0.id < $1.id }
        case .client: return rows.sorted { ($0.client, $0.id) < ($1.client, $1.id) }
        case .route: return rows.sorted { ($0.routeID, $0.id) < ($1.routeID, $1.id) }
        case .node: return rows.sorted { ($0.node ?? "", $0.id) < ($1.node ?? "", $1.id) }
        case .age: return rows.sorted { $0.startedAt < $1.startedAt }
        case .bytesIn: return rows.sorted { $0.bytesIn > $1.bytesIn }
        case .bytesOut: return rows.sorted { $0.bytesOut > $1.bytesOut }
        }
    }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        let rows = visible(data)
        if selectedID == nil || !rows.contains(where: { $0.id == selectedID }) { selectedID = rows.first?.id }
        let selected = rows.firstIndex { $0.id == selectedID }
        let status = editingFilter ? "filter: \(filter)▏" : "\(rows.count) of \(data.engine.connections.count) · sorted by \(sort.label) \(sortMarker)"
        canvas.text(top, 0, status, width: canvas.cols, editingFilter ? .focusedField : .dim)
        let now = data.engine.takenAt
        var columns = [
            TableColumn("ID", min: 5, max: 8, right: true), TableColumn("CLIENT", min: 15, max: 24),
            TableColumn("ROUTE", min: 6, max: 16), TableColumn("NODE", min: 15, max: 22),
            TableColumn("AGE", min: 6, max: 7, right: true), TableColumn("IN", min: 8, max: 10, right: true, drop: 1),
            TableColumn("OUT", min: 8, max: 10, right: true, drop: 1),
            TableColumn("IN/s", min: 10, max: 11, right: true, drop: 2),
            TableColumn("STATE", min: 10, max: 10), TableColumn("LISTENER", min: 12, max: 22, drop: 3),
        ]
        columns[sort.rawValue].title += sortMarker
        Table(columns: columns, rows: rows.map { c in
            let rate = data.rates.rate(RateTracker.connectionKey(c.id))
            return [String(c.id), c.client, c.routeID, c.node ?? "-", Format.age(now.timeIntervalSince(c.startedAt)),
                    Format.bytes(c.bytesIn), Format.bytes(c.bytesOut), Format.rate(rate.bytesIn), c.state.rawValue,
                    c.listener]
        }, selected: selected).draw(on: canvas, top: top + 1, width: canvas.cols, height: height - 1)
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        if editingFilter {
            switch key {
            case .enter, .escape: editingFilter = false
            default: _ = LineEditing.apply(key, toEnd: &filter)
            }
            return .none
        }
        let rows = visible(data)
        let index = rows.firstIndex { $0.id == selectedID } ?? 0
        switch key {
        case .up: if index > 0 { selectedID = rows[index - 1].id }
        case .down: if index + 1 < rows.count { selectedID = rows[index + 1].id }
        case .pageUp: if !rows.isEmpty { selectedID = rows[max(0, index - 10)].id }
        case .pageDown: if !rows.isEmpty { selectedID = rows[min(rows.count - 1, index + 10)].id }
        case .char("s"):
            sort = SortColumn(rawValue: (sort.rawValue + 1) % SortColumn.allCases.count) ?? .id
            reversed = false
        case .char("S"): reversed.toggle()
        case .char("/"):
            editingFilter = true
            filter = ""
        case .escape where !filter.isEmpty: filter = ""
        case .enter:
            guard let id = selectedID else { return .none }
            return .push(ConnectionInspector(id: id))
        case .char("k"):
            guard let c = rows.first(where: { $0.id == selectedID }) else { return .flash("no connection selected", isError: true) }
            let kill = self.kill
            return .confirm("Kill connection \(c.id) from \(c.client) (route \(c.routeID))?") {
                kill(c.id) ? .flash("connection \(c.id) killed", isError: false)
                    : .flash("connection \(c.id) had already closed", isError: true)
            }
        default: return .unhandled
        }
        return .none
    }
}

/// One connection's details, updating live.
final class ConnectionInspector: Screen {
    let id: UInt64
    let name = "inspect"
    var title: String { "Connection \(id)" }
    let bindings: [KeyBinding] = [KeyBinding([.escape], "back")]

    init(id: UInt64) { self.id = id }

    func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        guard let c = data.engine.connections.first(where: { $0.id == id }) else {
            canvas.text(top + 1, 2, "Connection \(id) has closed.", width: canvas.cols - 2, .dim)
            return
        }
        let rate = data.rates.rate(RateTracker.connectionKey(c.id))
        let fields: [(String, String)] = [
            ("id", String(c.id)), ("client", c.client), ("listener", c.listener), ("route", c.routeID),
            ("upstream", Format.upstream(c.upstreamKey)), ("node", c.node ?? "-"), ("state", c.state.rawValue),
            ("started", "\(c.startedAt)"), ("age", Format.age(data.engine.takenAt.timeIntervalSince(c.startedAt))),
            ("bytes in (from client)", "\(Format.bytes(c.bytesIn))  (\(Format.count(c.bytesIn)) B)"),
            ("bytes out (to client)", "\(Format.bytes(c.bytesOut))  (\(Format.count(c.bytesOut)) B)"),
            ("rate in / out", "\(Format.rate(rate.bytesIn)) / \(Format.rate(rate.bytesOut))"),
        ]
        for (i, f) in fields.enumerated() where i + 1 < height {
            canvas.text(top + 1 + i, 2, f.0, width: 24, .dim)
            canvas.text(top + 1 + i, 27, f.1, width: canvas.cols - 27)
        }
    }

    func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        key == .escape || key == .enter ? .pop : .unhandled
    }
}
