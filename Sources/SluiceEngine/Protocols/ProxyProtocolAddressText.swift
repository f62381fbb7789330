import SluiceConfig

/// Binary ↔ text of the PROXY protocol's addresses, on Sluice's one IPv4/IPv6 parser (`IPTextParser`) and
/// formatter (`IPAddress`): strict dotted quads, RFC 4291 IPv6 in, RFC 5952 out; no zones, nothing that traps.
enum ProxyProtocolAddressText {
    /// Longest IPv4 text, `255.255.255.255`.
    static let maxIPv4Length = 15
    /// Longest IPv6 text, `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`.
    static let maxIPv6Length = 45

    /// Strict dotted-quad IPv4 into 4 bytes.
    static func parseIPv4<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        guard text.count <= maxIPv4Length, let value = IPTextParser.ipv4(Array(text)[...]) else { return nil }
        return bigEndianBytes(UInt64(value), count: 4)
    }

    /// IPv6 text (RFC 4291 section 2.2; no brackets, no zone) into 16 bytes.
    static func parseIPv6<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        let chars = Array(text)
        guard chars.count <= maxIPv6Length, !chars.contains(UInt8(ascii: "%")),
              let (high, low) = IPTextParser.ipv6(chars[...]) else { return nil }
        return bigEndianBytes(high, count: 8) + bigEndianBytes(low, count: 8)
    }

    /// Dotted-quad text of 4 bytes (nil when the count is not 4).
    static func formatIPv4<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        guard bytes.count == 4 else { return nil }
        return IPAddress.v4(UInt32(truncatingIfNeeded: integer(bytes))).description
    }

    /// RFC 5952 text of 16 bytes (nil when the count is not 16); IPv4-mapped addresses as `::ffff:a.b.c.d`.
    static func formatIPv6<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        let raw = Array(bytes)
        guard raw.count == 16 else { return nil }
        return IPAddress.v6(integer(raw[0..<8]), integer(raw[8..<16])).description
    }

    /// Value of an ASCII decimal digit.
    static func decimalValue(_ byte: UInt8) -> Int? {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        return Int(byte &- UInt8(ascii: "0"))
    }

    /// Value of an ASCII hex digit (either case).
    static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt16(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt16(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt16(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    private static func integer<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    private static func bigEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
    }
}
