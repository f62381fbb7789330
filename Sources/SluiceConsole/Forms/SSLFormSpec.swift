import Foundation
import SluiceConfig

/// A certificate: its names, and the certificate and key read from files (a PEM is too long to type).
/// The key is never shown; editing keeps the stored one unless a new key file is given.
struct SSLFormSpec: FormSpec {
    let kind = ResourceKind.ssls

    func fields(existing: ConfigValue?, config: GatewayConfig) -> [FormField] {
        [
            FormField("snis", "server names", value: existing?["snis"]?.formText ?? existing?["sni"]?.formText ?? "",
                      hint: "a.example.com, *.example.com"),
            FormField("cert", "certificate file", value: "", hint: existing == nil ? "path to a PEM file" : "empty: keep"),
            FormField("key", "key file", value: "", hint: existing == nil ? "path to a PEM file" : "empty: keep"),
            FormField("client.ca", "client CA file", value: "", hint: "mTLS; empty: keep / none"),
        ]
    }

    func build(_ fields: inout [FormField], base: ConfigValue?) -> ConfigValue? {
        var doc = base ?? .map([])
        for i in fields.indices {
            let value = fields[i].value.trimmingCharacters(in: .whitespaces)
            switch fields[i].key {
            case "snis":
                let names = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                doc["sni"] = nil
                doc["snis"] = names.isEmpty ? nil : .list(names.map { .string($0) })
            case "cert", "key", "client.ca":
                guard !value.isEmpty else { continue }
                guard let pem = try? String(contentsOfFile: value, encoding: .utf8) else {
                    fields[i].error = "cannot read \(value)"
                    continue
                }
                doc.set(fields[i].key, .string(pem))
            default: break
            }
        }
        return fields.contains { $0.error != nil } ? nil : doc
    }
}
