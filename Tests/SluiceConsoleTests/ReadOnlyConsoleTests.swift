import Foundation
import Testing
@testable import SluiceConfig
@testable import SluiceConsole

/// A data plane's console: every edit key says why it is refused; the header shows etcd's state.
struct ReadOnlyConsoleTests {
    static let reason = "this gateway is a data_plane: its configuration comes from etcd"

    func mirror() throws -> Store {
        let store = Store(lastKnownGood: "/nonexistent/etcd-last-known-good.json", backend: nil, readOnly: Self.reason)
        store.mirror(try Fixtures.config().config, objectRevisions: [:], revision: 12)
        return store
    }

    @Test func everyEditKeySaysWhy() throws {
        let store = try mirror()
        let data = try Fixtures.data()
        let screens: [(any Screen, [Key])] = [
            (ObjectListScreen(kind: .streamRoutes, store: store), [.char("n"), .char("e"), .enter, .char("d")]),
            (ObjectListScreen(kind: .upstreams, store: store), [.char("n"), .char("e"), .char("d")]),
            (HistoryScreen(store: store), [.char("r")]),
        ]
        for (screen, keys) in screens {
            for key in keys {
                guard case .flash(let text, true) = screen.handle(key, data: data).settled else {
                    Issue.record("\(screen.name) \(key): no refusal")
                    continue
                }
                #expect(text == "read-only: \(Self.reason)")
            }
        }
        #expect(throws: StoreError.self) {
            try store.writeObject(.upstreams, source: .console, now: 0) { _ in ("x", .map([])) }
        }
    }

    @Test func headerShowsEtcdState() throws {
        var data = try Fixtures.data()
        var status = MirrorStatus(source: "etcd http://127.0.0.1:2379 /apisix", since: data.engine.takenAt.addingTimeInterval(-125))
        status.reachable = true
        data.mirror = status
        let canvas = MemoryCanvas(rows: 24, cols: 160)
        let app = ConsoleApp(tabs: [DashboardScreen()], data: data)
        app.render(on: canvas)
        #expect(canvas.line(1).contains("etcd ✓ · 1 listeners"), "\(canvas.line(1))")
        status.revision = 10
        status.newestChange = 13
        status.lastApplied = data.engine.takenAt.addingTimeInterval(-12)
        app.data.mirror = status
        app.render(on: canvas)
        #expect(canvas.line(1).contains("etcd ✓ 3 behind \(Format.age(12)) · 1 listeners"), "\(canvas.line(1))")
        status.reachable = false
        status.fromLastKnownGood = true
        app.data.mirror = status
        app.render(on: canvas)
        #expect(canvas.line(1).contains("etcd ✗ \(Format.age(125)) (last-known-good) · 1 listeners"), "\(canvas.line(1))")
    }
}
