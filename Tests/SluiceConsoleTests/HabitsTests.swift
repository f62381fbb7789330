import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// k9s/htop habits: readline keys, keys ignored while too small, sort markers and reverse sort, the inline
/// upstream hidden behind a named one, node priorities, the columns that stay at 80, upstreams named by route.
struct HabitsTests {
    func app(_ store: Store) throws -> ConsoleApp {
        ConsoleApp(tabs: [DashboardScreen(), ConnectionsScreen(kill: { _ in true }),
                          ObjectListScreen(kind: .streamRoutes, store: store)], data: try Fixtures.data())
    }

    @Test func readlineKeysInTextFields() {
        var f = FormField("name", "name", value: "tcp echo route")
        _ = f.edit(.control("w"))
        #expect(f.value == "tcp echo ")
        _ = f.edit(.control("w"))
        #expect(f.value == "tcp ")
        _ = f.edit(.control("a"))
        _ = f.edit(.char(">"))
        #expect(f.value == ">tcp " && f.cursor == 1)
        _ = f.edit(.control("k"))
        #expect(f.value == ">")
        _ = f.edit(.control("a"))
        _ = f.edit(.control("e"))
        _ = f.edit(.char("x"))
        #expect(f.value == ">x")
        _ = f.edit(.control("u"))
        #expect(f.value.isEmpty && f.cursor == 0)

        var filter = "10.0.0 route"
        #expect(LineEditing.apply(.control("w"), toEnd: &filter) && filter == "10.0.0 ")
        #expect(LineEditing.apply(.control("u"), toEnd: &filter) && filter.isEmpty)
    }

    @Test func keysAreIgnoredWhileTheWindowIsTooSmall() throws {
        let app = try app(try Fixtures.store())
        let small = MemoryCanvas(rows: 20, cols: 60)
        app.render(on: small)
        #expect(small.row(containing: "keys are ignored") != nil, "\(small.screen)")
        app.handle(.char("2"))
        app.handle(.char("q"))
        app.handle(.resize)
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        #expect(app.screen.name == "dashboard" && canvas.row(containing: "Quit?") == nil, "\(canvas.screen)")
        app.handle(.char("2"))
        #expect(app.screen.name == "connections")
    }

    @Test(arguments: [(24, 80), (48, 160)]) func sortMarkersAndReverseSort(rows: Int, cols: Int) throws {
        let screen = ConnectionsScreen(kill: { _ in true })
        let data = try Fixtures.data()
        let app = ConsoleApp(tabs: [screen], data: data)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        #expect(canvas.line(try #require(canvas.row(containing: "CLIENT"))).contains(" ID▲ CLIENT"), "\(canvas.screen)")
        for _ in 0..<4 { app.handle(.char("s")) }
        app.render(on: canvas)
        let header = canvas.line(try #require(canvas.row(containing: "CLIENT")))
        #expect(header.contains("AGE▼") && !header.contains("ID▲"), "\(canvas.screen)")
        #expect(canvas.row(containing: "sorted by age ▼") != nil)
        #expect(screen.visible(data).map(\.id) == [11, 12], "oldest first")
        app.handle(.char("S"))
        app.render(on: canvas)
        #expect(canvas.line(try #require(canvas.row(containing: "CLIENT"))).contains("AGE▲"), "\(canvas.screen)")
        #expect(screen.visible(data).map(\.id) == [12, 11], "newest first")
        app.handle(.char("s"))
        #expect(screen.sortMarker == "▼" && screen.visible(data).map(\.id) == [11, 12], "a new column starts in its usual order")
    }

    @Test func theInlineUpstreamIsHiddenWhileANamedOneIsChosen() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let doc = try #require(store.snapshot.config.documents(.streamRoutes).first { $0.id == "1" })
        let form = FormScreen(spec: RouteFormSpec(), store: store, existing: doc)
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        ConsoleApp(tabs: [form], data: data).render(on: canvas)
        #expect(canvas.row(containing: "balancer") == nil && canvas.row(containing: "+ plugin") != nil, "\(canvas.screen)")
        while form.fields[form.focus].key != "upstream_id" { _ = form.handle(.down, data: data).settled }
        _ = form.handle(.down, data: data).settled
        #expect(form.fields[form.focus].key == PluginFields.addKey, "the focus skips the hidden fields")
        _ = form.handle(.up, data: data).settled
        _ = form.handle(.left, data: data).settled
        #expect(form.fields[form.focus].value == RouteFormSpec.inline)
        ConsoleApp(tabs: [form], data: data).render(on: canvas)
        #expect(canvas.row(containing: "balancer") != nil, "\(canvas.screen)")
    }

    @Test func nodePriorityAndMaxConnsAreEditable() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let doc = try #require(store.snapshot.config.documents(.upstreams).first)
        let form = FormScreen(spec: UpstreamFormSpec(), store: store, existing: doc)
        while form.fields[form.focus].key != "nodes#2" { _ = form.handle(.down, data: data).settled }
        for c in "127.0.0.1:7002=3 priority=-1 max_conns=50" { _ = form.handle(.char(c), data: data).settled }
        guard case .sequence = form.handle(.function(2), data: data).settled else {
            Issue.record("not saved: \(form.fields.compactMap(\.error))")
            return
        }
        let up = try #require(store.snapshot.config.upstream("echo"))
        #expect(up.nodes.map(\.priority) == [0, 0, -1] && up.nodes.last?.weight == 3)
        #expect(up.nodes.map(\.maxConns) == [0, 0, 50])
        #expect(FormValues.nodesText(up.raw["nodes"])
            == "127.0.0.1:7000=2, 127.0.0.1:7001=0, 127.0.0.1:7002=3 priority=-1 max_conns=50")
        var bad = FormField("nodes", "nodes", value: "127.0.0.1:1=1 prio=2")
        #expect(FormValues.nodes(&bad, original: nil) == nil)
        #expect(bad.error == "after 127.0.0.1:1=1 only priority=N or max_conns=N (whole numbers) may follow, "
            + "got \"prio=2\"")
    }

    @Test func stateAndRefusedStayAt80ColumnsAndInlineUpstreamsAreNamedByRoute() throws {
        let app = try app(try Fixtures.store())
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        #expect(canvas.line(try #require(canvas.row(containing: "ADDRESS"))).contains("REFUSED"), "\(canvas.screen)")
        #expect(canvas.line(try #require(canvas.row(containing: "2 数"), "\(canvas.screen)")).contains("route 2"),
                "\(canvas.screen)")
        #expect(!canvas.screen.contains("stream_routes/") && !canvas.screen.contains("upstreams/"), "\(canvas.screen)")
        app.handle(.char("2"))
        app.render(on: canvas)
        #expect(canvas.line(try #require(canvas.row(containing: "CLIENT"))).contains("STATE"), "\(canvas.screen)")
        #expect(Format.upstream("services/s1") == "service s1" && Format.upstream("upstreams/echo") == "echo")
    }
}
