import SluiceConfig

/// The upstream fields shared by the upstream form and a route's or service's inline upstream.
enum UpstreamFields {
    static let types = BalancerType.allCases.map(\.rawValue)
    static let hashKeys = ["remote_addr", "server_addr", "server_port"]

    /// - Parameter prefix: `""` for an upstream object, `"upstream."` for an inline one.
    static func fields(_ up: ConfigValue?, prefix: String) -> [FormField] {
        [
            FormField(prefix + "type", "balancer", .choice(types), value: up?["type"]?.formText ?? "roundrobin",
                      hint: "Space/←/→"),
            FormField(prefix + "key", "chash key", .choice([""] + hashKeys), value: up?["key"]?.formText ?? "",
                      hint: "for chash"),
        ] + nodeRows(up?["nodes"], prefix: prefix) + [
            FormField(prefix + "retries", "retries", value: up?["retries"]?.formText ?? "", hint: "empty: nodes − 1"),
            FormField(prefix + "timeout.connect", "connect timeout", value: up?.value(at: "timeout.connect")?.formText ?? "",
                      hint: "seconds (60)"),
            FormField(prefix + "timeout.send", "send timeout", value: up?.value(at: "timeout.send")?.formText ?? "",
                      hint: "seconds (600)"),
            FormField(prefix + "timeout.read", "read timeout", value: up?.value(at: "timeout.read")?.formText ?? "",
                      hint: "seconds (600)"),
        ]
    }

    /// One row per node (`host:port=weight`), then an empty row that adds one; clearing a row removes its node.
    static func nodeRows(_ nodes: ConfigValue?, prefix: String) -> [FormField] {
        let texts = FormValues.nodesText(nodes).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return (texts + [""]).enumerated().map { i, text in nodeRow(prefix: prefix, index: i, value: text) }
    }

    private static func nodeRow(prefix: String, index: Int, value: String) -> FormField {
        FormField(prefix + "nodes#\(index)", value.isEmpty ? "+ node" : "node \(index + 1)", value: value,
                  hint: value.isEmpty ? "host:port=weight [priority=N] [max_conns=N]" : "clear to remove")
    }

    /// Keeps exactly one empty node row at the end of each node list (a row typed into grows the list).
    static func adjust(_ fields: inout [FormField]) {
        let rows = fields.indices.filter { fields[$0].key.contains("nodes#") }
        guard let last = rows.last else { return }
        let prefix = String(fields[last].key.prefix { $0 != "#" }).dropLast("nodes".count)
        if !fields[last].value.isEmpty {
            fields[last].label = "node \(rows.count)"
            fields[last].hint = "clear to remove"
            fields.insert(nodeRow(prefix: String(prefix), index: rows.count, value: ""), at: last + 1)
        }
    }

    /// Writes the upstream fields found in `fields` (by key) into `doc`.
    static func apply(_ fields: inout [FormField], prefix: String, to doc: inout ConfigValue) {
        let rows = fields.indices.filter { fields[$0].key.hasPrefix(prefix + "nodes#") }
        if let first = rows.first {
            var joined = FormField(prefix + "nodes", "nodes", value: rows.map { fields[$0].value }
                .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.joined(separator: ", "))
            doc.set(prefix + "nodes", FormValues.nodes(&joined, original: doc.value(at: prefix + "nodes")))
            fields[first].error = joined.error
        }
        for i in fields.indices where fields[i].key.hasPrefix(prefix) {
            let key = fields[i].key
            let local = String(key.dropFirst(prefix.count))
            switch local {
            case "type", "key": doc.set(key, FormValues.text(fields[i].value))
            case _ where local.hasPrefix("nodes#"):
                break
            case "retries", "timeout.connect", "timeout.send", "timeout.read": doc.set(key, FormValues.number(&fields[i]))
            default: break
            }
        }
    }
}
