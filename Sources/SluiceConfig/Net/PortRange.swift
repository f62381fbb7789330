/// An inclusive range of ports, as written in `"9100-9110"` or `"9100"` (a range of one).
public struct PortRange: Hashable, Sendable {
    /// The first port, 1…65535.
    public let lower: Int
    /// The last port, `lower`…65535.
    public let upper: Int

    /// A range from `lower` to `upper`; nil unless 1 ≤ lower ≤ upper ≤ 65535.
    public init?(lower: Int, upper: Int) {
        guard 1 <= lower, lower <= upper, upper <= 65535 else { return nil }
        self.lower = lower
        self.upper = upper
    }

    /// Parses `"9100-9110"` or a single port `"9100"`; nil for anything else
    /// (signs, spaces, ports outside 1…65535, lower above upper).
    public static func parse(_ text: String) -> PortRange? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              case .success(let lower) = port(String(parts[0])),
              case .success(let upper) = port(String(parts[parts.count - 1]))
        else { return nil }
        return PortRange(lower: lower, upper: upper)
    }

    /// Every port in the range.
    public var ports: ClosedRange<Int> { lower...upper }

    /// One port number: ASCII digits only, 1…65535.
    static func port(_ text: String) -> Result<Int, HostPortError> {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.allSatisfy(IPTextParser.isDigit) else { return .failure(.portNotANumber(text)) }
        var value = 0
        for digit in digits {
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            if value > 65535 { return .failure(.portOutOfRange(text)) }
        }
        guard value >= 1 else { return .failure(.portOutOfRange(text)) }
        return .success(value)
    }
}
