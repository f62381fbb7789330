import Testing
@testable import SluiceConfig

/// mqtt-proxy configurations: APISIX's schema and default, the older in-plugin broker (`upstream: {ip, port}`)
/// as the route's inline upstream, and every error naming its field.
extension StreamPluginConfigTests {
    @Test func mqttProxyLoadsWithTheDefaultName() throws {
        let got = try plugins("""
        stream_routes:
          - id: 1
            plugins: {mqtt-proxy: {protocol_level: 5}}
            upstream: {type: chash, hash_on: vars, key: mqtt_client_id, nodes: {"127.0.0.1:1883": 1}}
        """)
        #expect(got == [.mqttProxy(MQTTProxyConfig(protocolName: "MQTT", protocolLevel: 5))])
    }

    @Test func mqttProxyOlderBrokerFormIsTheRoutesInlineUpstream() throws {
        for broker in [#"{ip: "127.0.0.1", port: 1980}"#, #"{host: "127.0.0.1", port: 1980}"#] {
            let config = try decode("""
            stream_routes:
              - id: r1
                plugins: {mqtt-proxy: {protocol_name: MQTT, protocol_level: 4, upstream: \(broker)}}
            """)
            let resolved = config.resolvedUpstream(for: config.streamRoutes[0])
            #expect(resolved?.key == "stream_routes/r1")
            #expect(resolved?.upstream.nodes == [UpstreamNode(host: "127.0.0.1", port: 1980)])
            #expect(resolved?.upstream.type == .roundrobin)
        }
    }

    @Test func mqttProxyOlderBrokerFormOnAService() throws {
        let config = try decode("""
        services:
          - id: s1
            plugins: {mqtt-proxy: {protocol_level: 5, upstream: {host: "127.0.0.1", port: 1883}}}
        stream_routes:
          - {id: r1, service_id: s1}
          - {id: r2, service_id: s1, upstream: {nodes: {"127.0.0.1:1884": 1}}}
        """)
        #expect(config.resolvedUpstream(for: config.streamRoutes[0])?.key == "services/s1")
        #expect(config.resolvedUpstream(for: config.streamRoutes[1])?.key == "stream_routes/r2", "the route's own wins")
    }

    @Test func mqttProxyErrorsNameTheField() {
        let p = "stream_routes[0].plugins.mqtt-proxy"
        #expect(errors(plugins: "{mqtt-proxy: {}}") == ["\(p).protocol_level: is required"])
        #expect(errors(plugins: "{mqtt-proxy: {protocol_level: 6}}")
                == ["\(p).protocol_level: must be 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5 (MQTT 5.0), got 6"])
        #expect(errors(plugins: "{mqtt-proxy: {protocol_level: \"4\"}}")
                == ["\(p).protocol_level: must be an integer, got a string"])
        #expect(errors(plugins: #"{mqtt-proxy: {protocol_level: 4, protocol_name: ""}}"#)
                == ["\(p).protocol_name: must not be empty"])
        #expect(errors(plugins: "{mqtt-proxy: {protocol_level: 4, level: 4}}") == ["\(p).level: unknown field"])
        // The route in `errors` has its own upstream: a broker inside the plugin as well is ambiguous.
        let twice = "\(p).upstream: the broker is given twice: here and as the upstream (or upstream_id) beside "
            + "the plugins; keep one"
        #expect(errors(plugins: #"{mqtt-proxy: {protocol_level: 4, upstream: {ip: "127.0.0.1", port: 1}}}"#)
                == [twice])
        #expect(errors(plugins: #"{mqtt-proxy: {protocol_level: 4, upstream: {port: 1}}}"#)
                == ["\(p).upstream.host: is required (or ip, its older name)"])
        #expect(errors(plugins: #"{mqtt-proxy: {protocol_level: 4, upstream: {ip: "a", host: "b", port: 1}}}"#)
                == ["\(p).upstream.ip: give host or ip (its older name), not both"])
        #expect(errors(plugins: #"{mqtt-proxy: {protocol_level: 4, upstream: {ip: "127.0.0.1", port: 0}}}"#)
                == ["\(p).upstream.port: must be 1…65535, got 0"])
        #expect(errors(plugins: #"{mqtt-proxy: {protocol_level: 4, upstream: {ip: "127.0.0.1", port: 1, x: 1}}}"#)
                == ["\(p).upstream.x: unknown field", twice])
    }

    @Test func mqttClientIDIsAChashKey() throws {
        let config = try decode("""
        upstreams:
          - id: brokers
            type: chash
            key: mqtt_client_id
            nodes: {"127.0.0.1:1883": 1, "127.0.0.1:1884": 1}
        """)
        #expect(config.upstreams[0].hashKey == "mqtt_client_id")
    }
}
