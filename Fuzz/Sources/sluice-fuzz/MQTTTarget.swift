import SluiceEngine

/// The MQTT CONNECT parser on any bytes and any preread limit (the input's first byte picks a small one now and
/// then): never a crash; a verdict other than "need more data" stays the same when more bytes follow, and a
/// complete CONNECT's prefixes say the same or "need more data".
enum MQTTTarget {
    static func check(_ bytes: [UInt8]) {
        let limit = bytes.first.map { $0 < 16 ? Int($0) + 1 : 65_536 } ?? 65_536
        let input = bytes.dropFirst()
        let result = MQTTConnectParser.parse(input, limit: limit)
        switch result {
        case .needMoreData:
            precondition(input.count < limit, "needMoreData on a full buffer")
        case .connect, .unknownLevel, .malformed, .oversized:
            let longer = MQTTConnectParser.parse(input + [0x00, 0xFF], limit: limit)
            precondition(longer == result, "more bytes changed \(result) into \(longer)")
            if case .connect = result {
                for cut in 0..<input.count {
                    let prefix = MQTTConnectParser.parse(input.prefix(cut), limit: limit)
                    precondition(prefix == .needMoreData || prefix == result, "a prefix parsed as \(prefix)")
                }
            }
        }
    }
}
