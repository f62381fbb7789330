import Foundation
import SluiceConfig
import SluiceEngine

/// The stored upstreams, one row per node with its health (up, down, drain, maint; since when, why, the last
/// check's latency), and HAProxy's node actions: `R` ready, `D` drain, `M` maint (written through the Store like
/// any edit, so they survive a restart) and `K` close the node's connections. `n` / `e` / `d` act on the
/// selected node's upstream, as on the other object screens, and so do `y` (YAML) and `Y` (edit as YAML).
public final class UpstreamsScreen: Screen {
    public let name = "upstreams"
    public let title = "Upstreams"
    public let bindings: [KeyBinding] = [
        KeyBinding([.up, .down], "select"),
        KeyBinding([.char("n")], "new"),
        KeyBinding([.char("e"), .enter], "edit"),
        KeyBinding([.char("d")], "delete", dangerous: true),
        KeyBinding([.char("R")], "node ready"),
        KeyBinding([.char("D")], "node drain"),
        KeyBinding([.char("M")], "node maint"),
        KeyBinding([.char("K")], "close node's connections", dangerous: true),
        KeyBinding([.char("y")], "YAML", footer: false),
        KeyBinding([.char("Y")], "edit as YAML", footer: false),
    ]

    /// One row: an upstream's node (nil for an upstream without nodes).
    private struct Row: Equatable {
        var upstreamID: String
        var node: Int?
    }

    private let store: Store
    private let list: ObjectListScreen
    private let kill: (UInt64) -> Bool
    private var selected: Row?

    /// - Parameter kill: closes a connection by id (the engine's registry), false when it is gone.
    public init(store: Store, kill: @escaping (UInt64) -> Bool) {
        self.store = store
        self.kill = kill
        list = ObjectListScreen(kind: .upstreams, store: store)
    }

    private func rows(_ config: GatewayConfig) -> [Row] {
        config.upstreams.flatMap { up -> [Row] in
            guard let id = up.id else { return [] }
            return up.nodes.isEmpty ? [Row(upstreamID: id)] : up.nodes.indices.map { Row(upstreamID: id, node: $0) }
        }
    }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        let config = data.config.config
        let rows = rows(config)
        if selected.map({ !rows.contains($0) }) ?? true { selected = rows.first }
        let health = Dictionary(data.engine.upstreams.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let now = data.engine.takenAt
        var lastID: String?
        let cells = rows.map { row -> [String] in
            let up = config.upstream(row.upstreamID)
            let first = row.upstreamID != lastID
            lastID = row.upstreamID
            let head = first ? [row.upstreamID, up?.type.rawValue ?? ""] : ["", ""]
            guard let up, let index = row.node else { return head + ["(no nodes)", "", "", "", "", ""] }
            let node = up.nodes[index]
            let info = health["upstreams/\(row.upstreamID)"]?.nodes.first { $0.address == node.address }
            return head + [node.address, String(node.weight), info.map(DashboardScreen.state) ?? "",
                           info.map { Format.age(now.timeIntervalSince($0.health.since)) } ?? "",
                           info?.health.why ?? "", info?.health.lastCheckLatency.map(Self.milliseconds) ?? ""]
        }
        canvas.text(top, 0, "\(config.upstreams.count) upstreams · revision \(data.config.revision)",
                    width: canvas.cols, .dim)
        Table(columns: [
            TableColumn("ID", min: 6, max: 16), TableColumn("TYPE", min: 10, max: 10),
            TableColumn("NODE", min: 15, max: 30), TableColumn("W", min: 3, max: 4, right: true),
            TableColumn("STATE", min: 8, max: 10), TableColumn("SINCE", min: 6, max: 8, right: true),
            TableColumn("WHY", min: 10, max: 24), TableColumn("CHECK", min: 6, max: 8, right: true),
        ], rows: cells, selected: rows.firstIndex { $0 == selected })
            .draw(on: canvas, top: top + 1, width: canvas.cols, height: height - 1)
        if rows.isEmpty { canvas.text(top + 3, 2, "None yet: press n to create one.", width: canvas.cols - 2, .dim) }
    }

    static func milliseconds(_ seconds: Double) -> String { String(format: "%.1fms", seconds * 1000) }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        let config = data.config.config
        let rows = rows(config)
        let index = rows.firstIndex { $0 == selected } ?? 0
        switch key {
        case .up: if index > 0 { selected = rows[index - 1] }
        case .down: if index + 1 < rows.count { selected = rows[index + 1] }
        case .char("R"): return setState(.ready, config)
        case .char("D"): return setState(.drain, config)
        case .char("M"): return setState(.maint, config)
        case .char("K"): return closeConnections(config, data.engine)
        default:
            list.selectedID = selected?.upstreamID
            return list.handle(key, data: data)
        }
        return .none
    }

    private func selectedNode(_ config: GatewayConfig) -> (Upstream, Int)? {
        guard let selected, let index = selected.node, let up = config.upstream(selected.upstreamID),
              up.nodes.indices.contains(index) else { return nil }
        return (up, index)
    }

    /// Edits the Store's current version of the upstream (the screen may be a tick behind), finding the node by
    /// its address.
    private func setState(_ state: NodeState, _ config: GatewayConfig) -> ScreenAction {
        guard let (shown, shownIndex) = selectedNode(config), let id = shown.id else { return .none }
        let address = shown.nodes[shownIndex].address
        let (store, stamp) = (store, Int(Date().timeIntervalSince1970))
        return .storeCall("setting node \(address) of upstream \(id) \(state.rawValue)", {
            // The console's one write path (stamps, revision), reading the upstream inside the transaction.
            try store.writeObject(.upstreams, source: .console, now: stamp) { snapshot in
                guard let up = snapshot.config.upstream(id),
                      let index = up.nodes.firstIndex(where: { $0.address == address }),
                      let doc = up.document(settingNode: index, to: state) else {
                    throw StoreError.notFound(.upstreams, id: "\(id) (node \(address))")
                }
                return (id, doc)
            }
        }, then: { outcome in Self.stateSet(outcome, address: address, upstream: id, state: state) })
    }

    private static func stateSet(_ outcome: Result<ObjectWriteResult, any Error>, address: String, upstream id: String,
                                 state: NodeState) -> ScreenAction {
        do {
            _ = try outcome.get()
            return .flash("node \(address) of upstream \(id): \(state.rawValue)", isError: false)
        } catch StoreError.notFound {
            return .flash("node \(address) of upstream \(id) is gone", isError: true)
        } catch {
            return .notDone("not changed", error)
        }
    }

    private func closeConnections(_ config: GatewayConfig, _ engine: EngineSnapshot) -> ScreenAction {
        guard let (up, index) = selectedNode(config), let id = up.id else { return .none }
        let address = up.nodes[index].address
        let ids = engine.connections.filter { $0.upstreamKey == "upstreams/\(id)" && $0.node == address }.map(\.id)
        let kill = self.kill
        return .confirm("Close the \(ids.count) connections of node \(address)?") {
            let closed = ids.filter(kill).count
            return .flash("closed \(closed) connections of node \(address)", isError: false)
        }
    }
}
