import FuzzSupport
import SluiceConfig

// The JSON parser and the gateway decoder on any bytes: never a crash; whatever parses renders back to JSON
// that parses to the same value.
runFuzzer { data, size in
    let bytes = fuzzBytes(data, size)
    guard let value = try? ConfigValue.parseJSON(bytes) else { return 0 }
    let again = try? ConfigValue.parseJSON(Array(value.jsonText().utf8))
    precondition(again == value, "JSON did not round-trip")
    _ = try? GatewayConfig.decode(value, file: nil)
    return 0
}
