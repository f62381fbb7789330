import SluiceConfig

/// The upstream fields shared by the upstream form and a route's or service's inline upstream.
enum UpstreamFields {
    static let types = ["roundrobin", "chash", "least_conn"]
    static let hashKeys = ["remote_addr", "server_addr", "server_port"]

    /// - Parameter prefix: `""` for an upstream object, `"upstream."` for an inline one.
    static func fields(_ up: ConfigValue?, prefix: String) -> [FormField] {
        [
            FormField(prefix + "type", "balancer", .choice(types), value: up?["type"]?.formText ?? "roundrobin",
                      hint: "Space/←/→"),
            FormField(prefix + "key", "chash key", .choice([""] + hashKeys), value: up?["key"]?.formText ?? "",
                      hint: "for chash"),
            FormField(prefix + "nodes", "nodes", value: FormValues.nodesText(up?["nodes"]),
                      hint: "host:port=weight, …"),
            FormField(prefix + "retries", "retries", value: up?["retries"]?.formText ?? "", hint: "empty: nodes − 1"),
            FormField(prefix + "timeout.connect", "connect timeout", value: up?.value(at: "timeout.connect")?.formText ?? "",
                      hint: "seconds (60)"),
            FormField(prefix + "timeout.send", "send timeout", value: up?.value(at: "timeout.send")?.formText ?? "",
                      hint: "seconds (600)"),
            FormField(prefix + "timeout.read", "read timeout", value: up?.value(at: "timeout.read")?.formText ?? "",
                      hint: "seconds (600)"),
        ]
    }

    /// Writes the upstream fields found in `fields` (by key) into `doc`.
    static func apply(_ fields: inout [FormField], prefix: String, to doc: inout ConfigValue) {
        for i in fields.indices where fields[i].key.hasPrefix(prefix) {
            let key = fields[i].key
            let local = String(key.dropFirst(prefix.count))
            switch local {
            case "type", "key": doc.set(key, FormValues.text(fields[i].value))
            case "nodes": doc.set(key, FormValues.nodes(&fields[i], original: doc.value(at: key)))
            case "retries", "timeout.connect", "timeout.send", "timeout.read": doc.set(key, FormValues.number(&fields[i]))
            default: break
            }
        }
    }
}
