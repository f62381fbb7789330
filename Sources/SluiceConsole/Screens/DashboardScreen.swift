import Foundation
import SluiceConfig
import SluiceEngine

/// Listeners, routes with bytes and rates, and upstream node health, at a glance.
public final class DashboardScreen: Screen {
    public let name = "dashboard"
    public let title = "Dashboard"
    public let bindings: [KeyBinding] = []

    public init() {}

    /// `tcp`, `udp`, `tls` (terminated), `sni` (passthrough), with `+pp` when a PROXY header is expected.
    static func kind(_ spec: ListenerSpec) -> String {
        let base = spec.transport == .udp ? "udp" : spec.tls ? "tls" : spec.tlsPassthrough ? "sni" : "tcp"
        return spec.proxyProtocol ? base + "+pp" : base
    }

    /// `port 9100 · from 10.0.0.0/8`, or `any` for a route without filters.
    static func matchSummary(_ route: StreamRoute) -> String {
        var parts: [String] = []
        if let p = route.serverPort { parts.append("port \(p)") }
        if !route.serverAddr.isEmpty { parts.append("to " + route.serverAddr.map(\.description).joined(separator: ",")) }
        if !route.remoteAddr.isEmpty { parts.append("from " + route.remoteAddr.map(\.description).joined(separator: ",")) }
        if let sni = route.sni { parts.append("sni \(sni)") }
        return parts.isEmpty ? "any" : parts.joined(separator: " · ")
    }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        let e = data.engine
        let listenerRows = min(e.listeners.count, max(1, height / 4))
        let nodes = e.upstreams.flatMap { u in u.nodes.map { (u, $0) } }
        let nodeRows = min(nodes.count, max(1, height / 3))
        var row = top

        canvas.text(row, 0, "Listeners", width: canvas.cols, .title)
        row += 1
        Table(columns: [
            TableColumn("ADDRESS", min: 16, max: 30), TableColumn("PROTO", min: 6, max: 6),
            TableColumn("ACTIVE", min: 6, max: 8, right: true),
            TableColumn("TOTAL", min: 7, max: 10, right: true, drop: 1),
            TableColumn("IN", min: 9, max: 10, right: true, drop: 2), TableColumn("OUT", min: 9, max: 10, right: true, drop: 2),
            TableColumn("IN/s", min: 10, max: 12, right: true), TableColumn("OUT/s", min: 10, max: 12, right: true),
            TableColumn("REFUSED", min: 8, max: 8, right: true),
        ], rows: e.listeners.map { l in
            let r = data.rates.rate(RateTracker.listenerKey(l))
            let spec = l.spec
            return [HostPort(host: spec.host, port: spec.port).description, Self.kind(spec),
                    Format.count(l.traffic.active), Format.count(l.traffic.total), Format.bytes(l.traffic.bytesIn),
                    Format.bytes(l.traffic.bytesOut), Format.rate(r.bytesIn), Format.rate(r.bytesOut),
                    Format.count(l.traffic.noRoute + l.traffic.sessionsDropped + l.traffic.refusals.values.reduce(0, +))]
        }).draw(on: canvas, top: row, width: canvas.cols, height: listenerRows + 1)
        row += listenerRows + 2

        let nodesTop = top + height - nodeRows - 2
        let routeRows = max(1, nodesTop - row - 3)
        canvas.text(row, 0, "Routes", width: canvas.cols, .title)
        row += 1
        let routes = Dictionary(data.config.config.streamRoutes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        Table(columns: [
            TableColumn("ROUTE", min: 8, max: 20), TableColumn("MATCH", min: 10, max: 34),
            TableColumn("UPSTREAM", min: 10, max: 24), TableColumn("ACTIVE", min: 6, max: 8, right: true),
            TableColumn("TOTAL", min: 6, max: 10, right: true, drop: 1),
            TableColumn("IN", min: 9, max: 10, right: true, drop: 2), TableColumn("OUT", min: 9, max: 10, right: true, drop: 2),
            TableColumn("IN/s", min: 10, max: 12, right: true), TableColumn("OUT/s", min: 10, max: 12, right: true),
        ], rows: e.routes.map { r in
            let rate = data.rates.rate(RateTracker.routeKey(r.id))
            let label = r.name.map { "\(r.id) \($0)" } ?? r.id
            return [label, routes[r.id].map(Self.matchSummary) ?? "", r.upstreamKey.map(Format.upstream) ?? "-",
                    Format.count(r.traffic.active), Format.count(r.traffic.total), Format.bytes(r.traffic.bytesIn),
                    Format.bytes(r.traffic.bytesOut), Format.rate(rate.bytesIn), Format.rate(rate.bytesOut)]
        }).draw(on: canvas, top: row, width: canvas.cols, height: routeRows + 1)
        row = nodesTop
        canvas.text(row, 0, "Upstream nodes", width: canvas.cols, .title)
        row += 1
        Table(columns: [
            TableColumn("UPSTREAM", min: 12, max: 26), TableColumn("NODE", min: 15, max: 26),
            TableColumn("W", min: 3, max: 4, right: true), TableColumn("STATE", min: 8, max: 10),
            TableColumn("ACTIVE", min: 6, max: 8, right: true), TableColumn("TOTAL", min: 6, max: 10, right: true),
            TableColumn("FAILS", min: 5, max: 8, right: true), TableColumn("IN/s", min: 10, max: 12, right: true),
        ], rows: nodes.map { u, n in
            let rate = data.rates.rate(RateTracker.nodeKey(u.key, n.address))
            return [Format.upstream(u.key), n.address, String(n.weight), Self.state(n), Format.count(n.traffic.active),
                    Format.count(n.traffic.total), Format.count(n.traffic.connectFailures), Format.rate(rate.bytesIn)]
        }).draw(on: canvas, top: row, width: canvas.cols, height: nodeRows + 1)
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction { .unhandled }

    /// A node's health and operator state in a word: weight 0 is `off`; a node checks or failed connects put
    /// down shows `✗ down`, never `● up`.
    static func state(_ n: EngineSnapshot.Node) -> String {
        if n.weight == 0 { return "○ off" }
        switch n.health.status {
        case .healthy: return "● up"
        case .unhealthy: return "✗ down"
        case .draining: return "◐ drain"
        case .maint: return "■ maint"
        }
    }
}
