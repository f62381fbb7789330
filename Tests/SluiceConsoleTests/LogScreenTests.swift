import Foundation
import Logging
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// The Log screen: scrolling and follow, filter, level, one entry whole, the unseen-errors badge; and the banner
/// every screen shows while the data file is invalid.
struct LogScreenTests {
    static let sizes = [(24, 80), (48, 160)]

    func data(events: Int) throws -> ConsoleData {
        var data = try Fixtures.data()
        data.log = (1...events).map { i in
            let level: Logger.Level = i % 10 == 0 ? .error : i % 5 == 0 ? .warning : .info
            return LogEntry(sequence: UInt64(i), level: level, line: "09:00:\(i) \(level) event number \(i)")
        }
        return data
    }

    func app(_ log: LogScreen, _ data: ConsoleData) throws -> ConsoleApp {
        ConsoleApp(tabs: [DashboardScreen(), log], data: data)
    }

    @Test(arguments: sizes) func followsTheNewestThenScrolls(rows: Int, cols: Int) throws {
        let log = LogScreen(accessLogTail: { [] })
        let app = try app(log, try data(events: 120))
        app.handle(.char("2"))
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        let newest = try #require(canvas.row(containing: "event number 120"), "\(canvas.screen)")
        #expect(canvas.style(newest, 0) == .selected)
        #expect(canvas.line(2).contains("following"))
        app.handle(.pageUp)
        app.handle(.up)
        app.render(on: canvas)
        #expect(canvas.row(containing: "event number 120") == nil, "scrolled back: \(canvas.screen)")
        #expect(!canvas.line(2).contains("following"))
        app.handle(.home)
        app.render(on: canvas)
        #expect(canvas.row(containing: "event number 1 ") != nil || canvas.line(3).hasSuffix("event number 1"))
        app.handle(.end)
        app.render(on: canvas)
        #expect(canvas.row(containing: "event number 120") != nil && canvas.line(2).contains("following"))
        let error = try #require(canvas.row(containing: "event number 110"))
        #expect(canvas.style(error, 0) == .bad)
    }

    @Test(arguments: sizes) func filterAndLevel(rows: Int, cols: Int) throws {
        let log = LogScreen(accessLogTail: { [] })
        let app = try app(log, try data(events: 60))
        app.handle(.char("2"))
        app.handle(.char("l"))
        app.handle(.char("l"))
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        #expect(canvas.line(2).contains("errors only · 6 shown"), "\(canvas.line(2))")
        #expect(canvas.row(containing: "event number 55") == nil)
        app.handle(.char("/"))
        for c in "number 5" { app.handle(.char(c)) }
        app.handle(.enter)
        app.render(on: canvas)
        #expect(canvas.line(2).contains("1 shown · </number 5>"), "\(canvas.line(2))")
        #expect(canvas.row(containing: "event number 50") != nil)
        app.handle(.escape)
        app.render(on: canvas)
        #expect(canvas.line(2).contains("6 shown"))
    }

    @Test(arguments: sizes) func enterShowsTheWholeEntryWrapped(rows: Int, cols: Int) throws {
        var data = try Fixtures.data()
        let long = "09:10:00 error Data file edited by hand has errors; running configuration kept, file left as written "
            + "data_file=/etc/sluice/gateway.yaml error=gateway.yaml:3: stream_routes[0].server_port: must be 1…65535, got 70000"
        data.log = [LogEntry(sequence: 1, level: .error, line: long)]
        let log = LogScreen(accessLogTail: { [] })
        let app = try app(log, data)
        app.handle(.char("2"))
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        app.handle(.enter)
        app.render(on: canvas)
        #expect(canvas.line(1).hasPrefix("Log entry"))
        let shown = (3..<(rows - 2)).map(canvas.line).joined(separator: " ").replacingOccurrences(of: "1… 65535", with: "1…65535")
        #expect(shown.contains("gateway.yaml:3: stream_routes[0].server_port: must be 1…65535, got 70000"), "\(canvas.screen)")
        #expect(canvas.row(containing: "data_file=/etc/sluice/gateway.yaml") != nil, "cut at spaces, not clipped")
    }

    @Test func accessLogIsTheOtherList() throws {
        let log = LogScreen(accessLogTail: { ["127.0.0.1 200 client_closed", "127.0.0.2 502 connect_failed"] })
        let app = try app(log, try data(events: 3))
        app.handle(.char("2"))
        app.handle(.char("a"))
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        #expect(canvas.line(2).contains("Access log") && canvas.row(containing: "127.0.0.2 502") != nil)
        #expect(canvas.row(containing: "event number") == nil)
    }

    @Test(arguments: sizes) func unseenErrorsBadgeTheTab(rows: Int, cols: Int) throws {
        let log = LogScreen(accessLogTail: { [] })
        let app = try app(log, try data(events: 5))
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        #expect(!canvas.line(0).contains("●"))
        app.data.log.append(LogEntry(sequence: 6, level: .error, line: "09:01:00 error bad"))
        app.data.log.append(LogEntry(sequence: 7, level: .critical, line: "09:01:01 critical worse"))
        app.render(on: canvas)
        #expect(canvas.line(0).contains("LOG ●2"), "\(canvas.line(0))")
        let col = try #require(canvas.line(0).range(of: "LOG ●2").map { canvas.line(0).distance(from: canvas.line(0).startIndex, to: $0.lowerBound) })
        #expect(canvas.style(0, col) == .bad)
        app.handle(.char("2"))
        app.render(on: canvas)
        app.handle(.char("1"))
        app.render(on: canvas)
        #expect(!canvas.line(0).contains("●"), "seen once shown")
    }

    @Test(arguments: sizes) func bannerWhileTheDataFileIsInvalid(rows: Int, cols: Int) throws {
        var data = try Fixtures.data()
        data.dataFileErrors = ConfigErrors([
            ConfigError(file: "gateway.yaml", line: 3, path: "stream_routes[0].server_port", message: "must be 1…65535, got 70000"),
            ConfigError(file: "gateway.yaml", line: 9, path: "upstreams[0].nodes", message: "is required"),
        ])
        let store = try Fixtures.store()
        for screen in [DashboardScreen(), ObjectListScreen(kind: .streamRoutes, store: store), HistoryScreen(store: store)] as [any Screen] {
            let canvas = MemoryCanvas(rows: rows, cols: cols)
            ConsoleApp(tabs: [screen], data: data).render(on: canvas)
            #expect(canvas.line(2).hasPrefix("⚠ running configuration kept — gateway.yaml:3: stream_routes[0].server_port"),
                    "\(canvas.screen)")
            #expect(canvas.style(2, 0) == .bad)
            if cols >= 160 { #expect(canvas.line(2).contains("(+1 more)")) }
        }
    }
}
