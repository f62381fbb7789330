/// Text ↔ binary conversion of IPv4 and IPv6 addresses for the PROXY protocol, written without libc
/// so that it behaves identically everywhere and never traps on hostile input.
enum ProxyProtocolAddressText {
    /// Longest IPv4 text, `255.255.255.255`.
    static let maxIPv4Length = 15
    /// Longest IPv6 text, `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`.
    static let maxIPv6Length = 45

    /// Parses strict dotted-quad IPv4 (four decimal parts 0…255, no leading zeros, nothing else) into 4 bytes.
    static func parseIPv4<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        guard !text.isEmpty, text.count <= maxIPv4Length else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(4)
        var value = 0
        var digits = 0
        var leadingZero = false
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, result.count < 3 else { return nil }
                result.append(UInt8(truncatingIfNeeded: value))
                value = 0
                digits = 0
                leadingZero = false
            } else if let digit = decimalValue(byte) {
                if leadingZero { return nil }
                if digits == 0, digit == 0 { leadingZero = true }
                digits += 1
                value = value * 10 + digit
                guard digits <= 3, value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, result.count == 3 else { return nil }
        result.append(UInt8(truncatingIfNeeded: value))
        return result
    }

    /// Parses IPv6 text (RFC 4291 section 2.2: hex groups, at most one `::`, optional trailing dotted IPv4;
    /// no brackets, no zone) into 16 bytes.
    static func parseIPv6<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        let chars = Array(text)
        guard chars.count >= 2, chars.count <= maxIPv6Length else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        if chars[0] == UInt8(ascii: ":") {
            guard chars[1] == UInt8(ascii: ":") else { return nil }
            sawDoubleColon = true
            index = 2
            if index < chars.count, chars[index] == UInt8(ascii: ":") { return nil }
        }
        while index < chars.count {
            var end = index
            while end < chars.count, chars[end] != UInt8(ascii: ":") {
                end += 1
            }
            let token = chars[index..<end]
            if token.contains(UInt8(ascii: ".")) {
                // Embedded IPv4 must be the last token.
                guard end == chars.count, let v4 = parseIPv4(token) else { return nil }
                let high = UInt16(v4[0]) << 8 | UInt16(v4[1])
                let low = UInt16(v4[2]) << 8 | UInt16(v4[3])
                if sawDoubleColon { tail += [high, low] } else { head += [high, low] }
                index = end
                break
            }
            guard let group = hexGroup(token) else { return nil }
            if sawDoubleColon { tail.append(group) } else { head.append(group) }
            guard head.count + tail.count <= 8 else { return nil }
            if end == chars.count {
                index = end
                break
            }
            // chars[end] is ':'
            let next = end + 1
            if next < chars.count, chars[next] == UInt8(ascii: ":") {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index = next + 1
                if index < chars.count, chars[index] == UInt8(ascii: ":") { return nil }
            } else {
                index = next
                guard index < chars.count else { return nil }  // trailing single ':'
            }
        }
        let explicitGroups = head.count + tail.count
        if sawDoubleColon {
            guard explicitGroups <= 7 else { return nil }
        } else {
            guard explicitGroups == 8 else { return nil }
        }
        let groups = head + Array(repeating: 0, count: 8 - explicitGroups) + tail
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for group in groups {
            bytes.append(UInt8(truncatingIfNeeded: group >> 8))
            bytes.append(UInt8(truncatingIfNeeded: group))
        }
        return bytes
    }

    /// Dotted-quad text of 4 bytes (nil when the count is not 4).
    static func formatIPv4<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        guard bytes.count == 4 else { return nil }
        return bytes.map { String($0) }.joined(separator: ".")
    }

    /// RFC 5952 text of 16 bytes (nil when the count is not 16): lower-case hex, the longest run of two or
    /// more zero groups compressed to `::`, and IPv4-mapped addresses written as `::ffff:a.b.c.d`.
    static func formatIPv6<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        let raw = Array(bytes)
        guard raw.count == 16 else { return nil }
        if raw[0..<10].allSatisfy({ $0 == 0 }), raw[10] == 0xFF, raw[11] == 0xFF,
            let v4 = formatIPv4(raw[12..<16])
        {
            return "::ffff:" + v4
        }
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var position = 0
        while position + 1 < raw.count {
            groups.append(UInt16(raw[position]) << 8 | UInt16(raw[position + 1]))
            position += 2
        }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for (offset, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = offset }
                let length = offset - runStart + 1
                if length > bestLength {
                    bestLength = length
                    bestStart = runStart
                }
            } else {
                runStart = -1
            }
        }
        if bestLength < 2 {
            return groups.map { String($0, radix: 16) }.joined(separator: ":")
        }
        let before = groups[0..<bestStart].map { String($0, radix: 16) }.joined(separator: ":")
        let after = groups[(bestStart + bestLength)...].map { String($0, radix: 16) }.joined(separator: ":")
        return before + "::" + after
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

    /// One IPv6 group of 1…4 hex digits.
    private static func hexGroup(_ token: ArraySlice<UInt8>) -> UInt16? {
        guard !token.isEmpty, token.count <= 4 else { return nil }
        var value: UInt16 = 0
        for byte in token {
            guard let digit = hexValue(byte) else { return nil }
            value = value << 4 | digit
        }
        return value
    }
}
