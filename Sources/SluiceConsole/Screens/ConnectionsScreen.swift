import Foundation
import SluiceEngine

/// Every live connection: sort, filter, inspect, kill one or every one the filter matches (HAProxy's `show sess` /
/// `shutdown session`), and the top talkers grouped by client or by route.
public final class ConnectionsScreen: Screen {
    public let name = "connections"
    public var title: String {
        (filter.isEmpty ? "Connections" : "Connections </\(filter)>") + (grouping == .off ? "" : " by \(grouping.label)")
    }
    public var bindings: [KeyBinding] {
        grouping == .off ? [
            KeyBinding([.up, .down], "select"),
            KeyBinding([.enter], "inspect"),
            KeyBinding([.char("k")], "kill", dangerous: true),
            KeyBinding([.char("K")], "kill shown", dangerous: true),
            KeyBinding([.char("s")], "sort"),
            KeyBinding([.char("S")], "reverse the sort", footer: false),
            KeyBinding([.char("/")], "filter"),
            KeyBinding([.char("g")], "group by client / route", footer: false),
        ] : [
            KeyBinding([.up, .down], "select"),
            KeyBinding([.enter], "its connections"),
            KeyBinding([.char("K")], "kill shown", dangerous: true),
            KeyBinding([.char("/")], "filter"),
            KeyBinding([.char("g")], "next grouping"),
        ]
    }

    /// The sortable columns, in the table's order (a column's raw value is its position).
    enum SortColumn: Int, CaseIterable {
        case id, client, route, node, age, bytesIn, bytesOut
        var label: String { ["id", "client", "route", "node", "age", "in", "out"][rawValue] }
        /// The first sort of a column: names and ids ascending; age and bytes largest first.
        var descendingFirst: Bool { self == .age || self == .bytesIn || self == .bytesOut }
    }

    private let kill: (UInt64) -> Bool
    private let readFacts: (UInt64) -> Void
    private var selectedID: UInt64?
    private var selectedGroup: String?
    private(set) var sort = SortColumn.id
    /// `S` turns the column's usual order round.
    private(set) var reversed = false
    /// ▼ when the largest (latest, last in the alphabet) value comes first, ▲ otherwise.
    var sortMarker: String { sort.descendingFirst != reversed ? "▼" : "▲" }
    private(set) var filter = ""
    private(set) var grouping = ConnectionGroup.Kind.off
    private var editingFilter = false
    public var capturesText: Bool { editingFilter }

    /// - Parameters:
    ///   - kill: closes a connection by id (the engine's registry), false when it is gone.
    ///   - readFacts: asks the engine for the facts it reads only on demand (the upstream socket's local address).
    public init(kill: @escaping (UInt64) -> Bool, readFacts: @escaping (UInt64) -> Void = { _ in }) {
        self.kill = kill
        self.readFacts = readFacts
    }

    /// Whether a connection matches the filter: `route:ID`, `client:ADDRESS` (without the port) and `node:ADDRESS`
    /// match that field exactly (what Enter on a group sets); any other text matches a client, route or node
    /// containing it.
    func matches(_ c: ConnectionInfo) -> Bool {
        let f = filter.lowercased()
        if f.isEmpty { return true }
        if let id = Self.exact("route:", f) { return c.routeID.lowercased() == id }
        if let host = Self.exact("client:", f) { return ConnectionGroup.host(ofClient: c.client) == host }
        if let node = Self.exact("node:", f) { return c.node == node }
        return c.client.contains(f) || c.routeID.lowercased().contains(f) || (c.node ?? "").contains(f)
    }

    private static func exact(_ prefix: String, _ filter: String) -> String? {
        filter.hasPrefix(prefix) ? String(filter.dropFirst(prefix.count)) : nil
    }

