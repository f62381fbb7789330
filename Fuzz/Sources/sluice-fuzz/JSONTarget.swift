import SluiceConfig

/// The JSON parser and the gateway decoder on any bytes: never a crash; whatever parses renders back to JSON
/// that parses to the same value.
enum JSONTarget {
    static func check(_ bytes: [UInt8]) {
        guard let value = try? ConfigValue.parseJSON(bytes) else { return }
        let again = try? ConfigValue.parseJSON(Array(value.jsonText().utf8))
        precondition(again == value, "JSON did not round-trip")
        _ = try? GatewayConfig.decode(value, file: nil)
    }
}
