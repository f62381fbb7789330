import Foundation
import Testing
@testable import SluiceConsole

/// A Store call that takes long (a write waiting on etcd) runs off the main thread: the console draws on and
/// says what it waits for, keys are held back, and the result is performed once it is there.
struct StoreCallTests {
    struct Failed: Error {}

    /// A screen whose `s` key starts a Store call that waits for `gate`, and `f` one that fails at once.
    final class SavingScreen: Screen {
        let gate = DispatchSemaphore(value: 0)
        var name: String { "saving" }
        var title: String { "Saving" }
        var bindings: [KeyBinding] { [] }
        func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {}
        func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
            let gate = self.gate
            switch key {
            case .char("s"):
                return .storeCall("saving route r1", { () -> Int in
                    gate.wait()
                    return 42
                }, then: { outcome in .flash("saved at revision \((try? outcome.get()) ?? -1)", isError: false) })
            case .char("f"):
                return .storeCall("saving route r2", { () -> Int in throw Failed() }, then: { outcome in
                    if case .failure(let error) = outcome { return .flash("not saved: \(error)", isError: true) }
                    return .none
                })
            default:
                return .unhandled
            }
        }
    }

    private func app(_ screen: SavingScreen, grace: Double) throws -> ConsoleApp {
        ConsoleApp(tabs: [screen, DashboardScreen()], data: try Fixtures.data(), storeCallGrace: grace)
    }

    private func messageLine(_ app: ConsoleApp) -> String {
        let canvas = MemoryCanvas(rows: 24, cols: 100)
        app.render(on: canvas)
        return canvas.line(22)
    }

    @Test func aSlowCallKeepsTheConsoleDrawingAndHoldsKeysUntilItIsOver() throws {
        let screen = SavingScreen()
        let app = try app(screen, grace: 0.05)
        app.handle(.char("s"))
        #expect(app.isWaitingForStore)
        #expect(messageLine(app).contains("⏳ saving route r1: waiting for the data file, 0 s — keys are ignored"))
        app.handle(.tab)
        #expect(app.screen === screen, "keys wait while the call runs")
        #expect(!app.collectStoreCall())

        screen.gate.signal()
        let deadline = Date().addingTimeInterval(10)
        while !app.collectStoreCall() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(!app.isWaitingForStore)
        #expect(messageLine(app).contains("saved at revision 42"))
        #expect(!app.collectStoreCall(), "collected once")
        app.handle(.tab)
        #expect(app.screen is DashboardScreen, "keys work again")
    }

    @Test func aCallOverWithinTheGraceIsPerformedAtOnce() throws {
        let screen = SavingScreen()
        screen.gate.signal()
        let app = try app(screen, grace: 10)
        app.handle(.char("s"))
        #expect(!app.isWaitingForStore)
        #expect(messageLine(app).contains("saved at revision 42"))
    }

    @Test func aFailedCallHandsItsErrorOn() throws {
        let app = try app(SavingScreen(), grace: .infinity)
        app.handle(.char("f"))
        #expect(!app.isWaitingForStore)
        #expect(messageLine(app).contains("not saved: Failed()"))
    }
}
