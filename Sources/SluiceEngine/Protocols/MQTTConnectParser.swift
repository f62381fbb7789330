/// Peeks at the first bytes of an MQTT connection and reads its CONNECT packet — MQTT 3.1 (level 3), 3.1.1
/// (level 4) and 5.0 (level 5, its properties skipped by their length) — up to the client id, without consuming
/// anything: for `mqtt-proxy`'s protocol check and balancing on the client id.
///
/// Every field must lie inside the packet's remaining length (else `.malformed`), so a verdict never depends on
/// how the bytes were split into reads. Pure and safe on hostile input: no recursion, allocation bounded by the
/// input.
package enum MQTTConnectParser {
    private static let connectHeader: UInt8 = 0x10
    /// A variable byte integer has at most 4 bytes (values up to 268,435,455).
    private static let maxVariableIntegerBytes = 4

    /// Parses `bytes`, the start of a connection's byte stream; the fields up to the client id must fit in `limit`
    /// bytes (the preread buffer).
    package static func parse(_ bytes: ArraySlice<UInt8>, limit: Int) -> MQTTConnectParseResult {
        let available = Array(bytes.prefix(limit))
        guard let first = available.first else { return .needMoreData }
        guard first == connectHeader else {
            return .malformed(first >> 4 == 1 ? "CONNECT flags \(first & 0x0F) are not 0"
                                              : "packet type \(first >> 4) is not CONNECT (1)")
        }
        var reader = PrefixReader(bytes: available, position: 1)
        do throws(PrefixReader.Stop) {
            let remaining = try variableInteger(&reader, before: Int.max, "remaining length")
            let packetEnd = reader.position + remaining
            return try parseConnect(&reader, packetEnd: packetEnd, limit: limit)
        } catch {
            switch error {
            case .needMoreData: return available.count >= limit ? .oversized(needed: limit + 1) : .needMoreData
            case .malformed(let why): return .malformed(why)
            }
        }
    }

    private static func parseConnect(_ reader: inout PrefixReader, packetEnd: Int,
                                     limit: Int) throws(PrefixReader.Stop) -> MQTTConnectParseResult {
        let nameLength = try fieldLength(&reader, 2, before: packetEnd, "protocol name")
        if reader.position + nameLength > limit { return .oversized(needed: reader.position + nameLength) }
        let name = try utf8(&reader, nameLength, before: packetEnd, "protocol name")
        let level = Int(try reader.byte(before: packetEnd, "protocol level"))
        let flags = try reader.byte(before: packetEnd, "connect flags")
        guard flags & 1 == 0 else { throw .malformed("connect flags have the reserved bit set") }
        _ = try reader.integer(2, before: packetEnd, "keep alive")
        guard (3...5).contains(level) else { return .unknownLevel(protocolName: name, level: level) }
        if level == 5 {
            let length = try fieldLength(&reader, nil, before: packetEnd, "properties")
            if reader.position + length > limit { return .oversized(needed: reader.position + length) }
            _ = try reader.read(length, before: packetEnd, "properties")
        }
        let idLength = try fieldLength(&reader, 2, before: packetEnd, "client id")
        if reader.position + idLength > limit { return .oversized(needed: reader.position + idLength) }
        let clientID = try utf8(&reader, idLength, before: packetEnd, "client id")
        return .connect(MQTTConnect(protocolName: name, protocolLevel: level, clientID: clientID))
    }

    /// A field's length — a 2-byte big-endian one, or a variable byte integer when `width` is nil — checked
    /// against the packet's end.
    private static func fieldLength(_ reader: inout PrefixReader, _ width: Int?, before end: Int,
                                    _ what: String) throws(PrefixReader.Stop) -> Int {
        let length = if let width { try reader.integer(width, before: end, "\(what) length") }
                     else { try variableInteger(&reader, before: end, "\(what) length") }
        guard length <= end - reader.position else {
            throw .malformed("\(what) overruns the packet's remaining length")
        }
        return length
    }

    /// A variable byte integer: 7 bits a byte, least significant first, the high bit set on all but the last.
    private static func variableInteger(_ reader: inout PrefixReader, before end: Int,
                                        _ what: String) throws(PrefixReader.Stop) -> Int {
        var value = 0
        for index in 0..<maxVariableIntegerBytes {
            let byte = try reader.byte(before: end, what)
            value |= Int(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 { return value }
        }
        throw .malformed("\(what) is longer than \(maxVariableIntegerBytes) bytes")
    }

    /// `length` bytes of UTF-8 without U+0000 (MQTT's UTF-8 encoded string).
    private static func utf8(_ reader: inout PrefixReader, _ length: Int, before end: Int,
                             _ what: String) throws(PrefixReader.Stop) -> String {
        let field = try reader.read(length, before: end, what)
        guard !field.contains(0), let text = String(validating: field, as: UTF8.self) else {
            throw .malformed("\(what) is not valid UTF-8 without U+0000")
        }
        return text
    }
}
