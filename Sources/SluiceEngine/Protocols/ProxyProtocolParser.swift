/// Parses a PROXY protocol header (HAProxy `proxy-protocol.txt`, version 1 text or version 2 binary)
/// from the first bytes a client sends. Pure and allocation-light; safe on hostile input.
package enum ProxyProtocolParser {
    /// Longest v1 header, CRLF included.
    package static let maxV1HeaderLength = 107
    /// Longest v2 header accepted (16-byte fixed part + declared length); longer ones are rejected
    /// instead of being waited for.
    package static let maxV2HeaderLength = 536
    /// `PROXY ` — the start of every v1 header.
    static let v1Prefix: [UInt8] = Array("PROXY ".utf8)
    /// The 12-byte v2 signature `\r\n\r\n\0\r\nQUIT\n`.
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    private static let space = UInt8(ascii: " ")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let notProxy = "not a PROXY protocol header"

    /// Parses `bytes`, the start of a connection's byte stream.
    ///
    /// Returns `.needMoreData` while the input is a strict prefix of a possibly valid header, `.header`
    /// with the number of bytes the header occupies once complete, and `.invalid` as soon as the input
    /// cannot be (the start of) a valid header.
    package static func parse(_ bytes: ArraySlice<UInt8>) -> ProxyProtocolParseResult {
        guard let first = bytes.first else { return .needMoreData }
        if first == v1Prefix[0] { return parseV1(Array(bytes.prefix(maxV1HeaderLength))) }
        if first == v2Signature[0] { return parseV2(Array(bytes.prefix(maxV2HeaderLength))) }
        return .invalid(notProxy)
    }

    // MARK: - Version 1

    /// Which field of a v1 line is being checked (for messages).
    private static let v1FieldNames = ["source address", "destination address", "source port", "destination port"]

    private static func parseV1(_ window: [UInt8]) -> ProxyProtocolParseResult {
        for index in 0..<min(window.count, v1Prefix.count) where window[index] != v1Prefix[index] {
            return .invalid(notProxy)
        }
        if window.count <= v1Prefix.count { return .needMoreData }

        // The line ends at the first CR or LF; only CRLF is a valid terminator. The fields before it are
        // validated first, so that the verdict on a prefix never changes as more bytes arrive.
        var terminator: Int?
        for index in v1Prefix.count..<window.count where window[index] == carriageReturn || window[index] == lineFeed {
            terminator = index
            break
        }
        var lineEnd: Int?
        if let terminator, window[terminator] == carriageReturn, terminator + 1 < window.count,
            window[terminator + 1] == lineFeed
        {
            lineEnd = terminator
        }

        let content = window[v1Prefix.count..<(terminator ?? window.count)]
        switch validateV1(content, complete: lineEnd != nil) {
        case .failed(let message):
            return .invalid(message)
        case .complete(let header):
            return .header(header, consumed: (lineEnd ?? window.count) + 2)
        case .incomplete:
            if let terminator {
                if window[terminator] == lineFeed { return .invalid("v1 header has LF without CR") }
                if terminator + 1 < window.count { return .invalid("v1 header has CR without LF") }
            }
            if window.count >= maxV1HeaderLength {
                return .invalid("v1 header longer than \(maxV1HeaderLength) bytes")
            }
            return .needMoreData
        }
    }

    /// Verdict on (a prefix of) a v1 line.
    private enum V1Outcome {
        /// Valid so far, not finished.
        case incomplete
        /// A complete, valid line.
        case complete(ProxyProtocolHeader)
        /// Invalid, with the reason.
        case failed(String)
    }

    /// Validates the text after `PROXY ` up to (excluding) CRLF. When `complete` is false the text is a
    /// prefix of the line: finished fields are validated fully, the last one only as far as it goes.

    private static func validateV1(
        _ content: ArraySlice<UInt8>,
        complete: Bool
    ) -> V1Outcome {
        let parts = content.split(separator: space, maxSplits: 1, omittingEmptySubsequences: false)
        let proto = parts.first ?? content[content.startIndex..<content.startIndex]
        let protoComplete = parts.count > 1 || complete
        let protocols: [[UInt8]] = [Array("TCP4".utf8), Array("TCP6".utf8), Array("UNKNOWN".utf8)]
        guard protoComplete else {
            if protocols.contains(where: { $0.starts(with: proto) }) { return .incomplete }
            return .failed("v1 unknown protocol")
        }
        let isIPv6: Bool
        if proto.elementsEqual(protocols[2]) {
            // "UNKNOWN": anything up to CRLF is ignored.
            return complete ? .complete(ProxyProtocolHeader(version: 1, command: .local, transport: .unspecified)) : .incomplete
        } else if proto.elementsEqual(protocols[0]) {
            isIPv6 = false
        } else if proto.elementsEqual(protocols[1]) {
            isIPv6 = true
        } else {
            return .failed("v1 unknown protocol")
        }
        guard parts.count > 1 else { return .failed("v1 header has no addresses") }
        let fields = parts[1].split(separator: space, omittingEmptySubsequences: false)

        var addresses: [String] = []
        var ports: [Int] = []
        for (position, field) in fields.enumerated() {
            guard position < v1FieldNames.count else { return .failed("v1 header has too many fields") }
            let fieldComplete = position < fields.count - 1 || complete
            let name = v1FieldNames[position]
            if fieldComplete, field.isEmpty {
                return .failed("v1 \(name) is empty")
            }
            if position < 2 {
                if fieldComplete {
                    let parsed = isIPv6
                        ? ProxyProtocolAddressText.parseIPv6(field).flatMap(ProxyProtocolAddressText.formatIPv6)
                        : ProxyProtocolAddressText.parseIPv4(field).flatMap(ProxyProtocolAddressText.formatIPv4)
                    guard let parsed else {
                        return .failed("v1 \(name) is not \(isIPv6 ? "IPv6" : "IPv4")")
                    }
                    addresses.append(parsed)
                } else if !plausibleAddressPrefix(field, isIPv6: isIPv6) {
                    return .failed("v1 \(name) is not \(isIPv6 ? "IPv6" : "IPv4")")
                }
            } else {
                var value = 0
                for byte in field {
                    guard let digit = ProxyProtocolAddressText.decimalValue(byte) else {
                        return .failed("v1 \(name) is not a decimal number")
                    }
                    value = value * 10 + digit
                    guard value <= 65535 else { return .failed("v1 \(name) out of range") }
                }
                if field.count > 5 { return .failed("v1 \(name) out of range") }
                ports.append(value)
            }
        }
        guard complete else { return .incomplete }
        guard fields.count == 4, addresses.count == 2, ports.count == 2 else {
            return .failed("v1 header has too few fields")
        }
        return .complete(
            ProxyProtocolHeader(
                version: 1,
                command: .proxy,
                transport: .tcp,
                source: ProxyProtocolEndpoint(host: addresses[0], port: ports[0]),
                destination: ProxyProtocolEndpoint(host: addresses[1], port: ports[1])
            )
        )
    }

    /// Cheap check that an unfinished address field could still become valid.
    private static func plausibleAddressPrefix(_ field: ArraySlice<UInt8>, isIPv6: Bool) -> Bool {
        if isIPv6 {
            guard field.count <= ProxyProtocolAddressText.maxIPv6Length else { return false }
            return field.allSatisfy {
                ProxyProtocolAddressText.hexValue($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
            }
        }
        guard field.count <= ProxyProtocolAddressText.maxIPv4Length else { return false }
        return field.allSatisfy { ProxyProtocolAddressText.decimalValue($0) != nil || $0 == UInt8(ascii: ".") }
    }

    // MARK: - Version 2

    private static func parseV2(_ window: [UInt8]) -> ProxyProtocolParseResult {
        for index in 0..<min(window.count, v2Signature.count) where window[index] != v2Signature[index] {
            return .invalid("\(notProxy) (bad v2 signature)")
        }
        let fixedLength = v2Signature.count + 4
        let versionIndex = v2Signature.count
        if window.count > versionIndex {
            let versionCommand = window[versionIndex]
            guard versionCommand >> 4 == 2 else { return .invalid("unsupported v2 version \(versionCommand >> 4)") }
            guard versionCommand & 0x0F <= 1 else { return .invalid("unknown v2 command \(versionCommand & 0x0F)") }
        }
        let isLocal = window.count > versionIndex && window[versionIndex] & 0x0F == 0
        var addressLength = 0
        var transport = ProxyProtocolHeader.Transport.unspecified
        if window.count > versionIndex + 1, !isLocal {
            let family = window[versionIndex + 1]
            switch family {
            case 0x00: addressLength = 0
            case 0x11: addressLength = 12; transport = .tcp
            case 0x12: addressLength = 12; transport = .udp
            case 0x21: addressLength = 36; transport = .tcp
            case 0x22: addressLength = 36; transport = .udp
            case 0x31, 0x32: addressLength = 216
            default: return .invalid("unknown v2 address family/protocol \(hexByte(family))")
            }
        }
        guard window.count >= fixedLength else { return .needMoreData }

        let declared = Int(window[versionIndex + 2]) << 8 | Int(window[versionIndex + 3])
        let total = fixedLength + declared
        guard total <= maxV2HeaderLength else {
            return .invalid("v2 header longer than \(maxV2HeaderLength) bytes")
        }
        guard declared >= addressLength else { return .invalid("v2 length too short for the address family") }
        guard window.count >= total else { return .needMoreData }

        if isLocal {
            return .header(ProxyProtocolHeader(version: 2, command: .local, transport: .unspecified), consumed: total)
        }
        var tlv = fixedLength + addressLength
        while tlv < total {
            guard total - tlv >= 3 else { return .invalid("v2 TLV truncated") }
            let length = Int(window[tlv + 1]) << 8 | Int(window[tlv + 2])
            guard length <= total - tlv - 3 else { return .invalid("v2 TLV overruns header length") }
            tlv += 3 + length
        }

        var header = ProxyProtocolHeader(version: 2, command: .proxy, transport: transport)
        let start = fixedLength
        switch addressLength {
        case 12:
            guard let source = ProxyProtocolAddressText.formatIPv4(window[start..<start + 4]),
                let destination = ProxyProtocolAddressText.formatIPv4(window[start + 4..<start + 8])
            else { return .invalid("v2 bad IPv4 addresses") }
            header.source = ProxyProtocolEndpoint(host: source, port: port(window, start + 8))
            header.destination = ProxyProtocolEndpoint(host: destination, port: port(window, start + 10))
        case 36:
            guard let source = ProxyProtocolAddressText.formatIPv6(window[start..<start + 16]),
                let destination = ProxyProtocolAddressText.formatIPv6(window[start + 16..<start + 32])
            else { return .invalid("v2 bad IPv6 addresses") }
            header.source = ProxyProtocolEndpoint(host: source, port: port(window, start + 32))
            header.destination = ProxyProtocolEndpoint(host: destination, port: port(window, start + 34))
        default:
            break  // UNSPEC or AF_UNIX: no IP endpoints.
        }
        return .header(header, consumed: total)
    }

    /// Big-endian 16-bit port at `index` (caller guarantees two bytes are there).
    private static func port(_ window: [UInt8], _ index: Int) -> Int {
        Int(window[index]) << 8 | Int(window[index + 1])
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}
