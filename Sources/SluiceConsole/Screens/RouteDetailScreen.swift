import Foundation
import SluiceEngine

/// One route's traffic (ctop's detail view): what it matches and where it sends, its counters, and 60-second
/// sparklines of its rates each way, labelled with the current rate and the peak; its live connections by node.
final class RouteDetailScreen: Screen {
    let id: String
    let name = "route"
    var title: String { "Route \(id)" }
    let bindings: [KeyBinding] = [KeyBinding([.escape], "back")]

    init(id: String) { self.id = id }

    func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        guard let r = data.engine.routes.first(where: { $0.id == id }) else {
            canvas.text(top + 1, 2, "Route \(id) no longer exists.", width: canvas.cols - 2, .dim)
            return
        }
        let route = data.config.config.streamRoutes.first { $0.id == id }
        let t = r.traffic
        let endings = t.endings.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key.rawValue) \(Format.count($0.value))" }
        var row = top + 1
        let facts: [(String, String)] = [
            ("route", r.name.map { "\(id) \($0)" } ?? id),
            ("match", route.map(DashboardScreen.matchSummary) ?? "-"),
            ("upstream", r.upstreamKey.map(Format.upstream) ?? "-"),
            ("connections", "\(Format.count(t.active)) open · \(Format.count(t.total)) in all · "
                + "\(Format.count(t.connectFailures)) connect failures"),
            ("bytes in / out", "\(Format.bytes(t.bytesIn)) / \(Format.bytes(t.bytesOut))"),
            ("endings", endings.isEmpty ? "-" : endings.joined(separator: " · ")),
        ]
        for f in facts {
            canvas.text(row, 2, f.0, width: 16, .dim)
            canvas.text(row, 19, f.1, width: canvas.cols - 19)
            row += 1
        }
        row += 1
        let samples = data.rates.history[RateTracker.routeKey(id)] ?? []
        canvas.text(row, 2, "last \(RateTracker.historySeconds) s", width: canvas.cols - 2, .title)
        row += 1
        let width = canvas.cols - 4
        for (label, values) in [("in (from clients)", samples.map(\.bytesIn)), ("out (to clients)", samples.map(\.bytesOut))] {
            let now = values.last ?? 0
            canvas.text(row, 2, "\(label): \(Format.rate(now)) · peak \(Format.rate(values.max() ?? 0))",
                        width: canvas.cols - 2, .dim)
            canvas.text(row + 1, 2, Sparkline.render(values, width: width), width: width, .good)
            row += 3
        }
        let conns = data.engine.connections.filter { $0.routeID == id }
        let byNode = Dictionary(grouping: conns, by: { $0.node ?? "(connecting)" }).sorted { $0.key < $1.key }
        guard row < top + height else { return }
        canvas.text(row, 2, "open connections by node", width: canvas.cols - 2, .title)
        row += 1
        for (node, list) in byNode where row < top + height {
            let rate = list.reduce(Rate()) { sum, c in
                let r = data.rates.rate(RateTracker.connectionKey(c.id))
                return Rate(bytesIn: sum.bytesIn + r.bytesIn, bytesOut: sum.bytesOut + r.bytesOut)
            }
            canvas.text(row, 2, "\(node): \(list.count) · in \(Format.rate(rate.bytesIn)) · out \(Format.rate(rate.bytesOut))",
                        width: canvas.cols - 2)
            row += 1
        }
    }

    func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        key == .escape ? .pop : .unhandled
    }
}
