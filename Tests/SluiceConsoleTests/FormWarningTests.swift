import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// What cannot work is shown beside the field in the form, and named when saving.
struct FormWarningTests {
    static let sizes = [(24, 80), (48, 160)]

    @Test(arguments: sizes) func warningsBesideTheirField(rows: Int, cols: Int) throws {
        let store = try Fixtures.store()
        _ = try store.writeObject(.streamRoutes, source: .adminAPI, now: 1) { _ in
            ("w", try ConfigValue.parseJSON(Array(#"{"server_port":9999,"sni":"a.example.com","upstream_id":"echo"}"#.utf8)))
        }
        var data = try Fixtures.data()
        data.config = store.snapshot
        let doc = try #require(store.snapshot.config.documents(.streamRoutes).first { $0.id == "w" })
        let form = FormScreen(spec: RouteFormSpec(), store: store, existing: doc)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        ConsoleApp(tabs: [form], data: data).render(on: canvas)
        let row = try #require(canvas.row(containing: "server port"), "\(canvas.screen)")
        #expect(canvas.line(row).contains("⚠ no listener serves port 9999"), "\(canvas.screen)")
        let col = try #require(canvas.line(row).range(of: "⚠").map { CellWidth.of(String(canvas.line(row)[..<$0.lowerBound])) })
        #expect(canvas.style(row, col) == .warning)
        // a route no listener serves is not also told about its sni
        #expect(!(canvas.line(try #require(canvas.row(containing: "SNI"))).contains("⚠")))
    }

    @Test(arguments: sizes) func aShadowedRouteIsToldBesideItsPriority(rows: Int, cols: Int) throws {
        let store = try Fixtures.store()
        // Route 1 is `server_port: 9100` → echo; this one is the same, so route 1 (smaller id) always wins.
        _ = try store.writeObject(.streamRoutes, source: .adminAPI, now: 1) { _ in
            ("9", try ConfigValue.parseJSON(Array(#"{"server_port":9100,"upstream_id":"echo"}"#.utf8)))
        }
        var data = try Fixtures.data()
        data.config = store.snapshot
        let doc = try #require(store.snapshot.config.documents(.streamRoutes).first { $0.id == "9" })
        let form = FormScreen(spec: RouteFormSpec(), store: store, existing: doc)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        ConsoleApp(tabs: [form], data: data).render(on: canvas)
        let row = try #require(canvas.row(containing: "priority"), "\(canvas.screen)")
        #expect(canvas.line(row).contains(cols < 100 ? "⚠ never chosen: route 1" : "⚠ never chosen: route 1 (stream_routes[0])"),
                "\(canvas.screen)")
    }

    @Test func saveNamesTheWarning() throws {
        let store = try Fixtures.store()
        let data = try Fixtures.data()
        let form = FormScreen(spec: UpstreamFormSpec(), store: store, existing: nil)
        _ = form.handle(.down, data: data).settled
        guard case .sequence(let actions) = form.handle(.function(2), data: data).settled,
              case .flash(let text, false)? = actions.first else {
            Issue.record("expected a save")
            return
        }
        #expect(text.contains("saved upstream") && text.contains("warning: nodes: no nodes"), "\(text)")
    }
}
