/// Builds PROXY protocol headers (HAProxy `proxy-protocol.txt`) to send to an upstream before the payload.
package enum ProxyProtocolEncoder {
    /// A v1 text header, `PROXY TCP4 …\r\n` or `PROXY TCP6 …\r\n`.
    ///
    /// Hosts are textual IPs (IPv6 may be bracketed). When one side is IPv4 and the other IPv6, the IPv4
    /// one is written IPv4-mapped (`::ffff:a.b.c.d`) with `TCP6`. When a host is not an IP address or a port
    /// is outside 0…65535, the result is `PROXY UNKNOWN\r\n`, which tells the receiver to use the real
    /// connection endpoints.
    package static func v1(source: (String, Int), destination: (String, Int)) -> [UInt8] {
        guard let (sourceAddress, destinationAddress) = addressPair(source.0, destination.0),
            let sourcePort = UInt16(exactly: source.1),
            let destinationPort = UInt16(exactly: destination.1)
        else {
            return Array("PROXY UNKNOWN\r\n".utf8)
        }
        let isIPv6 = sourceAddress.count == 16
        let format: ([UInt8]) -> String? =
            isIPv6 ? { ProxyProtocolAddressText.formatIPv6($0) } : { ProxyProtocolAddressText.formatIPv4($0) }
        guard let sourceText = format(sourceAddress), let destinationText = format(destinationAddress) else {
            return Array("PROXY UNKNOWN\r\n".utf8)
        }
        let line = "PROXY \(isIPv6 ? "TCP6" : "TCP4") \(sourceText) \(destinationText) \(sourcePort) \(destinationPort)\r\n"
        return Array(line.utf8)
    }

    /// A v1 text header from endpoint values; see `v1(source:destination:)` for the rules.
    package static func v1(source: ProxyProtocolEndpoint, destination: ProxyProtocolEndpoint) -> [UInt8] {
        v1(source: (source.host, source.port), destination: (destination.host, destination.port))
    }

    /// A v2 binary header with the PROXY command and no TLVs.
    ///
    /// Mixed IPv4/IPv6 pairs are sent as IPv6 with the IPv4 side IPv4-mapped. With `transport`
    /// `.unspecified`, a host that is not an IP address, or a port outside 0…65535, the header uses
    /// family AF_UNSPEC with no address block, which tells the receiver to use the real connection endpoints.
    package static func v2(
        source: (String, Int),
        destination: (String, Int),
        transport: ProxyProtocolHeader.Transport
    ) -> [UInt8] {
        var header = ProxyProtocolParser.v2Signature
        header.append(0x21)  // version 2, PROXY
        guard transport != .unspecified,
            let (sourceAddress, destinationAddress) = addressPair(source.0, destination.0),
            let sourcePort = UInt16(exactly: source.1),
            let destinationPort = UInt16(exactly: destination.1)
        else {
            header += [0x00, 0x00, 0x00]  // AF_UNSPEC, length 0
            return header
        }
        let isIPv6 = sourceAddress.count == 16
        let family: UInt8 = (isIPv6 ? 0x20 : 0x10) | (transport == .udp ? 0x02 : 0x01)
        let length: UInt16 = isIPv6 ? 36 : 12
        header.append(family)
        header += bigEndian(length)
        header += sourceAddress
        header += destinationAddress
        header += bigEndian(sourcePort)
        header += bigEndian(destinationPort)
        return header
    }

    /// A v2 binary header from endpoint values; see `v2(source:destination:transport:)` for the rules.
    package static func v2(
        source: ProxyProtocolEndpoint,
        destination: ProxyProtocolEndpoint,
        transport: ProxyProtocolHeader.Transport
    ) -> [UInt8] {
        v2(source: (source.host, source.port), destination: (destination.host, destination.port), transport: transport)
    }

    /// Both addresses in binary, of the same length (4 or 16), mapping IPv4 into IPv6 when the families differ.
    private static func addressPair(_ source: String, _ destination: String) -> ([UInt8], [UInt8])? {
        guard let sourceAddress = binary(source), let destinationAddress = binary(destination) else { return nil }
        if sourceAddress.count == destinationAddress.count { return (sourceAddress, destinationAddress) }
        return (mapped(sourceAddress), mapped(destinationAddress))
    }

    /// IPv4 (4 bytes) or IPv6 (16 bytes) from text; brackets around IPv6 are tolerated.
    private static func binary(_ host: String) -> [UInt8]? {
        var text = Array(host.utf8)
        if text.first == UInt8(ascii: "["), text.last == UInt8(ascii: "]"), text.count >= 2 {
            text = Array(text.dropFirst().dropLast())
        }
        return ProxyProtocolAddressText.parseIPv4(text) ?? ProxyProtocolAddressText.parseIPv6(text)
    }

    /// IPv4-mapped IPv6 form of a 4-byte address; 16-byte addresses are returned unchanged.
    private static func mapped(_ address: [UInt8]) -> [UInt8] {
        address.count == 4 ? Array(repeating: 0, count: 10) + [0xFF, 0xFF] + address : address
    }

    private static func bigEndian(_ value: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
