import FuzzSupport
import SluiceConfig

// The YAML reader (preflight, composer, conversion) and both decoders on any text: never a crash.
runFuzzer { data, size in
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    guard let value = try? ConfigValue.parseYAML(text, file: "gateway.yaml") else { return 0 }
    _ = try? GatewayConfig.decode(value, file: "gateway.yaml")
    _ = try? NodeSettings.decode(value, file: "config.yaml", directory: "/")
    return 0
}
