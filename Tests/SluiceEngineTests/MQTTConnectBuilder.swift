/// Builds MQTT CONNECT packets byte by byte for the parser tests (MQTT 3.1.1 §3.1, 5.0 §3.1).
struct MQTTConnectBuilder {
    var protocolName = "MQTT"
    var level: UInt8 = 4
    var flags: UInt8 = 0x02
    var keepAlive: UInt16 = 60
    /// MQTT 5 properties, already encoded (identifier + value each).
    var properties: [UInt8] = []
    var clientID = "client-1"
    /// Bytes after the client id (will, user name, password).
    var rest: [UInt8] = []

    /// The whole packet: fixed header with the remaining length, variable header, payload.
    var bytes: [UInt8] {
        var body = Self.string(protocolName) + [level, flags, UInt8(keepAlive >> 8), UInt8(keepAlive & 0xFF)]
        if level == 5 { body += Self.variableInteger(properties.count) + properties }
        body += Self.string(clientID) + rest
        return [0x10] + Self.variableInteger(body.count) + body
    }

    static func string(_ text: String) -> [UInt8] {
        let utf8 = Array(text.utf8)
        return [UInt8(utf8.count >> 8), UInt8(utf8.count & 0xFF)] + utf8
    }

    static func variableInteger(_ value: Int) -> [UInt8] {
        var out: [UInt8] = []
        var v = value
        repeat {
            var byte = UInt8(v & 0x7F)
            v >>= 7
            if v > 0 { byte |= 0x80 }
            out.append(byte)
        } while v > 0
        return out
    }
}
