/// What `MQTTConnectParser` reads from an MQTT CONNECT packet: enough to check the protocol and to balance on the
/// client.
package struct MQTTConnect: Sendable, Equatable {
    /// `MQTT` (3.1.1 and 5.0) or `MQIsdp` (3.1).
    package var protocolName: String
    /// 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0).
    package var protocolLevel: Int
    /// The payload's first field; empty when the client lets the broker assign one.
    package var clientID: String
}

/// Outcome of peeking at the first bytes of an MQTT connection with `MQTTConnectParser.parse(_:limit:)`.
package enum MQTTConnectParseResult: Sendable, Equatable {
    /// The bytes so far are a strict prefix of a possibly valid CONNECT; read more and call again.
    case needMoreData
    /// A CONNECT read up to its client id (what follows — will, user name, password — is not examined).
    case connect(MQTTConnect)
    /// A CONNECT of a protocol level whose layout the parser does not know (not 3, 4 or 5): no client id.
    case unknownLevel(protocolName: String, level: Int)
    /// Not an MQTT CONNECT, or one whose fields contradict its lengths; the string says why.
    case malformed(String)
    /// The CONNECT's fields up to the client id need more than `limit` bytes.
    case oversized(needed: Int)
}
