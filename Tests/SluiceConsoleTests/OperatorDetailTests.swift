import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole
@testable import SluiceEngine

/// Issue 13 item 7: kill by filter and from the inspector, `show sess` facts, top talkers, a route's sparklines,
/// certificate facts, YAML view and edit, the drain on quit, long warnings shown whole.
struct OperatorDetailTests {
    static let sizes = [(24, 80), (48, 160)]

    /// The fixture with the facts the inspector shows on connection 11 (12 has no bytes yet and no local address).
    func data() throws -> ConsoleData {
        var data = try Fixtures.data()
        data.engine.connections[0].upstreamLocal = "127.0.0.1:41234"
        data.engine.connections[0].nodesTried = ["127.0.0.1:7002", "127.0.0.1:7000"]
        data.engine.connections[0].connectSeconds = 0.00042
        data.engine.connections[0].lastActivity = data.engine.takenAt.addingTimeInterval(-7)
        return data
    }

    @Test func killAllMatchingTheFilterSaysHowManyFirst() throws {
        var killed: [UInt64] = []
        let app = ConsoleApp(tabs: [ConnectionsScreen(kill: { killed.append($0); return true })], data: try data())
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        app.handle(.char("K"))
        app.render(on: canvas)
        #expect(canvas.line(22).contains("Kill all 2 connections? [y/N]"), "\(canvas.screen)")
        app.handle(.char("n"))
        #expect(killed.isEmpty)
        app.handle(.char("/"))
        for c in "127.0.0.2" { app.handle(.char(c)) }
        app.handle(.enter)
        app.handle(.char("K"))
        app.render(on: canvas)
        #expect(canvas.line(22).contains("Kill all 1 connection matching /127.0.0.2/?"), "\(canvas.screen)")
        app.handle(.char("y"))
        #expect(killed == [12])
        app.render(on: canvas)
        #expect(canvas.line(22).contains("killed 1 connection matching /127.0.0.2/"))
    }

