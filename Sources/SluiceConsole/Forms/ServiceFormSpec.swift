import SluiceConfig

/// A service: its type and scheme are chosen at creation and shown read-only afterwards; its upstream and plugins
/// (which its routes inherit unless they configure the same plugin).
struct ServiceFormSpec: FormSpec {
    let kind = ResourceKind.services
    static let fixedReason = "fixed after creation; create a new service to change it"

    func fields(existing: ConfigValue?, config: GatewayConfig) -> [FormField] {
        let type = existing?["type"]?.formText ?? "stream"
        let scheme = existing?["scheme"]?.formText ?? (type == "stream" ? "tcp" : "")
        let isNew = existing == nil
        return [
            FormField("name", "name", value: existing?["name"]?.formText ?? ""),
            FormField("type", "type", isNew ? .choice(["stream", "http"]) : .readOnly(Self.fixedReason), value: type),
            FormField("scheme", "scheme", isNew ? .choice(["tcp", "udp"]) : .readOnly(Self.fixedReason), value: scheme,
                      hint: isNew ? "stream services" : ""),
            FormField("upstream_id", "upstream", .choice(["(none)"] + config.upstreams.compactMap(\.id)),
                      value: existing?["upstream_id"]?.formText ?? "(none)"),
        ] + PluginFields.fields(existing?["plugins"])
    }

    func build(_ fields: inout [FormField], base: ConfigValue?) -> ConfigValue? {
        var doc = base ?? .map([])
        for f in fields {
            switch f.key {
            case "name": doc["name"] = FormValues.text(f.value)
            case "type": doc["type"] = .string(f.value)
            case "scheme": doc["scheme"] = f.value.isEmpty || doc["type"]?.stringValue == "http" ? nil : .string(f.value)
            case "upstream_id": doc["upstream_id"] = f.value == "(none)" ? nil : .string(f.value)
            default: break
            }
        }
        PluginFields.apply(&fields, to: &doc)
        return fields.contains { $0.error != nil } ? nil : doc
    }
}
