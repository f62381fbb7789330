import NIOCore
import Testing
@testable import SluiceConfig
@testable import SluiceEngine

/// mqtt-proxy's preread verdicts (the client id as `mqtt_client_id`, an empty one left unset so chash falls back
/// to `remote_addr`, each refusal's reason) and traffic-split's weighted choice.
extension StreamPluginLogicTests {
    func mqtt(level: Int = 4) -> MQTTProxyPlugin { MQTTProxyPlugin(config: MQTTProxyConfig(protocolLevel: level)) }

    func view(_ bytes: [UInt8]) -> ByteBufferView { ByteBuffer(bytes: bytes).readableBytesView }

    @Test func mqttProxySetsTheClientIDVariable() {
        var s = session("10.0.0.1")
        #expect(mqtt().preread(view(MQTTConnectBuilder(clientID: "dev-1").bytes), session: &s) == .done)
        #expect(s.variables["mqtt_client_id"] == "dev-1")
        #expect(s.facts.hashKey("mqtt_client_id", variables: s.variables) == "dev-1")

        var anonymous = session("10.0.0.2")
        #expect(mqtt().preread(view(MQTTConnectBuilder(clientID: "").bytes), session: &anonymous) == .done)
        #expect(anonymous.variables["mqtt_client_id"] == nil)
        #expect(anonymous.facts.hashKey("mqtt_client_id", variables: anonymous.variables) == "10.0.0.2")
    }

    @Test func mqttProxyRefusalsHaveTheirReasons() {
        var s = session("10.0.0.1")
        func reason(_ verdict: PrereadVerdict) -> CloseReason? {
            if case .refuse(let r, _) = verdict { r } else { nil }
        }
        #expect(reason(mqtt(level: 4).preread(view(MQTTConnectBuilder(level: 5).bytes), session: &s))
                == .mqttProtocolMismatch)
        #expect(reason(mqtt().preread(view(MQTTConnectBuilder(protocolName: "MQTX").bytes), session: &s))
                == .mqttProtocolMismatch)
        #expect(reason(mqtt().preread(view(MQTTConnectBuilder(level: 7).bytes), session: &s)) == .mqttProtocolMismatch)
        #expect(reason(mqtt().preread(view(Array("SSH-2.0-x\r\n".utf8)), session: &s)) == .mqttMalformed)
        let huge = [0x10, 0x8B, 0x80, 0x04] + MQTTConnectBuilder.string("MQTT") + [4, 2, 0, 60, 0xFF, 0xFF]
        #expect(reason(mqtt().preread(view(huge), session: &s)) == .mqttOversized)
        #expect(mqtt().preread(view(Array(MQTTConnectBuilder().bytes.prefix(7))), session: &s) == .needMoreData)
        #expect(s.variables["mqtt_client_id"] == nil)

        #expect(mqtt().prereadUnfinished(view([0x10, 0x20]), timedOut: false)?.reason == .mqttTruncated)
        #expect(mqtt().prereadUnfinished(view([0x10]), timedOut: true)?.reason == .mqttTruncated)
        #expect(mqtt().prereadUnfinished(view([]), timedOut: true)?.reason == .mqttTimeout)
        #expect(mqtt().prereadUnfinished(view([]), timedOut: false) == nil, "an empty FIN: preread_aborted")
        #expect(CloseReason.mqttProtocolMismatch.status == 503 && CloseReason.mqttMalformed.status == 400)
    }

    @Test func trafficSplitWeightsAreSmoothAndSkipZero() {
        let rr = SmoothWeightedRoundRobin(weights: [9, 0, 1])
        let picks = (0..<20).compactMap { _ in rr.pick(among: [0, 2]) }
        #expect(picks.filter { $0 == 0 }.count == 18 && picks.filter { $0 == 2 }.count == 2)
        #expect(Array(picks.prefix(10)) == [0, 0, 0, 0, 0, 2, 0, 0, 0, 0], "nginx's smooth order")

        // Only route-own entries: the plugin keeps the route's upstream.
        let own = TrafficSplitConfig(rules: [.init(weightedUpstreams: [.init(.route, weight: 3)])])
        let keep = TrafficSplitPlugin(config: own, choices: [[nil]])
        guard case .keep = keep.balance(session("10.0.0.1")) else { Issue.record("not kept"); return }
    }
}
