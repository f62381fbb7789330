import SluiceConfig

/// A stream route: its filters, an upstream by id, by service, or inline (its fields shown only while `upstream`
/// is inline), and its plugins.
struct RouteFormSpec: FormSpec {
    let kind = ResourceKind.streamRoutes
    static let inline = "(inline)"
    static let none = "(none)"

    func fields(existing: ConfigValue?, config: GatewayConfig) -> [FormField] {
        let upstreamChoices = [Self.inline] + config.upstreams.compactMap(\.id)
        let serviceChoices = [Self.none] + config.services.filter { $0.type == .stream }.map(\.id)
        return [
            FormField("name", "name", value: existing?["name"]?.formText ?? ""),
            FormField("server_port", "server port", value: existing?["server_port"]?.formText ?? "",
                      hint: "empty: any"),
            FormField("server_addr", "server address", value: existing?["server_addr"]?.formText ?? "",
                      hint: "IP or CIDR"),
            FormField("remote_addr", "client address", value: existing?["remote_addr"]?.formText ?? "",
                      hint: "IP/CIDR, comma-separated"),
            FormField("sni", "SNI", value: existing?["sni"]?.formText ?? "", hint: "TLS listeners"),
            FormField("priority", "priority", value: existing?["priority"]?.formText ?? "", hint: "ties: higher first"),
            FormField("service_id", "service", .choice(serviceChoices),
                      value: existing?["service_id"]?.formText ?? Self.none),
            FormField("upstream_id", "upstream", .choice(upstreamChoices),
                      value: existing?["upstream_id"]?.formText ?? Self.inline, hint: "inline: the fields below"),
        ] + UpstreamFields.fields(existing?["upstream"], prefix: "upstream.") + PluginFields.fields(existing?["plugins"])
    }

    func adjust(_ fields: inout [FormField]) {
        UpstreamFields.adjust(&fields)
        let named = fields.first { $0.key == "upstream_id" }.map { $0.value != Self.inline } ?? false
        if let i = fields.firstIndex(where: { $0.key == "upstream_id" }) {
            fields[i].hint = named ? "nodes: on the Upstreams screen" : "inline: the fields below"
        }
        for i in fields.indices where fields[i].key.hasPrefix("upstream.") { fields[i].isHidden = named }
    }

    func build(_ fields: inout [FormField], base: ConfigValue?) -> ConfigValue? {
        var doc = base ?? .map([])
        let upstreamID = fields.first { $0.key == "upstream_id" }?.value ?? Self.inline
        let serviceID = fields.first { $0.key == "service_id" }?.value ?? Self.none
        for i in fields.indices {
            switch fields[i].key {
            case "name", "server_addr", "sni": doc[fields[i].key] = FormValues.text(fields[i].value)
            case "remote_addr": doc["remote_addr"] = FormValues.list(fields[i].value)
            case "server_port", "priority": doc[fields[i].key] = FormValues.number(&fields[i])
            case "service_id": doc["service_id"] = serviceID == Self.none ? nil : .string(serviceID)
            case "upstream_id": doc["upstream_id"] = upstreamID == Self.inline ? nil : .string(upstreamID)
            default: break
            }
        }
        let hasInlineNodes = fields.contains {
            $0.key.hasPrefix("upstream.nodes#") && !$0.value.trimmingCharacters(in: .whitespaces).isEmpty
        }
        if upstreamID == Self.inline && !(serviceID != Self.none && !hasInlineNodes) {
            if doc["upstream"]?.entries == nil { doc["upstream"] = .map([]) }
            UpstreamFields.apply(&fields, prefix: "upstream.", to: &doc)
        } else {
            doc["upstream"] = nil
        }
        PluginFields.apply(&fields, to: &doc)
        return fields.contains { $0.error != nil } ? nil : doc
    }
}
