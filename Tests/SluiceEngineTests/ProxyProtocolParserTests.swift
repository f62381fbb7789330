import Testing

@testable import SluiceEngine

/// Table-driven tests of `ProxyProtocolParser` for versions 1 and 2.
struct ProxyProtocolParserTests {
    /// Shorthand for parsing a whole array.
    static func parse(_ bytes: [UInt8]) -> ProxyProtocolParseResult {
        ProxyProtocolParser.parse(bytes[...])
    }

    static func endpoint(_ host: String, _ port: Int) -> ProxyProtocolEndpoint {
        ProxyProtocolEndpoint(host: host, port: port)
    }

    /// The v2 signature followed by version/command, family and a big-endian length, then `body`.
    static func v2(_ versionCommand: UInt8, _ family: UInt8, length: Int? = nil, _ body: [UInt8] = []) -> [UInt8] {
        let declared = length ?? body.count
        return ProxyProtocolParser.v2Signature
            + [versionCommand, family, UInt8(truncatingIfNeeded: declared >> 8), UInt8(truncatingIfNeeded: declared)]
            + body
    }

    static let v4Body: [UInt8] = [192, 0, 2, 1, 198, 51, 100, 7, 0x04, 0xD2, 0x01, 0xBB]  // :1234 → :443
    static let v6Body: [UInt8] =
        [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
        + [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 10, 0, 0, 1]
        + [0xFF, 0xFF, 0x00, 0x35]  // :65535 → :53

    // MARK: v1

    static let validV1: [(String, ProxyProtocolHeader)] = [
        (
            "PROXY TCP4 192.168.0.1 10.0.0.2 56324 443\r\n",
            ProxyProtocolHeader(
                version: 1, command: .proxy, transport: .tcp,
                source: endpoint("192.168.0.1", 56324), destination: endpoint("10.0.0.2", 443))
        ),
        (
            "PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n",
            ProxyProtocolHeader(
                version: 1, command: .proxy, transport: .tcp,
                source: endpoint("0.0.0.0", 0), destination: endpoint("255.255.255.255", 65535))
        ),
        (
            "PROXY TCP4 1.2.3.4 5.6.7.8 080 00443\r\n",  // leading zeros in ports are tolerated
            ProxyProtocolHeader(
                version: 1, command: .proxy, transport: .tcp,
                source: endpoint("1.2.3.4", 80), destination: endpoint("5.6.7.8", 443))
        ),
        (
            "PROXY TCP6 2001:DB8::1 ::1 1 65535\r\n",
            ProxyProtocolHeader(
                version: 1, command: .proxy, transport: .tcp,
                source: endpoint("2001:db8::1", 1), destination: endpoint("::1", 65535))
        ),
        (
            "PROXY TCP6 ::FFFF:1.2.3.4 fe80:0:0:0:0:0:1:2 7 8\r\n",
            ProxyProtocolHeader(
                version: 1, command: .proxy, transport: .tcp,
                source: endpoint("::ffff:1.2.3.4", 7), destination: endpoint("fe80::1:2", 8))
        ),
        (
            "PROXY TCP6 1:2:3:4:5:6:7.8.9.10 1:0:0:2:0:0:0:3 7 8\r\n",
            ProxyProtocolHeader(
                version: 1, command: .proxy, transport: .tcp,
                source: endpoint("1:2:3:4:5:6:708:90a", 7), destination: endpoint("1:0:0:2::3", 8))
        ),
        (
            "PROXY TCP6 :: 1:0:0:1:0:0:0:0 7 8\r\n",
            ProxyProtocolHeader(
                version: 1, command: .proxy, transport: .tcp,
                source: endpoint("::", 7), destination: endpoint("1:0:0:1::", 8))
        ),
        ("PROXY UNKNOWN\r\n", ProxyProtocolHeader(version: 1, command: .local, transport: .unspecified)),
        (
            "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n",
            ProxyProtocolHeader(version: 1, command: .local, transport: .unspecified)
        ),
        (
            // Exactly 107 bytes including CRLF.
            "PROXY UNKNOWN " + String(repeating: "x", count: 107 - 16) + "\r\n",
            ProxyProtocolHeader(version: 1, command: .local, transport: .unspecified)
        ),
    ]

    @Test(arguments: 0..<validV1.count)
    func validV1Headers(_ index: Int) {
        let (text, expected) = Self.validV1[index]
        let bytes = Array(text.utf8)
        #expect(Self.parse(bytes) == .header(expected, consumed: bytes.count), "\(text)")
        let payload = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        #expect(Self.parse(bytes + payload) == .header(expected, consumed: bytes.count))
        for length in 0..<bytes.count {
            #expect(Self.parse(Array(bytes.prefix(length))) == .needMoreData, "prefix \(length) of \(text)")
        }
    }

    static let invalidV1: [(String, String)] = [
        ("PROXY TCP4 192.168.0.1 10.0.0.2 56324 443\n", "LF without CR"),
        ("PROXY TCP4 192.168.0.1 10.0.0.2 56324 443\rX", "CR without LF"),
        ("PROXY TCP4 192.168.0.1  10.0.0.2 56324 443\r\n", "destination address is empty"),
        ("PROXY  TCP4 192.168.0.1 10.0.0.2 56324 443\r\n", "unknown protocol"),
        ("PROXY TCP4 192.168.0.1 10.0.0.2 56324 65536\r\n", "destination port out of range"),
        ("PROXY TCP4 192.168.0.1 10.0.0.2 99999 1\r\n", "source port out of range"),
        ("PROXY TCP4 192.168.0.1 10.0.0.2 123456 1\r\n", "source port out of range"),
        ("PROXY TCP4 192.168.0.1 10.0.0.2 +5 443\r\n", "source port is not a decimal number"),
        ("PROXY TCP4 192.168.0.1 10.0.0.2 -5 443\r\n", "source port is not a decimal number"),
        ("PROXY TCP4 192.168.0.1 10.0.0.2 0x10 443\r\n", "source port is not a decimal number"),
        ("PROXY TCP4 192.168.0.01 10.0.0.2 1 2\r\n", "source address is not IPv4"),
        ("PROXY TCP4 256.1.1.1 10.0.0.2 1 2\r\n", "source address is not IPv4"),
        ("PROXY TCP4 1.2.3 10.0.0.2 1 2\r\n", "source address is not IPv4"),
        ("PROXY TCP4 1.2.3.4.5 10.0.0.2 1 2\r\n", "source address is not IPv4"),
        ("PROXY TCP4 1..3.4 10.0.0.2 1 2\r\n", "source address is not IPv4"),
        ("PROXY TCP4 1.2.3.4 10.0.0.2. 1 2\r\n", "destination address is not IPv4"),
        ("PROXY TCP4 ::1 ::1 1 2\r\n", "source address is not IPv4"),
        ("PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 ::1 1::2::3 1 2\r\n", "destination address is not IPv6"),
        ("PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 1:2:3:4:5:6:7:8:: ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 :1:2:3:4:5:6:7 ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 1:2:3:4:5:6:7: ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 ::: ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 12345:: ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 [::1] ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 ::1.2.3.4:5 ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP6 1:2:3:4:5:6:7:1.2.3.4 ::1 1 2\r\n", "source address is not IPv6"),
        ("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "unknown protocol"),
        ("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "unknown protocol"),
        ("PROXY UNKNOWNX\r\n", "unknown protocol"),
        ("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "too many fields"),
        ("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "too few fields"),
        ("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "too many fields"),
        ("PROXY TCP4\r\n", "no addresses"),
        ("PROXY \r\n", "unknown protocol"),
        ("PROXY UNKNOWN " + String(repeating: "x", count: 107 - 15) + "\r\n", "longer than 107 bytes"),
        ("PROXY UNKNOWN " + String(repeating: "x", count: 200), "longer than 107 bytes"),
        ("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY protocol header"),
        ("PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY protocol header"),
        ("GET / HTTP/1.1\r\n", "not a PROXY protocol header"),
        ("\u{16}\u{03}\u{01}", "not a PROXY protocol header"),
        // Rejected early, before the line is complete.
        ("G", "not a PROXY protocol header"),
        ("PROXY X", "unknown protocol"),
        ("PROXY TCP4 1.2.3.4x", "source address is not IPv4"),
        ("PROXY TCP4 1.2.3.4 5.6.7.8 1 70000", "destination port out of range"),
        ("PROXY TCP6 ::1 ::g", "destination address is not IPv6"),
    ]

    @Test(arguments: 0..<invalidV1.count)
    func invalidV1Headers(_ index: Int) {
        let (text, reason) = Self.invalidV1[index]
        let result = Self.parse(Array(text.utf8))
        guard case .invalid(let message) = result else {
            Issue.record("expected invalid for \(text.debugDescription), got \(result)")
            return
        }
        #expect(message.contains(reason), "\(text.debugDescription): \(message)")
    }

    @Test func v1LengthLimitIsEnforcedWithoutWaiting() {
        let long = Array(("PROXY UNKNOWN " + String(repeating: "y", count: 93)).utf8)
        #expect(long.count == 107)
        #expect(Self.parse(Array(long.prefix(106))) == .needMoreData)
        #expect(Self.parse(long) == .invalid("v1 header longer than 107 bytes"))
        // CR as the 107th byte leaves no room for LF.
        let crLast = Array(("PROXY UNKNOWN " + String(repeating: "y", count: 92) + "\r").utf8)
        #expect(Self.parse(crLast) == .invalid("v1 header longer than 107 bytes"))
        #expect(Self.parse(Array(crLast.prefix(106))) == .needMoreData)
        #expect(Self.parse([]) == .needMoreData)
    }

    // MARK: v2

    static let validV2: [([UInt8], ProxyProtocolHeader)] = [
        (
            v2(0x21, 0x11, v4Body),
            ProxyProtocolHeader(
                version: 2, command: .proxy, transport: .tcp,
                source: endpoint("192.0.2.1", 1234), destination: endpoint("198.51.100.7", 443))
        ),
        (
            v2(0x21, 0x12, v4Body),
            ProxyProtocolHeader(
                version: 2, command: .proxy, transport: .udp,
                source: endpoint("192.0.2.1", 1234), destination: endpoint("198.51.100.7", 443))
        ),
        (
            v2(0x21, 0x21, v6Body),
            ProxyProtocolHeader(
                version: 2, command: .proxy, transport: .tcp,
                source: endpoint("2001:db8::1", 65535), destination: endpoint("::ffff:10.0.0.1", 53))
        ),
        (
            v2(0x21, 0x22, v6Body),
            ProxyProtocolHeader(
                version: 2, command: .proxy, transport: .udp,
                source: endpoint("2001:db8::1", 65535), destination: endpoint("::ffff:10.0.0.1", 53))
        ),
        // TLVs after the addresses: ALPN "h2", NOOP with empty value, AUTHORITY "a.b".
        (
            v2(0x21, 0x11, v4Body + [0x01, 0x00, 0x02, 0x68, 0x32, 0x04, 0x00, 0x00, 0x02, 0x00, 0x03, 0x61, 0x2E, 0x62]),
            ProxyProtocolHeader(
                version: 2, command: .proxy, transport: .tcp,
                source: endpoint("192.0.2.1", 1234), destination: endpoint("198.51.100.7", 443))
        ),
        (v2(0x20, 0x00), ProxyProtocolHeader(version: 2, command: .local, transport: .unspecified)),
        // LOCAL: the address block (even with an odd family byte) is discarded unread.
        (v2(0x20, 0x11, v4Body), ProxyProtocolHeader(version: 2, command: .local, transport: .unspecified)),
        (v2(0x20, 0x7F, [1, 2, 3, 4, 5]), ProxyProtocolHeader(version: 2, command: .local, transport: .unspecified)),
        (v2(0x21, 0x00), ProxyProtocolHeader(version: 2, command: .proxy, transport: .unspecified)),
        (
            v2(0x21, 0x31, [UInt8](repeating: 0x41, count: 216)),
            ProxyProtocolHeader(version: 2, command: .proxy, transport: .unspecified)
        ),
        (
            v2(0x21, 0x32, [UInt8](repeating: 0, count: 216)),
            ProxyProtocolHeader(version: 2, command: .proxy, transport: .unspecified)
        ),
        // Largest accepted: 16 + 520 = 536 bytes (one NOOP TLV of 505 bytes after IPv4 addresses).
        (
            v2(0x21, 0x11, v4Body + [0x04, 0x01, 0xF9] + [UInt8](repeating: 0, count: 505)),
            ProxyProtocolHeader(
                version: 2, command: .proxy, transport: .tcp,
                source: endpoint("192.0.2.1", 1234), destination: endpoint("198.51.100.7", 443))
        ),
    ]

    @Test(arguments: 0..<validV2.count)
    func validV2Headers(_ index: Int) {
        let (bytes, expected) = Self.validV2[index]
        #expect(Self.parse(bytes) == .header(expected, consumed: bytes.count))
        let payload: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x05, 0x0D, 0x0A]
        #expect(Self.parse(bytes + payload) == .header(expected, consumed: bytes.count))
        for length in 0..<bytes.count {
            #expect(Self.parse(Array(bytes.prefix(length))) == .needMoreData, "prefix \(length)")
        }
    }

    static let invalidV2: [([UInt8], String)] = [
        (v2(0x11, 0x11, v4Body), "unsupported v2 version 1"),
        (v2(0x31, 0x11, v4Body), "unsupported v2 version 3"),
        (v2(0x22, 0x11, v4Body), "unknown v2 command 2"),
        (v2(0x2F, 0x11, v4Body), "unknown v2 command 15"),
        (v2(0x21, 0x13, v4Body), "unknown v2 address family/protocol 0x13"),
        (v2(0x21, 0x10, v4Body), "unknown v2 address family/protocol 0x10"),
        (v2(0x21, 0x01), "unknown v2 address family/protocol 0x01"),
        (v2(0x21, 0x41, v4Body), "unknown v2 address family/protocol 0x41"),
        (v2(0x21, 0x11, length: 11, Array(v4Body.prefix(11))), "too short for the address family"),
        (v2(0x21, 0x21, v4Body), "too short for the address family"),
        (v2(0x21, 0x31, v6Body), "too short for the address family"),
        (v2(0x21, 0x11, v4Body + [0x01, 0x00]), "v2 TLV truncated"),
        (v2(0x21, 0x11, v4Body + [0x01]), "v2 TLV truncated"),
        (v2(0x21, 0x11, v4Body + [0x01, 0x00, 0x01]), "v2 TLV overruns header length"),
        (v2(0x21, 0x11, v4Body + [0x01, 0x00, 0x02, 0x68, 0x32, 0x04, 0xFF, 0xFF]), "v2 TLV overruns header length"),
        // Rejected as soon as the length is known, without waiting for the body.
        (v2(0x21, 0x11, length: 521), "v2 header longer than 536 bytes"),
        (v2(0x20, 0x00, length: 0xFFFF), "v2 header longer than 536 bytes"),
        // Signature mismatches are rejected on the first wrong byte.
        (Array(ProxyProtocolParser.v2Signature.prefix(4)) + [0x01], "bad v2 signature"),
        (Array(ProxyProtocolParser.v2Signature.prefix(11)) + [0x0D], "bad v2 signature"),
        ([0x0D, 0x0D], "not a PROXY protocol header"),
        (Array(ProxyProtocolParser.v2Signature.prefix(12)) + [0x11], "unsupported v2 version 1"),
        (Array(ProxyProtocolParser.v2Signature.prefix(12)) + [0x21, 0x55], "unknown v2 address family/protocol 0x55"),
        ([0x00], "not a PROXY protocol header"),
        ([0xFF, 0x0D, 0x0A], "not a PROXY protocol header"),
    ]

    @Test(arguments: 0..<invalidV2.count)
    func invalidV2Headers(_ index: Int) {
        let (bytes, reason) = Self.invalidV2[index]
        let result = Self.parse(bytes)
        guard case .invalid(let message) = result else {
            Issue.record("expected invalid for case \(index), got \(result)")
            return
        }
        #expect(message.contains(reason), "case \(index): \(message)")
    }

    @Test func v2NeedsTheDeclaredLength() {
        let header = Self.v2(0x21, 0x11, Self.v4Body)
        #expect(Self.parse(Array(header.prefix(16))) == .needMoreData)
        #expect(Self.parse(Array(header.prefix(27))) == .needMoreData)
        if case .header(_, let consumed) = Self.parse(header) {
            #expect(consumed == 28)
        } else {
            Issue.record("expected a header")
        }
    }

    @Test func parsesSlicesWithNonZeroStartIndex() {
        let bytes = Array("xxPROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nDATA".utf8)
        let expected = ProxyProtocolHeader(
            version: 1, command: .proxy, transport: .tcp,
            source: Self.endpoint("1.2.3.4", 1), destination: Self.endpoint("5.6.7.8", 2))
        #expect(ProxyProtocolParser.parse(bytes[2...]) == .header(expected, consumed: 32))
        let v2 = [0xAA, 0xBB] + Self.v2(0x21, 0x11, Self.v4Body)
        if case .header(let header, let consumed) = ProxyProtocolParser.parse(v2[2...]) {
            #expect(consumed == 28)
            #expect(header.source == Self.endpoint("192.0.2.1", 1234))
        } else {
            Issue.record("expected a v2 header")
        }
    }

    // MARK: address text

    @Test func ipv6CanonicalText() {
        let cases: [(String, String)] = [
            ("0:0:0:0:0:0:0:0", "::"),
            ("0:0:0:0:0:0:0:1", "::1"),
            ("1:0:0:0:0:0:0:0", "1::"),
            ("2001:0DB8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),  // first of equal runs
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // single zero group not compressed
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),  // longest run wins
            ("::ffff:0102:0304", "::ffff:1.2.3.4"),
            ("::1.2.3.4", "::102:304"),
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ]
        for (input, canonical) in cases {
            let binary = ProxyProtocolAddressText.parseIPv6(Array(input.utf8))
            #expect(binary.flatMap(ProxyProtocolAddressText.formatIPv6) == canonical, "\(input)")
        }
    }
}
