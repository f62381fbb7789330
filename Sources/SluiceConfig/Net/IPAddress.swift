/// An IPv4 or IPv6 address, as a value.
///
/// `IPAddress("::ffff:1.2.3.4")` gives `.v4`: an IPv4-mapped IPv6 address is the same client seen
/// on a dual-stack socket, and normalising it lets IPv4 CIDRs match it.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address, most significant octet first (`1.2.3.4` is `0x0102_0304`).
    case v4(UInt32)
    /// An IPv6 address as its high and low 64 bits (`::1` is `.v6(0, 1)`).
    case v6(UInt64, UInt64)

    /// Parses dotted IPv4 (`"10.0.0.1"`) or IPv6 in any RFC 4291 text form (`"::"`, `"fe80::1"`,
    /// `"::ffff:1.2.3.4"`); an IPv6 zone (`"fe80::1%eth0"`) is accepted and dropped.
    /// Nil for anything else, including `"1.2.3"`, leading zeros (`"01.2.3.4"`) and surrounding spaces.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        if let v4 = IPTextParser.ipv4(bytes[...]) {
            self = .v4(v4)
        } else if let (high, low) = IPTextParser.ipv6(bytes[...]) {
            self = IPAddress.v6(high, low).normalized
        } else {
            return nil
        }
    }

    /// The same address with an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) turned into `.v4`;
    /// every other address unchanged.
    public var normalized: IPAddress {
        if case .v6(0, let low) = self, low >> 32 == 0xffff {
            return .v4(UInt32(truncatingIfNeeded: low))
        }
        return self
    }

    /// Canonical text: dotted decimal for IPv4, RFC 5952 for IPv6 (lowercase, no leading zeros,
    /// the longest run of two or more zero groups written `::`).
    public var description: String {
        switch self {
        case .v4(let value):
            return IPAddress.dotted(value)
        case .v6(let high, let low):
            if high == 0, low >> 32 == 0xffff {
                // RFC 5952 section 5: IPv4-mapped addresses keep the dotted tail.
                return "::ffff:" + IPAddress.dotted(UInt32(truncatingIfNeeded: low))
            }
            return IPAddress.ipv6Text(high, low)
        }
    }

    private static func dotted(_ value: UInt32) -> String {
        "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
    }

    private static func ipv6Text(_ high: UInt64, _ low: UInt64) -> String {
        let groups = (0..<8).map { i -> UInt16 in
            let word = i < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (UInt64(3 - i % 4) * 16))
        }
        // Longest run of zero groups, first one on ties; a single zero group stays written.
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8, groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestLength >= 2 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
