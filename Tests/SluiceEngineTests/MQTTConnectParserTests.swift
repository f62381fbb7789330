import Testing

@testable import SluiceEngine

/// `MQTTConnectParser`: CONNECTs of MQTT 3.1.1 and 5.0 (with properties), every prefix of them, and the
/// malformed, oversized and foreign inputs each told apart.
struct MQTTConnectParserTests {
    static let limit = 65_536

    func parse(_ bytes: [UInt8], limit: Int = limit) -> MQTTConnectParseResult {
        MQTTConnectParser.parse(bytes[...], limit: limit)
    }

    @Test func mqtt311Connect() {
        let packet = MQTTConnectBuilder(clientID: "sensor-7", rest: MQTTConnectBuilder.string("user")).bytes
        #expect(parse(packet) == .connect(MQTTConnect(protocolName: "MQTT", protocolLevel: 4, clientID: "sensor-7")))
    }

    @Test func mqtt5ConnectSkipsItsProperties() {
        // Session Expiry Interval (0x11, 4 bytes), Receive Maximum (0x21, 2 bytes), User Property (0x26, 2 strings):
        // 20 bytes of properties, so a parser that did not skip them would read 0x11 0x00 as the client id length.
        let properties: [UInt8] = [0x11, 0, 0, 0x0E, 0x10, 0x21, 0, 10, 0x26]
            + MQTTConnectBuilder.string("k") + MQTTConnectBuilder.string("val")
        let packet = MQTTConnectBuilder(level: 5, properties: properties, clientID: "v5-client").bytes
        #expect(parse(packet) == .connect(MQTTConnect(protocolName: "MQTT", protocolLevel: 5, clientID: "v5-client")))
    }

    @Test func mqtt5PropertiesLongerThan127BytesUseTwoLengthBytes() {
        let properties: [UInt8] = [0x26] + MQTTConnectBuilder.string(String(repeating: "k", count: 200))
            + MQTTConnectBuilder.string("v")
        let packet = MQTTConnectBuilder(level: 5, properties: properties, clientID: "long-props").bytes
        #expect(packet[1] & 0x80 != 0, "the remaining length takes two bytes")
        #expect(parse(packet) == .connect(MQTTConnect(protocolName: "MQTT", protocolLevel: 5, clientID: "long-props")))
    }

    @Test func mqtt31AndEmptyClientID() {
        let packet = MQTTConnectBuilder(protocolName: "MQIsdp", level: 3, clientID: "").bytes
        #expect(parse(packet) == .connect(MQTTConnect(protocolName: "MQIsdp", protocolLevel: 3, clientID: "")))
    }

    @Test func unknownLevelIsReportedWithItsName() {
        #expect(parse(MQTTConnectBuilder(level: 6).bytes) == .unknownLevel(protocolName: "MQTT", level: 6))
    }

    @Test(arguments: [UInt8(4), 5])
    func everyStrictPrefixNeedsMoreData(level: UInt8) {
        let packet = MQTTConnectBuilder(level: level, properties: level == 5 ? [0x21, 0, 5] : [],
                                        clientID: "prefix").bytes
        for count in 0..<packet.count {
            #expect(parse(Array(packet.prefix(count))) == .needMoreData, "prefix of \(count) bytes")
        }
        #expect(parse(packet) == .connect(MQTTConnect(protocolName: "MQTT", protocolLevel: Int(level),
                                                      clientID: "prefix")))
    }

    @Test func notAConnect() {
        #expect(parse(Array("GET / HTTP/1.1\r\n".utf8)) == .malformed("packet type 4 is not CONNECT (1)"))
        #expect(parse([0x30, 0x02, 0, 0]) == .malformed("packet type 3 is not CONNECT (1)"))
        #expect(parse([0x12, 0x00]) == .malformed("CONNECT flags 2 are not 0"))
    }

    @Test func badVariableIntegers() {
        // A fifth length byte is never valid, even before the rest arrives.
        #expect(parse([0x10, 0xFF, 0xFF, 0xFF, 0xFF]) == .malformed("remaining length is longer than 4 bytes"))
        #expect(parse([0x10, 0x80, 0x80, 0x80]) == .needMoreData)
        var packet = MQTTConnectBuilder(level: 5).bytes
        let propertiesAt = 2 + 6 + 4
        packet.replaceSubrange(propertiesAt...propertiesAt, with: [0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        packet[1] = UInt8(packet.count - 2)
        #expect(parse(packet) == .malformed("properties length is longer than 4 bytes"))
    }

    @Test func fieldsOverrunningTheRemainingLength() {
        var packet = MQTTConnectBuilder(clientID: "abcdef").bytes
        packet[1] -= 3  // the client id now ends past the packet
        #expect(parse(packet) == .malformed("client id overruns the packet's remaining length"))
        #expect(parse([0x10, 0x01, 0x00, 0x04]) == .malformed("protocol name length overruns its enclosing length"))
        #expect(parse([0x10, 0x04, 0x00, 0x09, 0x4D, 0x51])
                == .malformed("protocol name overruns the packet's remaining length"))
        var props = MQTTConnectBuilder(level: 5, properties: [0x21, 0, 5]).bytes
        props[12] = 0x70  // properties claim 112 bytes
        #expect(parse(props) == .malformed("properties overruns the packet's remaining length"))
    }

    @Test func badStringsAndFlags() {
        var packet = MQTTConnectBuilder(clientID: "ab").bytes
        packet[packet.count - 1] = 0xC3  // a lone UTF-8 lead byte
        #expect(parse(packet) == .malformed("client id is not valid UTF-8 without U+0000"))
        packet[packet.count - 1] = 0
        #expect(parse(packet) == .malformed("client id is not valid UTF-8 without U+0000"))
        #expect(parse(MQTTConnectBuilder(flags: 0x03).bytes) == .malformed("connect flags have the reserved bit set"))
    }

    @Test func oversized() {
        // The client id's length already says it cannot fit: refused before it arrives.
        let packet = MQTTConnectBuilder(clientID: String(repeating: "x", count: 65_535)).bytes
        #expect(parse(Array(packet.prefix(20)), limit: 1024) == .oversized(needed: packet.count))
        // Properties of 100,000 bytes announced in a CONNECT of 5.
        let props = [UInt8(0x10)] + MQTTConnectBuilder.variableInteger(100_020) + MQTTConnectBuilder.string("MQTT")
            + [5, 2, 0, 60] + MQTTConnectBuilder.variableInteger(100_000)
        guard case .oversized = parse(props, limit: 1024) else { Issue.record("\(parse(props, limit: 1024))"); return }
        // A full buffer that still ends inside the packet.
        #expect(parse([0x10, 0x80], limit: 2) == .oversized(needed: 3))
    }

    @Test func bytesAfterTheConnectAreIgnored() {
        let packet = MQTTConnectBuilder(clientID: "c").bytes + [0x82, 0x05, 0, 1, 0, 1, 0x61]
        #expect(parse(packet) == .connect(MQTTConnect(protocolName: "MQTT", protocolLevel: 4, clientID: "c")))
    }
}
