import Foundation
import SluiceConfig
import SluiceEngine

/// Stream routes, services or upstreams as a list: `n` new, `e`/Enter edit, `d` delete (asks first; a refused
/// delete shows the Store's reason, e.g. still referenced).
public final class ObjectListScreen: Screen {
    public let name: String
    public let title: String
    public var bindings: [KeyBinding] {
        [
            KeyBinding([.up, .down], "select"),
            KeyBinding([.char("n")], "new"),
            KeyBinding([.char("e"), .enter], "edit"),
            KeyBinding([.char("d")], "delete", dangerous: true),
            KeyBinding([.char("y")], "YAML"),
            KeyBinding([.char("Y")], "edit as YAML", footer: false),
        ] + (kind == .streamRoutes ? [KeyBinding([.char("i")], "traffic")] : [])
    }

    private let kind: ResourceKind
    private let store: Store
    private let spec: any FormSpec
    /// The object `e` and `d` act on (the Upstreams screen sets it from its node selection).
    var selectedID: String?

    public init(kind: ResourceKind, store: Store) {
        self.kind = kind
        self.store = store
        switch kind {
        case .streamRoutes: (name, title, spec) = ("routes", "Stream routes", RouteFormSpec())
        case .services: (name, title, spec) = ("services", "Services", ServiceFormSpec())
        case .upstreams: (name, title, spec) = ("upstreams", "Upstreams", UpstreamFormSpec())
        case .ssls: (name, title, spec) = ("ssl", "SSL certificates", SSLFormSpec())
        case .pluginMetadata: (name, title, spec) = ("metadata", "Plugin metadata", PluginMetadataFormSpec())
        }
    }

    /// Parsed certificates by their PEM text: parsed once, not at every frame.
    private var parsedCertificates: [String: CertificateFacts?] = [:]

    private func certificateFacts(_ pem: String) -> CertificateFacts? {
        if let known = parsedCertificates[pem] { return known }
        let facts = CertificateFacts(pem: pem)
        if parsedCertificates.count > 1000 { parsedCertificates.removeAll() }
        parsedCertificates[pem] = facts
        return facts
    }

    /// `in 200 days`, `⚠ in 12 days` (under `CertificateFacts.warnDays`), `✗ expired 3 days ago`.
    static func expiry(_ facts: CertificateFacts, now: Date) -> String {
        let days = facts.daysLeft(at: now)
        if facts.notAfter <= now { return "✗ expired \(-days) days ago" }
        let text = "in \(days) day\(days == 1 ? "" : "s")"
        return days < CertificateFacts.warnDays ? "⚠ " + text : text
    }

    private func table(_ config: GatewayConfig, now: Date) -> (columns: [TableColumn], rows: [[String]], ids: [String]) {
        switch kind {
        case .streamRoutes:
            let rows = config.streamRoutes.map { r -> [String] in
                let up = r.upstreamID.map { "upstream \($0)" } ?? r.upstream.map { up in
                    up.nodes.map(\.address).joined(separator: ", ") } ?? r.serviceID.map { "service \($0)" } ?? "-"
                return [r.id, r.name ?? "", DashboardScreen.matchSummary(r), r.serviceID ?? "", up,
                        PluginFields.summary(r.raw["plugins"])]
            }
            return ([TableColumn("ID", min: 6, max: 20), TableColumn("NAME", min: 8, max: 24),
                     TableColumn("MATCH", min: 12, max: 40), TableColumn("SERVICE", min: 7, max: 12),
                     TableColumn("UPSTREAM", min: 12, max: 60), TableColumn("PLUGINS", min: 10, max: 40, drop: 1)],
                    rows, config.streamRoutes.map(\.id))
        case .services:
            let rows = config.services.map { s in
                [s.id, s.name ?? "", s.type.rawValue, s.scheme?.rawValue ?? "-", s.upstreamID ?? (s.upstream != nil ? "(inline)" : "-"),
                 PluginFields.summary(s.raw["plugins"])]
            }
            return ([TableColumn("ID", min: 6, max: 20), TableColumn("NAME", min: 8, max: 24),
                     TableColumn("TYPE", min: 6, max: 6), TableColumn("SCHEME", min: 6, max: 6),
                     TableColumn("UPSTREAM", min: 10, max: 30), TableColumn("PLUGINS", min: 10, max: 40, drop: 1)],
                    rows, config.services.map(\.id))
        case .upstreams:
            let rows = config.upstreams.map { u in
                [u.id ?? "", u.name ?? "", u.type.rawValue,
                 u.nodes.map { "\($0.address)=\($0.weight)" }.joined(separator: ", ")]
            }
            return ([TableColumn("ID", min: 6, max: 20), TableColumn("NAME", min: 8, max: 24),
                     TableColumn("TYPE", min: 10, max: 10), TableColumn("NODES", min: 20, max: 80)],
                    rows, config.upstreams.compactMap(\.id))
        case .ssls:
            let rows = config.ssls.map { s -> [String] in
                let facts = certificateFacts(s.cert)
                return [s.id, s.snis.joined(separator: ", "), facts.map { Self.expiry($0, now: now) } ?? "✗ unreadable",
                        facts?.subject ?? "", facts?.alternativeNames.joined(separator: ", ") ?? "",
                        s.clientCA == nil ? "-" : "mTLS", s.enabled ? "on" : "off", s.protocols.joined(separator: " ")]
            }
            return ([TableColumn("ID", min: 6, max: 20), TableColumn("SNIS", min: 14, max: 40),
                     TableColumn("EXPIRES", min: 14, max: 22), TableColumn("SUBJECT", min: 14, max: 40, drop: 2),
                     TableColumn("SANS", min: 14, max: 40, drop: 1),
                     TableColumn("CLIENT", min: 6, max: 6, drop: 3), TableColumn("STATUS", min: 6, max: 6),
                     TableColumn("PROTOCOLS", min: 9, max: 20, drop: 4)], rows, config.ssls.map(\.id))
        case .pluginMetadata:
            let rows = config.pluginMetadata.map { m in
                [m.id, (m.raw.entries ?? []).map(\.key).filter { !["id", "create_time", "update_time"].contains($0) }
                    .joined(separator: ", ")]
            }
            return ([TableColumn("PLUGIN", min: 10, max: 24), TableColumn("FIELDS", min: 20, max: 80)], rows,
                    config.pluginMetadata.map(\.id))
        }
    }

