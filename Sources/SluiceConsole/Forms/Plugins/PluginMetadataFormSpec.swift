import SluiceConfig

/// A plugin metadata object (its id is the plugin's name): syslog's two settings, `log_format` as JSON and
/// `max_pending_entries`, checked by the same decoder as the Admin API's with errors beside the field. Fields the
/// form does not show (an HTTP plugin's metadata) are kept as stored.
struct PluginMetadataFormSpec: FormSpec {
    let kind = ResourceKind.pluginMetadata

    func fields(existing: ConfigValue?, config: GatewayConfig) -> [FormField] {
        [FormField("log_format", "log format", value: existing?["log_format"].map { $0.jsonText() } ?? "",
                   hint: #"syslog: {"client": "$remote_addr", …} for routes whose plugin has none"#),
         FormField("max_pending_entries", "max pending", value: existing?["max_pending_entries"]?.formText ?? "",
                   hint: "entries waiting across every syslog server; empty: 8192")]
    }

    func build(_ fields: inout [FormField], base: ConfigValue?) -> ConfigValue? {
        var doc = base ?? .map([])
        for i in fields.indices {
            let text = fields[i].value.trimmingCharacters(in: .whitespaces)
            switch fields[i].key {
            case "log_format":
                do {
                    doc["log_format"] = text.isEmpty ? nil : try ConfigValue.parseJSON(Array(text.utf8))
                } catch {
                    fields[i].error = "not JSON: \(error.message)"
                }
            case "max_pending_entries": doc["max_pending_entries"] = FormValues.number(&fields[i])
            default: break
            }
        }
        return fields.contains { $0.error != nil } ? nil : doc
    }
}