    /// The rows shown, filtered and sorted.
    func visible(_ data: ConsoleData) -> [ConnectionInfo] {
        let sorted = usualOrder(data.engine.connections.filter(matches))
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
        if grouping != .off {
            drawGroups(ConnectionGroup.of(rows, by: grouping, data: data), on: canvas, top: top, height: height)
            return
        }
        if selectedID == nil || !rows.contains(where: { $0.id == selectedID }) { selectedID = rows.first?.id }
        let selected = rows.firstIndex { $0.id == selectedID }
        let status = editingFilter ? "filter: \(filter)▏  (text, or exactly route:ID client:IP node:IP:PORT)"
            : "\(rows.count) of \(data.engine.connections.count) · sorted by \(sort.label) \(sortMarker)"
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

    private func drawGroups(_ groups: [ConnectionGroup], on canvas: Canvas, top: Int, height: Int) {
        if selectedGroup == nil || !groups.contains(where: { $0.key == selectedGroup }) { selectedGroup = groups.first?.key }
        let status = editingFilter ? "filter: \(filter)▏"
            : "\(groups.count) \(grouping.label)s · top talkers first (rate both ways)"
        canvas.text(top, 0, status, width: canvas.cols, editingFilter ? .focusedField : .dim)
        Table(columns: [
            TableColumn(grouping.label.uppercased(), min: 15, max: 40), TableColumn("CONNS", min: 6, max: 8, right: true),
            TableColumn("IN", min: 8, max: 10, right: true, drop: 1), TableColumn("OUT", min: 8, max: 10, right: true, drop: 1),
            TableColumn("IN/s", min: 10, max: 12, right: true), TableColumn("OUT/s", min: 10, max: 12, right: true),
        ], rows: groups.map { g in
            [g.label, Format.count(g.connections), Format.bytes(g.bytesIn), Format.bytes(g.bytesOut),
             Format.rate(g.rate.bytesIn), Format.rate(g.rate.bytesOut)]
        }, selected: groups.firstIndex { $0.key == selectedGroup })
            .draw(on: canvas, top: top + 1, width: canvas.cols, height: height - 1)
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        if editingFilter {
            switch key {
            case .enter, .escape: editingFilter = false
            default: _ = LineEditing.apply(key, toEnd: &filter)
            }
            return .none
        }
        switch key {
        case .char("/"):
            editingFilter = true
            filter = ""
            return .none
        case .escape where !filter.isEmpty:
            filter = ""
            return .none
        case .char("g"):
            grouping = grouping.next
            return .none
        case .char("K"):
            return killAll(visible(data))
        default:
            return grouping == .off ? handleList(key, data: data) : handleGroups(key, data: data)
        }
    }

    private func handleList(_ key: Key, data: ConsoleData) -> ScreenAction {
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
        case .enter:
            guard let id = selectedID else { return .none }
            readFacts(id)
            return .push(ConnectionInspector(id: id, kill: kill, readFacts: readFacts))
        case .char("k"):
            guard let c = rows.first(where: { $0.id == selectedID }) else { return .flash("no connection selected", isError: true) }
            return ConnectionInspector.confirmKill(c, kill: kill)
        default: return .unhandled
        }
        return .none
    }

    private func handleGroups(_ key: Key, data: ConsoleData) -> ScreenAction {
        let groups = ConnectionGroup.of(visible(data), by: grouping, data: data)
        let index = groups.firstIndex { $0.key == selectedGroup } ?? 0
        switch key {
        case .up: if index > 0 { selectedGroup = groups[index - 1].key }
        case .down: if index + 1 < groups.count { selectedGroup = groups[index + 1].key }
        case .enter:
            guard let key = selectedGroup else { return .none }
            filter = "\(grouping.label):\(key)"
            grouping = .off
        default: return .unhandled
        }
        return .none
    }

    /// `K`: every connection the filter matches now (not those opening after the question), after a question that
    /// says how many.
    private func killAll(_ rows: [ConnectionInfo]) -> ScreenAction {
        guard !rows.isEmpty else { return .flash("no connection matches", isError: true) }
        let ids = rows.map(\.id)
        let kill = self.kill
        let scope = filter.isEmpty ? "" : " matching /\(filter)/"
        let noun = ids.count == 1 ? "connection" : "connections"
        return .confirm("Kill all \(ids.count) \(noun)\(scope)?") {
            let killed = ids.filter(kill).count
            let gone = ids.count - killed
            return .flash("killed \(killed) \(noun)\(scope)" + (gone > 0 ? " (\(gone) had already closed)" : ""),
                          isError: false)
        }
    }
}
