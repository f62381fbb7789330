import SluiceEngine

/// The PROXY protocol v1/v2 parser on any bytes: never a crash; "need more data" only while a header can still be
/// shorter than its limit; a verdict stays the same when more bytes follow and every prefix of a parsed header says
/// "need more data"; the addresses it lets through are plain IP text (what `$proxy_protocol_addr` logs) and survive
/// re-encoding as v1 and v2.
enum ProxyProtocolTarget {
    static func check(_ input: [UInt8]) {
        let result = ProxyProtocolParser.parse(input[...])
        switch result {
        case .needMoreData:
            precondition(input.count < ProxyProtocolParser.maxV2HeaderLength, "needMoreData after \(input.count) bytes")
        case .invalid:
            let longer = ProxyProtocolParser.parse((input + [0x0D, 0x0A, 0x00])[...])
            precondition(longer == result, "more bytes changed \(result) into \(longer)")
        case .header(let header, let consumed):
            precondition(consumed > 0 && consumed <= input.count, "consumed \(consumed) of \(input.count)")
            let longer = ProxyProtocolParser.parse((input + [0x0D, 0x0A, 0x00])[...])
            precondition(longer == result, "more bytes changed \(result) into \(longer)")
            for cut in 0..<consumed {
                let prefix = ProxyProtocolParser.parse(input.prefix(cut))
                precondition(prefix == .needMoreData, "a \(cut)-byte prefix of a \(consumed)-byte header gave \(prefix)")
            }
            checkEndpoints(header)
        }
    }
}

/// Both endpoints present or both absent; hosts of hex digits, `.` and `:` only; the same endpoints after a round
/// trip through the encoder.
private func checkEndpoints(_ header: ProxyProtocolHeader) {
    guard let source = header.source, let destination = header.destination else {
        precondition(header.source == nil && header.destination == nil, "one endpoint without the other")
        return
    }
    for host in [source.host, destination.host] {
        precondition(!host.isEmpty && host.utf8.allSatisfy(isAddressByte), "host text \(host.debugDescription)")
    }
    precondition((0...65535).contains(source.port) && (0...65535).contains(destination.port), "port out of range")
    let transport = header.transport == .unspecified ? ProxyProtocolHeader.Transport.tcp : header.transport
    for encoded in [ProxyProtocolEncoder.v1(source: source, destination: destination),
                    ProxyProtocolEncoder.v2(source: source, destination: destination, transport: transport)] {
        guard case .header(let again, let consumed) = ProxyProtocolParser.parse(encoded[...]) else {
            preconditionFailure("re-encoded header \(encoded) does not parse")
        }
        precondition(consumed == encoded.count, "re-encoded header not consumed whole")
        precondition(again.source == source && again.destination == destination, "endpoints changed: \(again)")
    }
}

private func isAddressByte(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
}