    public func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData) {
        let t = table(data.config.config, now: data.engine.takenAt)
        if selectedID == nil || !t.ids.contains(selectedID ?? "") { selectedID = t.ids.first }
        canvas.text(top, 0, "\(t.ids.count) \(kind.rawValue) · revision \(data.config.revision)", width: canvas.cols, .dim)
        Table(columns: t.columns, rows: t.rows, selected: t.ids.firstIndex { $0 == selectedID })
            .draw(on: canvas, top: top + 1, width: canvas.cols, height: height - 1)
        if t.ids.isEmpty { canvas.text(top + 3, 2, "None yet: press n to create one.", width: canvas.cols - 2, .dim) }
    }

    public func handle(_ key: Key, data: ConsoleData) -> ScreenAction {
        let docs = data.config.config.documents(kind)
        let index = docs.firstIndex { $0.id == selectedID } ?? 0
        if let why = store.readOnlyReason, [.char("n"), .char("e"), .enter, .char("d"), .char("Y")].contains(key) {
            return .flash("read-only: \(why)", isError: true)
        }
        switch key {
        case .up: if index > 0 { selectedID = docs[index - 1].id }
        case .down: if index + 1 < docs.count { selectedID = docs[index + 1].id }
        case .char("n"):
            return .push(FormScreen(spec: spec, store: store, existing: nil))
        case .char("y"):
            guard let doc = docs.first(where: { $0.id == selectedID }) else { return .none }
            return .push(TextViewScreen.yaml(title: "\(kind.singular) \(doc.id) (YAML)", doc.raw,
                                              secrets: kind == .ssls ? ["key"] : []))
        case .char("Y"):
            guard let doc = docs.first(where: { $0.id == selectedID }) else { return .none }
            return .push(YAMLEditScreen(kind: kind, id: doc.id, document: doc.raw, store: store))
        case .char("i") where kind == .streamRoutes:
            guard let id = selectedID else { return .none }
            return .push(RouteDetailScreen(id: id))
        case .char("e"), .enter:
            guard let doc = docs.first(where: { $0.id == selectedID }) else { return .none }
            return .push(FormScreen(spec: spec, store: store, existing: doc))
        case .char("d"):
            guard let id = selectedID else { return .none }
            let store = self.store
            let kind = self.kind
            return .confirm("Delete \(kind.singular) \(id)?") {
                .storeCall("deleting \(kind.singular) \(id)", { try store.deleteObject(kind, id: id, source: .console) },
                           then: { outcome in
                    do {
                        _ = try outcome.get()
                        return .flash("deleted \(kind.singular) \(id)", isError: false)
                    } catch {
                        return .notDone("not deleted", error)
                    }
                })
            }
        default: return .unhandled
        }
        return .none
    }
}
