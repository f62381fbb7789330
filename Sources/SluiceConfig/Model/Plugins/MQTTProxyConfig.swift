/// APISIX's `mqtt-proxy` for stream routes: the connection's MQTT CONNECT is read before anything is forwarded;
/// its protocol name and level must be these, and its client id becomes `mqtt_client_id` (a chash key).
public struct MQTTProxyConfig: Sendable, Hashable {
    static let name = "mqtt-proxy"

    /// APISIX's schema (apisix/stream/plugins/mqtt-proxy.lua), served by the Admin API.
    public static let jsonSchema = """
        {"type":"object","properties":{"protocol_name":{"type":"string","default":"MQTT"},\
        "protocol_level":{"type":"integer"}},"required":["protocol_level"]}
        """

    /// The levels whose CONNECT layout Sluice reads: 3 (MQTT 3.1), 4 (3.1.1), 5 (5.0).
    public static let levels = 3...5

    public var protocolName: String
    public var protocolLevel: Int
    /// The broker given inside the plugin (`upstream: {ip | host, port}`, APISIX before 3.0); the route or service
    /// carrying the plugin uses it as its inline upstream.
    public var broker: UpstreamNode?

    public init(protocolName: String = "MQTT", protocolLevel: Int, broker: UpstreamNode? = nil) {
        self.protocolName = protocolName
        self.protocolLevel = protocolLevel
        self.broker = broker
    }

    static func decode(_ r: inout FieldReader) -> MQTTProxyConfig? {
        let name = r.string("protocol_name", maxLength: 65535) ?? "MQTT"
        if name.isEmpty { r.report("protocol_name", "must not be empty") }
        let level = r.int("protocol_level", in: Int.min...Int.max, required: true)
        if let level, !levels.contains(level) {
            r.report("protocol_level", "must be 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5 (MQTT 5.0), got \(level)")
        }
        var broker: UpstreamNode?
        var brokerValid = true
        if let value = r.raw("upstream") {
            broker = decodeBroker(value, path: r.child("upstream"), problems: r.problems)
            brokerValid = broker != nil
        }
        r.rejectUnknownFields()
        guard let level, levels.contains(level), !name.isEmpty, brokerValid else { return nil }
        return MQTTProxyConfig(protocolName: name, protocolLevel: level, broker: broker)
    }

    /// `{"ip": …, "port": …}` or `{"host": …, "port": …}`, APISIX 2's `oneOf`.
    private static func decodeBroker(_ value: ConfigValue, path: String, problems: Problems) -> UpstreamNode? {
        guard var r = FieldReader(value, path: path, problems: problems) else { return nil }
        let ip = r.string("ip", maxLength: 253)
        let host = r.string("host", maxLength: 253)
        let port = r.int("port", in: 1...65535, required: true)
        r.rejectUnknownFields()
        switch (ip, host) {
        case (nil, nil):
            problems.add(r.child("host"), "is required (or ip, its older name)", line: value.line)
            return nil
        case (.some, .some):
            r.report("ip", "give host or ip (its older name), not both")
            return nil
        case (let ip?, _) where ip.isEmpty, (_, let ip?) where ip.isEmpty:
            r.report(host == nil ? "ip" : "host", "must not be empty")
            return nil
        default:
            guard let port, let address = host ?? ip else { return nil }
            return UpstreamNode(host: address, port: port)
        }
    }
}
