import Foundation
import SluiceEngine

/// One connection's `show sess` facts, updating live: who, through which listener, route and node, the upstream
/// socket's own address, how the connect went (nodes tried, time), its state, idle time, bytes and rates each way.
/// `k` kills it (asks first).
final class ConnectionInspector: Screen {
    let id: UInt64
    let name = "inspect"
    var title: String { "Connection \(id)" }
    let bindings: [KeyBinding] = [KeyBinding([.char("k")], "kill", dangerous: true), KeyBinding([.escape], "back")]
    private let kill: (UInt64) -> Bool
    private let readFacts: (UInt64) -> Void
    /// The local address was asked for once the connection proxied (asking again would only repeat the syscall).
    private var askedWhileProxying = false

    init(id: UInt64, kill: @escaping (UInt64) -> Bool, readFacts: @escaping (UInt64) -> Void) {
        self.id = id
        self.kill = kill
        self.readFacts = readFacts
    }

    /// The question before killing `c`, and the flash after.
    static func confirmKill(_ c: ConnectionInfo, kill: @escaping (UInt64) -> Bool) -> ScreenAction {
        .confirm("Kill connection \(c.id) from \(c.client) (route \(c.routeID))?") {
            kill(c.id) ? .flash("connection \(c.id) killed", isError: false)
                : .flash("connection \(c.id) had already closed", isError: true)
        }
    }

    /// The facts as label and value, in the order shown.
    static func facts(_ c: ConnectionInfo, data: ConsoleData) -> [(String, String)] {
        let rate = data.rates.rate(RateTracker.connectionKey(c.id))
        let now = data.engine.takenAt
        let routeName = data.engine.routes.first { $0.id == c.routeID }?.name
        let failed = c.nodesTried.count - (c.node == nil ? 0 : 1)
        let tried = c.nodesTried.enumerated().map { $0.offset < failed ? "\($0.element) ✗" : $0.element }
        let idle = now.timeIntervalSince(c.lastActivity ?? c.startedAt)
        return [
            ("id", "\(c.id) (\(c.transport))"), ("client", c.client), ("listener", c.listener),
            ("route", routeName.map { "\(c.routeID) \($0)" } ?? c.routeID),
            ("upstream", Format.upstream(c.upstreamKey)), ("node", c.node ?? "-"),
            ("upstream local address", c.upstreamLocal ?? (c.state == .proxying ? "reading…" : "-")),
            ("nodes tried", tried.isEmpty ? "-" : tried.joined(separator: ", ")),
            ("connect time", c.connectSeconds.map(Format.duration) ?? "-"),
            ("state", c.state.rawValue),
            ("started", "\(Format.clock(c.startedAt)) UTC (\(Format.age(now.timeIntervalSince(c.startedAt))) ago)"),
            ("idle", c.lastActivity == nil ? "\(Format.age(idle)) (nothing moved yet)" : Format.age(idle)),
            ("bytes in (from client)", "\(Format.bytes(c.bytesIn))  (\(Format.count(c.bytesIn)) B)"),
            ("bytes out (to client)", "\(Format.bytes(c.bytesOut))  (\(Format.count(c.bytesOut)) B)"),
            ("rate in / out", "\(Format.rate(rate.bytesIn)) / \(Format.rate(rate.bytesOut))"),
        ]
    }

    func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        guard let c = data.engine.connections.first(where: { $0.id == id }) else {
            canvas.text(top + 1, 2, "Connection \(id) has closed.", width: canvas.cols - 2, .dim)
            return
        }
        if c.state == .proxying, c.upstreamLocal == nil, !askedWhileProxying {
            askedWhileProxying = true
            readFacts(id)
        }
        for (i, f) in Self.facts(c, data: data).enumerated() where i + 1 < height {
            canvas.text(top + 1 + i, 2, f.0, width: 24, .dim)
            canvas.text(top + 1 + i, 27, f.1, width: canvas.cols - 27)
        }
    }

    func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        switch key {
        case .escape, .enter: return .pop
        case .char("k"):
            guard let c = data.engine.connections.first(where: { $0.id == id }) else {
                return .flash("connection \(id) has closed", isError: true)
            }
            return Self.confirmKill(c, kill: kill)
        default: return .unhandled
        }
    }
}
