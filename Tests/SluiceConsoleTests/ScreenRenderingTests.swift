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
