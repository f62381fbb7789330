/// A block of addresses, like `10.0.0.0/8` or `fe80::/10`.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block (host bits are always zero).
    public let address: IPAddress
    /// Leading bits that must match: 0…32 for IPv4, 0…128 for IPv6.
    public let prefixLength: Int

    /// Parses `"10.0.0.0/8"`, `"::1/128"`, `"fe80::/10"`, or a plain address (a block of one).
    /// Host bits may be set and are masked off (`"10.1.2.3/8"` is `10.0.0.0/8`), as nginx does.
    /// A block inside `::ffff:0:0/96` becomes the matching IPv4 block (`"::ffff:10.0.0.0/104"` is `10.0.0.0/8`).
    /// Nil when the address is invalid or the prefix is not a plain number in range.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let addressBytes = Array(parts[0].utf8)[...]
        var prefix: Int?
        if parts.count == 2 {
            let digits = Array(parts[1].utf8)
            guard (1...3).contains(digits.count), digits.allSatisfy(IPTextParser.isDigit) else { return nil }
            prefix = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        if let v4 = IPTextParser.ipv4(addressBytes) {
            let length = prefix ?? 32
            guard length <= 32 else { return nil }
            self.init(masking: .v4(v4), prefixLength: length)
        } else if let (high, low) = IPTextParser.ipv6(addressBytes) {
            let length = prefix ?? 128
            guard length <= 128 else { return nil }
            self.init(masking: .v6(high, low), prefixLength: length)
        } else {
            return nil
        }
    }

    /// Builds a block from any address inside it; nil when `prefixLength` is out of range for the family.
    public init?(address: IPAddress, prefixLength: Int) {
        switch address {
        case .v4: guard (0...32).contains(prefixLength) else { return nil }
        case .v6: guard (0...128).contains(prefixLength) else { return nil }
        }
        self.init(masking: address, prefixLength: prefixLength)
    }

    private init(masking address: IPAddress, prefixLength: Int) {
        switch address {
        case .v4(let value):
            self.address = .v4(value & CIDR.mask32(prefixLength))
            self.prefixLength = prefixLength
        case .v6(let high, let low):
            let (maskHigh, maskLow) = CIDR.mask128(prefixLength)
            let masked = IPAddress.v6(high & maskHigh, low & maskLow)
            if prefixLength >= 96, case .v4 = masked.normalized {
                self.address = masked.normalized
                self.prefixLength = prefixLength - 96
            } else {
                self.address = masked
                self.prefixLength = prefixLength
            }
        }
    }

    /// Whether `ip` lies in this block. An IPv4-mapped IPv6 address counts as IPv4;
    /// otherwise an IPv4 block never contains an IPv6 address, nor the other way round.
    public func contains(_ ip: IPAddress) -> Bool {
        switch (address, ip.normalized) {
        case (.v4(let base), .v4(let value)):
            return value & CIDR.mask32(prefixLength) == base
        case (.v6(let baseHigh, let baseLow), .v6(let high, let low)):
            let (maskHigh, maskLow) = CIDR.mask128(prefixLength)
            return high & maskHigh == baseHigh && low & maskLow == baseLow
        default:
            return false
        }
    }

    /// `10.0.0.0/8`, `fe80::/10`: always with the prefix length.
    public var description: String { "\(address)/\(prefixLength)" }

    private static func mask32(_ length: Int) -> UInt32 {
        length <= 0 ? 0 : UInt32.max << UInt32(32 - min(length, 32))
    }

    private static func mask128(_ length: Int) -> (UInt64, UInt64) {
        func mask64(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : UInt64.max << UInt64(64 - min(bits, 64)) }
        return (mask64(length), mask64(length - 64))
    }
}
