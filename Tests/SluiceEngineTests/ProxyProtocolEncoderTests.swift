import Testing

@testable import SluiceEngine

/// `ProxyProtocolEncoder` output, and round trips through `ProxyProtocolParser`.
struct ProxyProtocolEncoderTests {
    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func endpoint(_ host: String, _ port: Int) -> ProxyProtocolEndpoint {
        ProxyProtocolEndpoint(host: host, port: port)
    }

    @Test func v1Text() {
        #expect(
            Self.text(ProxyProtocolEncoder.v1(source: ("192.0.2.1", 5000), destination: ("198.51.100.2", 443)))
                == "PROXY TCP4 192.0.2.1 198.51.100.2 5000 443\r\n")
        #expect(
            Self.text(ProxyProtocolEncoder.v1(source: ("2001:DB8:0::1", 1), destination: ("[2001:db8::2]", 65535)))
                == "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n")
        #expect(
            Self.text(ProxyProtocolEncoder.v1(source: ("10.1.2.3", 0), destination: ("::1", 8443)))
                == "PROXY TCP6 ::ffff:10.1.2.3 ::1 0 8443\r\n")
        #expect(
            Self.text(ProxyProtocolEncoder.v1(source: Self.endpoint("1.2.3.4", 9), destination: Self.endpoint("5.6.7.8", 10)))
                == "PROXY TCP4 1.2.3.4 5.6.7.8 9 10\r\n")
    }

    @Test func v1FallsBackToUnknown() {
        let unknown = "PROXY UNKNOWN\r\n"
        #expect(Self.text(ProxyProtocolEncoder.v1(source: ("example.com", 1), destination: ("1.2.3.4", 2))) == unknown)
        #expect(Self.text(ProxyProtocolEncoder.v1(source: ("1.2.3.4", 65536), destination: ("1.2.3.4", 2))) == unknown)
        #expect(Self.text(ProxyProtocolEncoder.v1(source: ("1.2.3.4", 1), destination: ("1.2.3.4", -1))) == unknown)
        #expect(Self.text(ProxyProtocolEncoder.v1(source: ("", 1), destination: ("1.2.3.4", 2))) == unknown)
    }

    @Test func v2Bytes() {
        let bytes = ProxyProtocolEncoder.v2(source: ("192.0.2.1", 1234), destination: ("198.51.100.7", 443), transport: .tcp)
        #expect(
            bytes == ProxyProtocolParser.v2Signature + [0x21, 0x11, 0x00, 0x0C, 192, 0, 2, 1, 198, 51, 100, 7, 0x04, 0xD2, 0x01, 0xBB])
        let udp6 = ProxyProtocolEncoder.v2(source: ("::1", 53), destination: ("::2", 5353), transport: .udp)
        #expect(udp6.count == 16 + 36)
        #expect(udp6[12] == 0x21 && udp6[13] == 0x22 && udp6[14] == 0 && udp6[15] == 36)
        let unspecified = ProxyProtocolEncoder.v2(source: ("1.2.3.4", 1), destination: ("5.6.7.8", 2), transport: .unspecified)
        #expect(unspecified == ProxyProtocolParser.v2Signature + [0x21, 0x00, 0x00, 0x00])
        let bad = ProxyProtocolEncoder.v2(source: ("nope", 1), destination: ("5.6.7.8", 2), transport: .tcp)
        #expect(bad == unspecified)
    }

    @Test func v2RoundTrips() {
        let cases: [(String, String, ProxyProtocolHeader.Transport, String, String)] = [
            ("192.0.2.1", "198.51.100.7", .tcp, "192.0.2.1", "198.51.100.7"),
            ("192.0.2.1", "198.51.100.7", .udp, "192.0.2.1", "198.51.100.7"),
            ("2001:db8::1", "[2001:DB8::2]", .tcp, "2001:db8::1", "2001:db8::2"),
            ("fe80::1", "::", .udp, "fe80::1", "::"),
            ("10.0.0.1", "::1", .tcp, "::ffff:10.0.0.1", "::1"),
        ]
        for (source, destination, transport, canonicalSource, canonicalDestination) in cases {
            let bytes = ProxyProtocolEncoder.v2(source: (source, 40000), destination: (destination, 443), transport: transport)
            let expected = ProxyProtocolHeader(
                version: 2, command: .proxy, transport: transport,
                source: Self.endpoint(canonicalSource, 40000), destination: Self.endpoint(canonicalDestination, 443))
            #expect(ProxyProtocolParser.parse(bytes[...]) == .header(expected, consumed: bytes.count))
        }
        let unspecified = ProxyProtocolEncoder.v2(source: ("1.2.3.4", 1), destination: ("5.6.7.8", 2), transport: .unspecified)
        #expect(
            ProxyProtocolParser.parse(unspecified[...])
                == .header(ProxyProtocolHeader(version: 2, command: .proxy, transport: .unspecified), consumed: 16))
    }

    /// Random addresses and ports survive encode → parse → encode in both versions.
    @Test func randomRoundTrips() {
        var random = ParserFuzzRandom(seed: 0x5EED_0001)
        for _ in 0..<3000 {
            let isIPv6 = random.below(2) == 0
            let hosts: [String] = (0..<2).map { _ in
                if isIPv6 {
                    // Random groups with random zero runs, so compression is exercised.
                    let groups: [UInt16] = (0..<8).map { _ in random.below(3) == 0 ? 0 : UInt16(truncatingIfNeeded: random.next()) }
                    return groups.map { String($0, radix: 16, uppercase: random.below(2) == 0) }.joined(separator: ":")
                }
                return (0..<4).map { _ in String(random.below(256)) }.joined(separator: ".")
            }
            let ports = [random.below(65536), random.below(65536)]
            let transport: ProxyProtocolHeader.Transport = random.below(2) == 0 ? .tcp : .udp

            let v1 = ProxyProtocolEncoder.v1(source: (hosts[0], ports[0]), destination: (hosts[1], ports[1]))
            guard case .header(let header1, let consumed1) = ProxyProtocolParser.parse(v1[...]) else {
                Issue.record("v1 did not parse: \(Self.text(v1))")
                return
            }
            #expect(consumed1 == v1.count)
            #expect(header1.source?.port == ports[0] && header1.destination?.port == ports[1])
            guard let source1 = header1.source, let destination1 = header1.destination else {
                Issue.record("v1 lost addresses")
                return
            }
            #expect(ProxyProtocolEncoder.v1(source: source1, destination: destination1) == v1)

            let v2 = ProxyProtocolEncoder.v2(source: (hosts[0], ports[0]), destination: (hosts[1], ports[1]), transport: transport)
            guard case .header(let header2, let consumed2) = ProxyProtocolParser.parse(v2[...]) else {
                Issue.record("v2 did not parse")
                return
            }
            #expect(consumed2 == v2.count)
            #expect(header2.transport == transport)
            #expect(header2.source == header1.source && header2.destination == header1.destination)
        }
    }
}
