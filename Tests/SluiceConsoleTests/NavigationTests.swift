import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// k9s/htop habits: Esc back along the screens visited, Esc on a modified form asks, F1 help everywhere, `?` typed
/// in text fields, the focused field always on screen.
struct NavigationTests {
    func app(_ store: Store) throws -> ConsoleApp {
        ConsoleApp(tabs: [DashboardScreen(), ConnectionsScreen(kill: { _ in true }),
                          ObjectListScreen(kind: .streamRoutes, store: store), ObjectListScreen(kind: .upstreams, store: store)],
                   data: try Fixtures.data())
    }

    @Test func escapeGoesBackAlongTheScreensVisited() throws {
        let app = try app(try Fixtures.store())
        app.handle(.char("3"))
        for key in [Key.char(":"), .char("c"), .char("o"), .char("n"), .enter] { app.handle(key) }
        #expect(app.screen.name == "connections")
        app.handle(.escape)
        #expect(app.screen.name == "routes")
        app.handle(.escape)
        #expect(app.screen.name == "dashboard")
        app.handle(.escape)
        #expect(app.screen.name == "dashboard")
    }

    @Test(arguments: [(24, 80), (48, 160)]) func escapeOnAModifiedFormAsks(rows: Int, cols: Int) throws {
        let app = try app(try Fixtures.store())
        app.handle(.char("4"))
        app.render(on: MemoryCanvas(rows: 24, cols: 80))
        app.handle(.enter)
        #expect(app.screen is FormScreen)
        app.handle(.escape)
        #expect(app.screen.name == "upstreams", "unmodified: Esc leaves at once")
        app.handle(.enter)
        for c in "x" { app.handle(.char(c)) }
        app.handle(.escape)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        #expect(canvas.line(rows - 2).contains("Discard your changes to upstream echo? [y/N]"))
        app.handle(.char("n"))
        #expect(app.screen is FormScreen)
        app.handle(.escape)
        app.handle(.char("y"))
        #expect(app.screen.name == "upstreams")
    }

    @Test func f1HelpsWhileTypingAndQuestionMarkIsText() throws {
        let app = try app(try Fixtures.store())
        app.handle(.char("4"))
        app.render(on: MemoryCanvas(rows: 24, cols: 80))
        app.handle(.enter)
        let form = try #require(app.screen as? FormScreen)
        app.handle(.char("?"))
        #expect(form.fields[form.focus].value.hasSuffix("?") && app.screen is FormScreen)
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        #expect(canvas.line(23).contains("F1 help") && !canvas.line(23).contains("? help") && !canvas.line(23).contains(": jump"),
                "\(canvas.line(23))")
        app.handle(.function(1))
        #expect(app.screen is HelpScreen)
        app.handle(.escape)
        app.handle(.escape)
        app.handle(.char("y"))
        app.handle(.function(1))
        #expect(app.screen is HelpScreen, "F1 on a list screen too")
    }

    @Test func theFocusedFieldIsAlwaysOnScreenAt80x24() throws {
        let app = try app(try Fixtures.store())
        app.handle(.char("3"))
        app.handle(.char("n"))
        let form = try #require(app.screen as? FormScreen)
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        for _ in 0...form.fields.count {
            app.render(on: canvas)
            let label = form.focus < form.fields.count ? form.fields[form.focus].label : "[ Save ]"
            let row = try #require((2..<22).first { canvas.line($0).contains(label) && canvas.style($0, 1) == .key }
                                   ?? (form.focus == form.fields.count ? canvas.row(containing: "[ Save ]") : nil),
                                   "focus \(form.focus) (\(label)) off screen:\n\(canvas.screen)")
            #expect(row < 22)
            app.handle(.down)
        }
    }
}
