import SluiceConfig

/// The YAML reader (preflight, composer, conversion) and both decoders on any text: never a crash.
enum YAMLTarget {
    static func check(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let value = try? ConfigValue.parseYAML(text, file: "gateway.yaml") else { return }
        _ = try? GatewayConfig.decode(value, file: "gateway.yaml")
        _ = try? NodeSettings.decode(value, file: "config.yaml", directory: "/")
    }
}
