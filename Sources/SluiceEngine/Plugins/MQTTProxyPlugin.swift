import NIOCore
import SluiceConfig

/// `mqtt-proxy` (APISIX priority 1000, preread phase): reads the client's MQTT CONNECT from the held bytes
/// without consuming it; a protocol name or level other than the plugin's is refused (status 503, reason
/// `mqtt_protocol_mismatch`, as APISIX answers), anything that is not a readable CONNECT with a reason of its own
/// (`mqtt_malformed`, `mqtt_oversized`, `mqtt_truncated`, `mqtt_timeout`: status 400). The client id becomes
/// `mqtt_client_id`, the chash key of `key: mqtt_client_id`; an empty one is not set, so balancing falls back to
/// `remote_addr` as APISIX's does.
struct MQTTProxyPlugin: StreamPlugin {
    let name = "mqtt-proxy"
    let priority = 1000
    let phases: PluginPhases = [.preread]
    let config: MQTTProxyConfig

    static let clientIDVariable = "mqtt_client_id"

    func preread(_ bytes: ByteBufferView, session: inout PluginSession) -> PrereadVerdict {
        switch MQTTConnectParser.parse(Array(bytes)[...], limit: EngineTuning.maxHeldBytes) {
        case .needMoreData:
            return .needMoreData
        case .connect(let connect):
            if let mismatch = mismatch(name: connect.protocolName, level: connect.protocolLevel) { return mismatch }
            if !connect.clientID.isEmpty { session.variables[Self.clientIDVariable] = connect.clientID }
            return .done
        case .unknownLevel(let name, let level):
            return mismatch(name: name, level: level) ?? .refuse(.mqttMalformed, why: "MQTT level \(level) unreadable")
        case .malformed(let why):
            return .refuse(.mqttMalformed, why: "Not an MQTT CONNECT: \(why)")
        case .oversized(let needed):
            return .refuse(.mqttOversized, why: "MQTT CONNECT needs \(needed) bytes up to its client id, more than "
                                                + "the preread buffer's \(EngineTuning.maxHeldBytes)")
        }
    }

    func prereadUnfinished(_ bytes: ByteBufferView, timedOut: Bool) -> (reason: CloseReason, why: String)? {
        if !bytes.isEmpty {
            return (.mqttTruncated, "MQTT CONNECT incomplete after \(bytes.count) bytes: the client "
                                    + (timedOut ? "sent nothing more within the preread timeout" : "ended its input"))
        }
        return timedOut ? (.mqttTimeout, "No MQTT CONNECT within the preread timeout") : nil
    }

    /// APISIX's checks, name first.
    private func mismatch(name: String, level: Int) -> PrereadVerdict? {
        if name != config.protocolName {
            return .refuse(.mqttProtocolMismatch, why: "expect protocol name: \(config.protocolName), but got \(name)")
        }
        if level != config.protocolLevel {
            return .refuse(.mqttProtocolMismatch,
                           why: "expect protocol level: \(config.protocolLevel), but got \(level)")
        }
        return nil
    }
}
