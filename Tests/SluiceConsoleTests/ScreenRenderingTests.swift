import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole
@testable import SluiceEngine

/// Screens drawn on the in-memory canvas at 80×24 and 160×48: the important cells, not a golden screen.
struct ScreenRenderingTests {
    static let sizes = [(24, 80), (48, 160)]

    func app(_ store: Store) throws -> ConsoleApp {
        let tabs: [any Screen] = [
            DashboardScreen(), ConnectionsScreen(kill: { _ in true }),
            ObjectListScreen(kind: .streamRoutes, store: store), ObjectListScreen(kind: .services, store: store),
            ObjectListScreen(kind: .upstreams, store: store), LogScreen(accessLogTail: { ["127.0.0.1 200 client_closed"] }),
        ]
        return ConsoleApp(tabs: tabs, data: try Fixtures.data())
    }

    @Test(arguments: sizes) func dashboard(rows: Int, cols: Int) throws {
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        try app(try Fixtures.store()).render(on: canvas)
        #expect(canvas.line(0).contains("1 Dashboard"))
        #expect(canvas.row(containing: "127.0.0.1:9100") != nil, "\(canvas.screen)")
        // The wide-character route name keeps the next column aligned with the row above.
        let routeRow = try #require(canvas.row(containing: "2 数据"), "\(canvas.screen)")
        let matchCol = { (row: Int, text: String) -> Int? in
            canvas.line(row).range(of: text).map { CellWidth.of(String(canvas.line(row)[..<$0.lowerBound])) }
        }
        #expect(matchCol(routeRow, "from") != nil && matchCol(routeRow, "from") == matchCol(routeRow - 1, "port 9100"))
        #expect(canvas.row(containing: "1.0 MiB/s") != nil, "listener rate from two snapshots: \(canvas.screen)")
        #expect(canvas.row(containing: "○ off") != nil)
        #expect(canvas.line(try #require(canvas.row(containing: "127.0.0.1:7002"))).contains("✗ down"),
                "a node its health says is down never shows up: \(canvas.screen)")
        #expect(canvas.line(rows - 1).contains("? help"))
        for r in 0..<rows { #expect(CellWidth.of(canvas.line(r)) <= cols) }
    }

    @Test(arguments: sizes) func connectionsSortFilterKill(rows: Int, cols: Int) throws {
        var killed: [UInt64] = []
        let screen = ConnectionsScreen(kill: { killed.append($0); return true })
        let app = ConsoleApp(tabs: [screen], data: try Fixtures.data())
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        let first = try #require(canvas.row(containing: "127.0.0.1:50001"))
        #expect(canvas.line(first).contains("1m15s"))
        #expect(canvas.style(first, 2) == .selected)
        app.handle(.down)
        app.handle(.char("k"))
        app.render(on: canvas)
        #expect(canvas.line(rows - 2).contains("Kill connection 12"))
        app.handle(.char("y"))
        #expect(killed == [12])
        app.handle(.char("/"))
        for c in "127.0.0.2" { app.handle(.char(c)) }
        app.handle(.enter)
        app.render(on: canvas)
        #expect(canvas.row(containing: "127.0.0.1:50001") == nil)
        #expect(canvas.row(containing: "127.0.0.2:50002") != nil)
        #expect(canvas.line(1).contains("</127.0.0.2>"))
    }

    @Test func tooSmallTerminalSaysWhatItNeeds() throws {
        let canvas = MemoryCanvas(rows: 20, cols: 60)
        try app(try Fixtures.store()).render(on: canvas)
        #expect(canvas.row(containing: "need 80×24") != nil)
    }

    @Test func helpListsTheScreensKeysAndTheGlobalOnes() throws {
        let app = try app(try Fixtures.store())
        app.handle(.char("2"))
        app.handle(.char("?"))
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        #expect(canvas.row(containing: "kill (asks first)") != nil, "\(canvas.screen)")
        #expect(canvas.row(containing: "jump to a screen") != nil)
        app.handle(.escape)
        app.render(on: canvas)
        #expect(canvas.line(1).hasPrefix("Connections"))
    }

