import SluiceConfig

/// An upstream object.
struct UpstreamFormSpec: FormSpec {
    let kind = ResourceKind.upstreams

    func fields(existing: ConfigValue?, config: GatewayConfig) -> [FormField] {
        [FormField("name", "name", value: existing?["name"]?.formText ?? "")]
            + UpstreamFields.fields(existing, prefix: "")
    }

    func build(_ fields: inout [FormField], base: ConfigValue?) -> ConfigValue? {
        var doc = base ?? .map([])
        doc["name"] = FormValues.text(fields.first { $0.key == "name" }?.value ?? "")
        UpstreamFields.apply(&fields, prefix: "", to: &doc)
        return fields.contains { $0.error != nil } ? nil : doc
    }
}
