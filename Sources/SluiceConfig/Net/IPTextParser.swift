/// Text-to-bits parsing behind `IPAddress`, `CIDR` and the PROXY protocol's address fields — the one IPv4/IPv6
/// text parser of Sluice — on UTF-8 bytes so that only ASCII digits count.
public enum IPTextParser {
    private static let colon = UInt8(ascii: ":")
    private static let dot = UInt8(ascii: ".")
    private static let percent = UInt8(ascii: "%")

    /// Strict dotted-quad IPv4: exactly four decimal parts 0…255, no signs, no leading zeros.
    public static func ipv4(_ text: ArraySlice<UInt8>) -> UInt32? {
        let parts = text.split(separator: dot, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(isDigit) else { return nil }
            if part.count > 1, part.first == UInt8(ascii: "0") { return nil }
            let octet = part.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// IPv6 in any RFC 4291 form, without normalisation; an optional non-empty `%zone` is dropped.
    public static func ipv6(_ text: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        var body = text
        if let zone = text.firstIndex(of: percent) {
            guard zone < text.index(before: text.endIndex) else { return nil }
            body = text[..<zone]
        }
        var head = body
        var tail: ArraySlice<UInt8>?
        if let gap = doubleColon(in: body) {
            head = body[..<gap]
            let rest = body[(gap + 2)...]
            guard doubleColon(in: rest) == nil else { return nil }
            tail = rest
        }
        guard var groups = self.groups(head, allowIPv4: tail == nil) else { return nil }
        if let tail {
            guard let tailGroups = self.groups(tail, allowIPv4: true), groups.count + tailGroups.count <= 7 else {
                return nil
            }
            groups += Array(repeating: 0, count: 8 - groups.count - tailGroups.count) + tailGroups
        }
        guard groups.count == 8 else { return nil }
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (high, low)
    }

    /// Colon-separated hex groups (empty text is no groups); the last one may be dotted IPv4 (two groups).
    private static func groups(_ text: ArraySlice<UInt8>, allowIPv4: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let parts = text.split(separator: colon, omittingEmptySubsequences: false)
        var out: [UInt16] = []
        for (i, part) in parts.enumerated() {
            if allowIPv4, i == parts.count - 1, part.contains(dot) {
                guard let v4 = ipv4(part) else { return nil }
                out += [UInt16(truncatingIfNeeded: v4 >> 16), UInt16(truncatingIfNeeded: v4)]
            } else {
                guard (1...4).contains(part.count) else { return nil }
                var group: UInt16 = 0
                for byte in part {
                    guard let nibble = hexValue(byte) else { return nil }
                    group = group << 4 | nibble
                }
                out.append(group)
            }
        }
        return out
    }

    private static func doubleColon(in text: ArraySlice<UInt8>) -> ArraySlice<UInt8>.Index? {
        var i = text.startIndex
        while i + 1 < text.endIndex {
            if text[i] == colon, text[i + 1] == colon { return i }
            i += 1
        }
        return nil
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
