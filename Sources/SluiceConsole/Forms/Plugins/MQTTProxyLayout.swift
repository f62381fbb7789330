extension PluginLayout {
    /// `mqtt-proxy`: the CONNECT's protocol the route expects; the older in-plugin broker as JSON.
    static let mqttProxy = PluginLayout(name: "mqtt-proxy", fields: [
        Field("protocol_name", "protocol name", hint: "empty: MQTT"),
        Field("protocol_level", "protocol level", .number, hint: "3 (3.1), 4 (3.1.1) or 5 (5.0)"),
        Field("upstream", "broker", .json, hint: #"APISIX 2's {"ip": …, "port": …}; empty: the route's upstream"#),
    ])
}