    @Test(arguments: sizes) func inspectorShowsShowSessFactsAndKills(rows: Int, cols: Int) throws {
        var killed: [UInt64] = []
        var asked: [UInt64] = []
        let screen = ConnectionsScreen(kill: { killed.append($0); return true }, readFacts: { asked.append($0) })
        let app = ConsoleApp(tabs: [screen], data: try data())
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        app.handle(.enter)
        app.render(on: canvas)
        #expect(canvas.line(1).hasPrefix("Connection 11"), "\(canvas.screen)")
        let fact = { (label: String) -> String in
            (0..<rows).map(canvas.line).first { $0.hasPrefix("  " + label) } ?? ""
        }
        #expect(fact("client").contains("127.0.0.1:50001"))
        #expect(fact("listener").contains("tcp 127.0.0.1:9100"))
        #expect(fact("route").contains("1 echo"))
        #expect(fact("upstream local address").contains("127.0.0.1:41234"))
        #expect(fact("nodes tried").contains("127.0.0.1:7002 ✗, 127.0.0.1:7000"), "\(canvas.screen)")
        #expect(fact("connect time").contains("0.42 ms"))
        #expect(fact("state").contains("proxying"))
        #expect(fact("idle").contains("7s"))
        #expect(fact("bytes in").contains("1,000 B") && fact("bytes out").contains("1,800 B"))
        #expect(fact("rate in / out").contains("500 B/s / 900 B/s"), "\(canvas.screen)")
        for r in 0..<rows { #expect(CellWidth.of(canvas.line(r)) <= cols) }
        #expect(asked == [11], "Enter asks once for the facts read on demand")
        app.handle(.char("k"))
        app.render(on: canvas)
        #expect(canvas.line(rows - 2).contains("Kill connection 11 from 127.0.0.1:50001"))
        app.handle(.char("y"))
        #expect(killed == [11])
    }

    @Test func inspectorAsksForTheLocalAddressWhileItIsUnknown() throws {
        var asked: [UInt64] = []
        let inspector = ConnectionInspector(id: 12, kill: { _ in true }, readFacts: { asked.append($0) })
        let data = try data()
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        inspector.draw(on: canvas, top: 2, height: 20, data: data)
        inspector.draw(on: canvas, top: 2, height: 20, data: data)
        #expect(asked == [12], "asked once, not at every frame")
        #expect(canvas.line(try #require(canvas.row(containing: "upstream local address"))).contains("reading…"))
        #expect(canvas.line(try #require(canvas.row(containing: "idle"))).contains("nothing moved yet"))
    }

    @Test(arguments: sizes) func groupingByClientAndByRoute(rows: Int, cols: Int) throws {
        var data = try data()
        data.engine.connections.append(ConnectionInfo(
            id: 13, client: "127.0.0.2:50003", listener: "tcp 127.0.0.1:9100", routeID: "2", upstreamKey: "stream_routes/2",
            node: "127.0.0.1:6379", state: .proxying, startedAt: data.engine.takenAt, bytesIn: 5, bytesOut: 5))
        let screen = ConnectionsScreen(kill: { _ in true })
        let app = ConsoleApp(tabs: [screen], data: data)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.handle(.char("g"))
        app.render(on: canvas)
        #expect(canvas.line(1).contains("Connections by client"), "\(canvas.screen)")
        let header = try #require(canvas.row(containing: "CONNS"))
        // The busiest client first: 127.0.0.1 moves 500 + 900 B/s, 127.0.0.2 nothing.
        #expect(canvas.line(header + 1).contains("127.0.0.1") && canvas.line(header + 1).contains(" 1 "), "\(canvas.screen)")
        #expect(canvas.line(header + 2).contains("127.0.0.2") && canvas.line(header + 2).contains(" 2 "))
        app.handle(.char("g"))
        app.render(on: canvas)
        #expect(canvas.line(1).contains("by route"))
        #expect(canvas.line(header + 1).contains("1 echo") && canvas.line(header + 1).contains(" 2 "), "\(canvas.screen)")
        app.handle(.down)
        app.handle(.enter)
        app.render(on: canvas)
        #expect(screen.filter == "route:2" && screen.grouping == .off, "Enter lists the group's connections")
        #expect(screen.visible(data).map(\.id) == [13])
        for r in 0..<rows { #expect(CellWidth.of(canvas.line(r)) <= cols) }
    }

    @Test func sparklineScalesAndResamples() {
        #expect(Sparkline.render([0, 1, 2, 4], width: 4) == "▁▃▅█")
        #expect(Sparkline.render([4, 4], width: 4) == "  ██", "fewer samples fill the right end")
        #expect(Sparkline.render(Array(repeating: 0, count: 120), width: 60) == String(repeating: "▁", count: 60))
        #expect(Sparkline.render((0..<120).map { $0 < 60 ? 0 : 8 }, width: 60).hasSuffix("██"))
        #expect(Sparkline.render((0..<120).map { $0 < 60 ? 0 : 8 }, width: 60).hasPrefix("▁▁"))
    }

    @Test(arguments: sizes) func routeDetailDrawsSixtySecondSparklines(rows: Int, cols: Int) throws {
        var rates = RateTracker()
        var engine = Fixtures.engine(at: Date(timeIntervalSince1970: 1_000_000))
        for tick in 0...130 {
            engine.takenAt = Date(timeIntervalSince1970: 1_000_000 + Double(tick) * RateTracker.tick)
            engine.routes[0].traffic.bytesIn += UInt64(tick < 100 ? 0 : 1024)
            engine.routes[0].traffic.bytesOut += 4096
            rates.update(engine)
        }
        #expect(rates.history[RateTracker.routeKey("1")]?.count == 120, "60 s at the tick")
        var data = try Fixtures.data()
        data.engine = engine
        data.rates = rates
        let list = ObjectListScreen(kind: .streamRoutes, store: try Fixtures.store())
        let app = ConsoleApp(tabs: [list], data: data)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        app.handle(.char("i"))
        app.render(on: canvas)
        #expect(canvas.line(1).hasPrefix("Route 1"), "\(canvas.screen)")
        #expect(canvas.row(containing: "last 60 s") != nil)
        let inRow = try #require(canvas.row(containing: "in (from clients): 2.0 KiB/s · peak 2.0 KiB/s"), "\(canvas.screen)")
        #expect(canvas.line(inRow + 1).contains("▁▁") && canvas.line(inRow + 1).hasSuffix("█"), "\(canvas.screen)")
        let outRow = try #require(canvas.row(containing: "out (to clients): 8.0 KiB/s"), "\(canvas.screen)")
        #expect(canvas.line(outRow + 1).contains(String(repeating: "█", count: 20)))
        #expect(canvas.row(containing: "127.0.0.1:7000: 2") != nil, "open connections by node: \(canvas.screen)")
        for r in 0..<rows { #expect(CellWidth.of(canvas.line(r)) <= cols) }
    }

    @Test func yamlViewHidesAnSSLKey() throws {
        let store = try Fixtures.store()
        let app = ConsoleApp(tabs: [ObjectListScreen(kind: .streamRoutes, store: store)], data: try data())
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.render(on: canvas)
        app.handle(.char("y"))
        app.render(on: canvas)
        #expect(canvas.line(1).contains("route 1 (YAML)"), "\(canvas.screen)")
        #expect(canvas.row(containing: "server_port: 9100") != nil && canvas.row(containing: "upstream_id: echo") != nil)
        let ssl = TextViewScreen.yaml(title: "ssl", try ConfigValue.parseYAML("id: a\nkey: SECRET\ncert: C\n", file: "t"),
                                      secrets: ["key"])
        #expect(ssl.lines.contains("key: (secret, not shown)") && !ssl.lines.joined().contains("SECRET"))
    }

    /// Types `text` at the end of line `line` (1-based) of the editor, after erasing `erase` characters there.
    func type(_ text: String, atEndOf line: Int, erasing erase: Int = 0, in editor: YAMLEditScreen, data: ConsoleData) {
        while editor.row + 1 < line { _ = editor.handle(.down, data: data).settled }
        while editor.row + 1 > line { _ = editor.handle(.up, data: data).settled }
        _ = editor.handle(.end, data: data).settled
        for _ in 0..<erase { _ = editor.handle(.backspace, data: data).settled }
        for c in text { _ = editor.handle(c == "\n" ? .enter : .char(c), data: data).settled }
    }

    func nameLine(_ editor: YAMLEditScreen) throws -> Int {
        try #require(editor.lines.firstIndex { $0.hasPrefix("name:") }) + 1
    }

    @Test(arguments: sizes) func yamlEditSavesThroughTheStoreAndShowsErrorsWithLines(rows: Int, cols: Int) throws {
        let store = try Fixtures.store()
        let data = try data()
        let doc = try #require(store.snapshot.config.documents(.streamRoutes).first { $0.id == "1" })
        let editor = YAMLEditScreen(kind: .streamRoutes, id: "1", document: doc.raw, store: store, now: { 1_700_000_000 })
        let portLine = try #require(editor.lines.firstIndex { $0.hasPrefix("server_port:") }) + 1
        type("9", atEndOf: portLine, in: editor, data: data)  // 91009: out of range
        _ = editor.handle(.function(2), data: data).settled
        #expect(editor.errors.first?.line == portLine, "\(editor.errors)")
        #expect(editor.errors.first?.message.hasPrefix("server_port: must be") == true, "\(editor.errors)")
        let app = ConsoleApp(tabs: [editor], data: data)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        #expect(canvas.row(containing: "line \(portLine): server_port: must be") != nil, "\(canvas.screen)")
        let marked = try #require(canvas.row(containing: "server_port: 91009"))
        #expect(canvas.line(marked).hasPrefix("✗"), "the line is marked in the gutter: \(canvas.screen)")
        #expect(store.snapshot.config.streamRoutes.first { $0.id == "1" }?.serverPort == 9100, "nothing saved")
        // A YAML syntax error names its line too.
        _ = editor.handle(.backspace, data: data).settled
        type(" [", atEndOf: 1, in: editor, data: data)
        _ = editor.handle(.function(2), data: data).settled
        #expect(editor.errors.count == 1 && editor.errors[0].message.contains("invalid YAML"), "\(editor.errors)")
        #expect(editor.errors[0].line != nil)
        _ = editor.handle(.backspace, data: data).settled
        _ = editor.handle(.backspace, data: data).settled
        // A valid edit is stored, stamped, as one revision.
        let revision = store.snapshot.revision
        type("edited", atEndOf: try nameLine(editor), erasing: "echo".count, in: editor, data: data)
        guard case .sequence(let actions) = editor.handle(.function(2), data: data).settled,
              case .flash(let text, false)? = actions.first else {
            Issue.record("expected a save: \(editor.errors)")
            return
        }
        #expect(text.contains("saved stream route 1"), "\(text)")
        #expect(store.snapshot.config.streamRoutes.first { $0.id == "1" }?.name == "edited")
        #expect(store.snapshot.revision == revision + 1)
        #expect(store.snapshot.config.documents(.streamRoutes).first { $0.id == "1" }?.raw["update_time"]?.formText == "1700000000")
    }

    @Test func yamlEditRefusesWhenTheObjectChangedElsewhere() throws {
        let store = try Fixtures.store()
        let data = try data()
        let doc = try #require(store.snapshot.config.documents(.streamRoutes).first { $0.id == "1" })
        let editor = YAMLEditScreen(kind: .streamRoutes, id: "1", document: doc.raw, store: store)
        _ = try store.writeObject(.streamRoutes, source: .adminAPI, now: 1) { _ in
            ("1", try ConfigValue.parseJSON(Array(#"{"server_port":9100,"upstream_id":"echo","name":"theirs"}"#.utf8)))
        }
        type("mine", atEndOf: try nameLine(editor), erasing: "echo".count, in: editor, data: data)
        _ = editor.handle(.function(2), data: data).settled
        #expect(editor.errors.first?.message.contains("changed elsewhere") == true, "\(editor.errors)")
        #expect(store.snapshot.config.streamRoutes.first { $0.id == "1" }?.name == "theirs", "theirs kept")
    }

    @Test func drainProgressSaysWhatIsLeft() throws {
        let app = ConsoleApp(tabs: [DashboardScreen()], data: try data())
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        app.renderDrain(on: canvas, open: 2, secondsLeft: 27)
        #expect(canvas.row(containing: "2 connections left · 27 s left") != nil, "\(canvas.screen)")
        app.renderDrain(on: canvas, open: 1, secondsLeft: 3)
        #expect(canvas.row(containing: "1 connection left · 3 s left") != nil)
    }

    @Test func aLongWarningIsShownWholeUnderTheForm() throws {
        let store = try Fixtures.store()
        _ = try store.writeObject(.streamRoutes, source: .adminAPI, now: 1) { _ in
            ("9", try ConfigValue.parseJSON(Array(#"{"server_port":9100,"upstream_id":"echo"}"#.utf8)))
        }
        var data = try data()
        data.config = store.snapshot
        let doc = try #require(store.snapshot.config.documents(.streamRoutes).first { $0.id == "9" })
        let form = FormScreen(spec: RouteFormSpec(), store: store, existing: doc)
        let priority = try #require(form.fields.firstIndex { $0.key == "priority" })
        while form.focus < priority { _ = form.handle(.down, data: data).settled }
        let canvas = MemoryCanvas(rows: 24, cols: 80)
        ConsoleApp(tabs: [form], data: data).render(on: canvas)
        let warning = try #require(ConfigWarnings.of(.streamRoutes, "9", in: store.snapshot.config,
                                                     listeners: data.engine.listeners.map(\.spec)).first?.message)
        let save = try #require(canvas.row(containing: "[ Save ]"), "\(canvas.screen)")
        let below = (save + 1..<22).map { canvas.line($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(below.joined(separator: " ") == "⚠ " + warning, "\(canvas.screen)")
        #expect(canvas.row(containing: "priority") ?? 99 < save, "the focused field stays on screen")
    }
}

/// Certificate facts from a real certificate (openssl), and the SSL list's expiry warning.
struct CertificateFactsTests {
    /// A self-signed certificate valid for `days`, and its key, as PEM.
    func certificate(days: Int) throws -> (cert: String, key: String) {
        let dir = NSTemporaryDirectory() + "sluice-cert-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                       "-keyout", dir + "/k.pem", "-out", dir + "/c.pem", "-days", String(days),
                       "-subj", "/CN=soon.example/O=Sluice Tests",
                       "-addext", "subjectAltName=DNS:soon.example,DNS:*.soon.example,IP:127.0.0.1"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return (try String(contentsOfFile: dir + "/c.pem", encoding: .utf8),
                try String(contentsOfFile: dir + "/k.pem", encoding: .utf8))
    }

    @Test func subjectSANsAndExpiry() throws {
        let facts = try #require(CertificateFacts(pem: try certificate(days: 10).cert))
        #expect(facts.subject == "CN=soon.example, O=Sluice Tests")
        #expect(facts.alternativeNames == ["soon.example", "*.soon.example", "127.0.0.1"])
        #expect(facts.daysLeft(at: Date()) == 9 || facts.daysLeft(at: Date()) == 10)
        #expect(CertificateFacts(pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n") == nil)
    }

    func escaped(_ pem: String) -> String { pem.replacingOccurrences(of: "\n", with: "\\n") }

    @Test(arguments: OperatorDetailTests.sizes) func sslListWarnsUnderThirtyDays(rows: Int, cols: Int) throws {
        let soon = try certificate(days: 10)
        let later = try certificate(days: 400)
        let yaml = Fixtures.gatewayYAML + """

        ssls:
          - {id: soon, snis: [soon.example], cert: "\(escaped(soon.cert))", key: "\(escaped(soon.key))"}
          - {id: later, snis: [later.example], cert: "\(escaped(later.cert))", key: "\(escaped(later.key))"}
        """
        var data = try Fixtures.data()
        data.engine.takenAt = Date()
        data.config = ConfigSnapshot(revision: 7, config: try GatewayConfig.decode(
            try ConfigValue.parseYAML(yaml, file: "gateway.yaml"), file: "gateway.yaml"), objectRevisions: [:])
        let app = ConsoleApp(tabs: [ObjectListScreen(kind: .ssls, store: try Fixtures.store())], data: data)
        let canvas = MemoryCanvas(rows: rows, cols: cols)
        app.render(on: canvas)
        let soonRow = canvas.line(try #require(canvas.row(containing: "soon.example"), "\(canvas.screen)"))
        #expect(soonRow.contains("⚠ in 9 days") || soonRow.contains("⚠ in 10 days"), "\(canvas.screen)")
        let laterRow = canvas.line(try #require(canvas.row(containing: "later.example")))
        #expect(laterRow.contains("in 399 days") || laterRow.contains("in 400 days"))
        #expect(!laterRow.contains("⚠"))
        if cols >= 160 { #expect(soonRow.contains("CN=soon.example"), "\(canvas.screen)") }
        for r in 0..<rows { #expect(CellWidth.of(canvas.line(r)) <= cols) }
    }
}