    @Test func colonJumpsToAScreenByName() throws {
        let app = try app(try Fixtures.store())
        for key: Key in [.char(":"), .char("u"), .char("p"), .enter] { app.handle(key) }
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        #expect(canvas.line(1).hasPrefix("Upstreams"))
        #expect(canvas.row(containing: "127.0.0.1:7000=2") != nil)
    }

    @Test func quitAsksFirst() throws {
        let app = try app(try Fixtures.store())
        app.handle(.char("q"))
        #expect(!app.wantsQuit)
        app.handle(.char("n"))
        #expect(!app.wantsQuit)
        app.handle(.char("q"))
        app.handle(.char("y"))
        #expect(app.wantsQuit)
    }
}

/// The Upstreams screen: one row per node with its health, and the node actions.
struct UpstreamsScreenTests {
    /// The fixture with a third node, 127.0.0.1:7002, which the engine snapshot says is down.
    func data() throws -> ConsoleData {
        var data = try Fixtures.data()
        let yaml = Fixtures.gatewayYAML.replacingOccurrences(of: "\"127.0.0.1:7001\": 0}",
                                                             with: "\"127.0.0.1:7001\": 0, \"127.0.0.1:7002\": 1}")
        data.config = ConfigSnapshot(revision: 7, config: try GatewayConfig.decode(
            try ConfigValue.parseYAML(yaml, file: "gateway.yaml"), file: "gateway.yaml"), objectRevisions: [:])
        return data
    }

    @Test(arguments: ScreenRenderingTests.sizes) func nodesShowTheirHealth(rows: Int, cols: Int) throws {
        let app = ConsoleApp(tabs: [UpstreamsScreen(store: try Fixtures.store(), kill: { _ in true })],
                             data: try data())
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        let down = try #require(canvas.row(containing: "127.0.0.1:7002"), "\(canvas.screen)")
        #expect(canvas.line(down).contains("✗ down"))
        #expect(canvas.line(down).contains("42s"))
        #expect(canvas.line(down).contains("refused"))
        #expect(canvas.line(down).contains("2.1ms"))
        #expect(!canvas.line(down).contains("● up"), "a dead node never shows up")
        #expect(canvas.line(try #require(canvas.row(containing: "127.0.0.1:7000"))).contains("● up"))
        for r in 0..<rows { #expect(CellWidth.of(canvas.line(r)) <= cols) }
    }

    @Test func drainMaintReadyAreWrittenThroughTheStore() throws {
        let store = try Fixtures.store()
        let app = ConsoleApp(tabs: [UpstreamsScreen(store: store, kill: { _ in true })], data: try data())
        app.render(on: MemoryCanvas(rows: 24, cols: 80))
        app.handle(.down)
        app.handle(.char("D"))
        var nodes = try #require(store.snapshot.config.upstream("echo")?.nodes)
        #expect(nodes.map(\.state) == [.ready, .drain])
        #expect(nodes.map(\.weight) == [2, 0], "the map form became the list form, weights kept")
        app.handle(.char("M"))
        nodes = try #require(store.snapshot.config.upstream("echo")?.nodes)
        #expect(nodes.map(\.state) == [.ready, .maint])
        app.handle(.char("R"))
        nodes = try #require(store.snapshot.config.upstream("echo")?.nodes)
        #expect(nodes.map(\.state) == [.ready, .ready])
        let text = try String(contentsOfFile: store.dataFile, encoding: .utf8)
        #expect(!text.contains("state:"), "ready is written by leaving the field out")
    }

    @Test func closeANodesConnectionsAsksFirst() throws {
        var killed: [UInt64] = []
        let screen = UpstreamsScreen(store: try Fixtures.store(), kill: { killed.append($0); return true })
        let app = ConsoleApp(tabs: [screen], data: try data())
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        app.handle(.char("K"))
        app.render(on: canvas)
        #expect(canvas.row(containing: "Close the 2 connections of node 127.0.0.1:7000?") != nil, "\(canvas.screen)")
        #expect(killed.isEmpty)
        app.handle(.char("y"))
        #expect(killed == [11, 12])
    }
}
