import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// The History screen on the in-memory canvas: the list, the coloured diff (readable without colour), and a
/// rollback after a confirmation naming the revision — against a real Store.
struct HistoryScreenTests {
    static let sizes = [(24, 80), (48, 160)]

    func changedStore() throws -> Store {
        let store = try Fixtures.store()
        try store.apply(.put(.upstreams, id: "echo", value: try ConfigValue.parseJSON(Array(
            #"{"id":"echo","nodes":{"127.0.0.1:7000":2,"127.0.0.1:7002":1}}"#.utf8))), source: .console)
        return store
    }

    func app(_ store: Store) throws -> ConsoleApp {
        var data = try Fixtures.data()
        data.config = store.snapshot
        return ConsoleApp(tabs: [HistoryScreen(store: store)], data: data)
    }

    @Test(arguments: sizes) func listsRevisionsNewestFirst(rows: Int, cols: Int) throws {
        let store = try changedStore()
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        try app(store).render(on: canvas)
        let newest = try #require(canvas.row(containing: "console"), "\(canvas.screen)")
        #expect(canvas.line(newest).contains("2*") && canvas.line(newest).contains("upstreams/echo update"))
        #expect(canvas.style(newest, 1) == .selected)
        let start = try #require(canvas.row(containing: "start"))
        #expect(start == newest + 1)
        #expect(canvas.line(start).contains("stream_routes/1 create"))
        #expect(canvas.line(rows - 1).contains("Enter diff"))
        for r in 0..<rows { #expect(CellWidth.of(canvas.line(r)) <= cols) }
    }

    @Test(arguments: sizes) func enterShowsTheDiffMarkedAndColoured(rows: Int, cols: Int) throws {
        let store = try changedStore()
        let app = try app(store)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.handle(.enter)
        app.render(on: canvas)
        #expect(canvas.line(1).contains("Revision 2: diff against the one before"))
        let removed = try #require(canvas.row(containing: "127.0.0.1:7001"), "\(canvas.screen)")
        #expect(canvas.style(removed, 0) == .bad)
        let added = try #require(canvas.row(containing: "127.0.0.1:7002"), "\(canvas.screen)")
        #expect(canvas.line(added).hasPrefix("+") && canvas.style(added, 0) == .good)
        // NO_COLOR: every changed line still says what it is by its first character.
        for r in 3..<(rows - 2) where canvas.style(r, 0) == .good || canvas.style(r, 0) == .bad {
            #expect(canvas.line(r).hasPrefix("+") || canvas.line(r).hasPrefix("-"))
        }
        #expect(canvas.row(containing: "+++ revision 2") != nil)
        app.handle(.escape)
        app.render(on: canvas)
        #expect(canvas.row(containing: "revisions kept") != nil)
    }

    @Test(arguments: sizes) func rollbackAsksNamingTheRevision(rows: Int, cols: Int) throws {
        let store = try changedStore()
        let app = try app(store)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        app.handle(.down)
        app.handle(.char("r"))
        app.render(on: canvas)
        #expect(canvas.line(rows - 2).contains("Roll back to revision 1?"))
        app.handle(.char("y"))
        app.data.config = store.snapshot
        app.render(on: canvas)
        #expect(canvas.line(rows - 2).contains("rolled back to revision 1: now revision 3"))
        #expect(store.snapshot.config.upstream("echo")?.nodes.map(\.address) == ["127.0.0.1:7000", "127.0.0.1:7001"])
        let newest = try #require(canvas.row(containing: "rollback"), "\(canvas.screen)")
        #expect(canvas.line(newest).contains("3*") && canvas.line(newest).contains("back to 1"))
    }

    @Test func rollbackIsNotOfferedForTheRevisionInForce() throws {
        let store = try changedStore()
        let app = try app(store)
        app.handle(.char("r"))
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        #expect(canvas.line(22).contains("revision 2 is the one in force"))
        #expect(store.snapshot.revision == 2)
    }

    @Test func everyTabStaysOnTheBarAt80Columns() throws {
        let store = try Fixtures.store()
        let tabs: [any Screen] = [DashboardScreen(), ConnectionsScreen(kill: { _ in true })]
            + [ResourceKind.streamRoutes, .services, .upstreams, .ssls].map { ObjectListScreen(kind: $0, store: store) }
            + [LogScreen(accessLogTail: { [] }), HistoryScreen(store: store),
               ObjectListScreen(kind: .pluginMetadata, store: store)]
        // As ConsoleRunner's bar: nine tabs. At 80 columns the current one keeps its whole name, the others three
        // letters.
        for (cols, label) in [(80, " 1 Dashboard  2 Con "), (80, " 8 His  9 Met"), (160, " 8 History  9 Metadata")] {
            let canvas = MemoryCanvas(rows: 24, cols: cols)
            ConsoleApp(tabs: tabs, data: try Fixtures.data()).render(on: canvas)
            #expect(canvas.line(0).contains(label), "\(canvas.line(0))")
            #expect(canvas.line(0).contains(" 7 LOG "), "\(canvas.line(0))")
        }
    }
}
