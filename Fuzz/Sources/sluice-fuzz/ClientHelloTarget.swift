import SluiceEngine

/// The ClientHello peek used for SNI routing (`ssl_preread`, `tls: true` listeners) on any bytes: never a crash;
/// "need more data" only while the first record can still arrive; a verdict stays the same when more bytes follow
/// and a parsed ClientHello's prefixes say the same or "need more data"; a server name is what routing and the logs
/// may take as is (1…255 bytes of printable ASCII without space or `/`, lower case, no trailing dot).
enum ClientHelloTarget {
    static func check(_ input: [UInt8]) {
        let result = ClientHelloParser.parse(input[...])
        switch result {
        case .needMoreData:
            precondition(input.count < 5 + ClientHelloParser.maxRecordLength, "needMoreData after \(input.count) bytes")
        case .notTLS, .malformed:
            let longer = ClientHelloParser.parse((input + [0x16, 0x03, 0x01, 0x00])[...])
            precondition(longer == result, "more bytes changed \(result) into \(longer)")
        case .clientHello(let serverName, let alpn):
            let longer = ClientHelloParser.parse((input + [0x16, 0x03, 0x01, 0x00])[...])
            precondition(longer == result, "more bytes changed \(result) into \(longer)")
            // Prefixes: every cut inside the record header and a sample across the record (all of them would make a
            // 16 KiB record quadratic).
            let step = max(1, input.count / 64)
            for cut in stride(from: 0, to: input.count, by: step) {
                let prefix = ClientHelloParser.parse(input.prefix(cut))
                precondition(prefix == .needMoreData || prefix == result, "a \(cut)-byte prefix gave \(prefix)")
            }
            if let serverName { checkServerName(serverName) }
            precondition(alpn.allSatisfy { !$0.isEmpty }, "an empty ALPN protocol")
        }
    }
}

private func checkServerName(_ name: String) {
    let bytes = Array(name.utf8)
    precondition((1...ClientHelloParser.maxServerNameLength).contains(bytes.count), "name of \(bytes.count) bytes")
    precondition(bytes.last != UInt8(ascii: "."), "trailing dot kept: \(name)")
    for byte in bytes {
        precondition(byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "/"), "byte \(byte) in \(name)")
        precondition(!(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte), "upper case kept: \(name)")
    }
}
